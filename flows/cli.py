"""`duel`: the project's command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="AutoML against a HyperDrive-tuned MLP, judged on one split; the champion is served.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _group() -> None:
    """Keeps `duel` a group of commands while it has only one."""


@app.command("export-jobs")
def export_jobs(
    out: Annotated[Path, typer.Option("--out", help="folder to write the two job files into")],
) -> None:
    """Write the AutoML and sweep jobs as Azure ML SDK v2 YAML, for `az ml job create --file`.

    Both read the latest registered training split and training environment; budgets, search
    space and clusters come from the settings (DUEL_* variables, .env), as for a flow run.
    """
    from backends import clusters
    from backends.azure_v2.export import write_jobs
    from backends.messages import DatasetRef
    from tasks.automl_job import automl_job
    from tasks.hyperdrive_job import sweep_job
    from tasks.registered_split import DataRefs
    from tasks.settings import DuelSettings

    settings = DuelSettings()
    specs = clusters(settings)
    # No split is registered here: the files name the latest versions (write_jobs), not these.
    data = DataRefs(
        train=DatasetRef(f"{settings.dataset_name}-train", 0),
        test=DatasetRef(f"{settings.dataset_name}-test", 0),
        split_fingerprint="",
        train_rows=0,
        test_rows=0,
    )
    paths = write_jobs(
        sweep_job(settings, data, specs["gpu_cluster"]),
        automl_job(settings, data, specs["cpu_cluster"]),
        out,
    )
    for path in paths:
        typer.echo(f"wrote {path}  (submit: az ml job create --file {path})")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
