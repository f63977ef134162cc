"""The nightly run: the duel as champion against challenger.

The night trains both contestants anew (see ``tasks.caching``). Its winner is registered either
way, but crowned champion and deployed only when its ONNX copy beats the champion's, both re-scored
on the night's test split, by ``DUEL_PROMOTION_MARGIN`` (see ``tasks.promotion``).
"""

from __future__ import annotations

from prefect import flow

from flows.comparison import bad_input, duel
from tasks.preflight import DETERMINISTIC
from tasks.settings import DeployTarget


@flow(name="nightly-duel", log_prints=True)
def nightly(
    data: str | None = None,
    subset: int | None = None,
    deploy_target: DeployTarget | None = None,
    quick: bool = False,
) -> dict:
    """Run the duel with champion/challenger promotion.

    Args:
        data: path of housing.csv (else ``DUEL_DATA``, the cache, or a download).
        subset: train and test on a seeded sample of this many rows.
        deploy_target: where the winner is served (local, docker, aci, managed or none).
        quick: the small budgets of ``QUICK``.

    Returns:
        The duel's result, or a Failed state naming the bad input.
    """
    try:
        return duel(
            data=data, subset=subset, deploy_target=deploy_target, quick=quick, champion_challenger=True
        )
    except DETERMINISTIC as error:
        # The duel logged it in one line; the night fails with that line, not a second traceback.
        return bad_input(error)
