"""The nightly run: the duel as champion against challenger.

The night trains both contestants anew (see ``tasks.caching``). Its winner is registered either
way, but crowned champion and deployed only when its ONNX copy beats the champion's, both re-scored
on the night's test split, by ``DUEL_PROMOTION_MARGIN`` (see ``tasks.promotion``).
"""

from __future__ import annotations

from prefect import flow
from prefect.states import Failed

from flows.comparison import duel
from tasks.settings import DeployTarget


@flow(name="nightly-duel", log_prints=True)
def nightly(
    data: str | None = None,
    subset: int | None = None,
    deploy_target: DeployTarget | None = None,
    quick: bool = False,
) -> dict:
    """Run the duel with champion/challenger promotion."""
    night = duel(
        data=data,
        subset=subset,
        deploy_target=deploy_target,
        quick=quick,
        champion_challenger=True,
        return_state=True,
    )
    # The duel's failure is the night's, its message (one line on bad input) and error kept.
    if night.is_failed():
        return Failed(message=night.message, data=night.result(raise_on_failure=False))
    return night.result()
