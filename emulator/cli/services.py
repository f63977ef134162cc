"""``emulator services``: list, inspect and delete deployed scoring services."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ..exceptions import AzureMLException
from . import _lookup as lookup
from ._arguments import PLAIN, FormatOption, ServiceName, WorkspaceOption, console, open_workspace
from ._output import Format, fail, json_rows, show

app = typer.Typer(help="List, inspect and delete deployed scoring services.", **PLAIN)


def _service(workspace: str | None, name: str):
    from ..core import Webservice

    ws = open_workspace(workspace)
    try:
        return Webservice(ws, lookup.service_name(ws, name))
    except (AzureMLException, lookup.LookupFailed) as error:
        raise fail(str(error)) from None


@app.command("list")
def services_list(workspace: WorkspaceOption = None, output: FormatOption = Format.TABLE):
    """List deployed services with their state and scoring URI."""
    from ..core import Webservice

    rows = []
    for service in Webservice.list(open_workspace(workspace)):
        service.update_deployment_state()
        rows.append(
            {
                "name": service.name,
                "type": service.compute_type,
                "state": service.state,
                "scoring_uri": service.scoring_uri,
                "auth": service.auth_enabled,
            }
        )
    if output is Format.JSON:
        return json_rows(rows)
    table = Table("name", "type", "state", "scoring uri", "auth")
    for row in rows:
        table.add_row(row["name"], row["type"], row["state"], row["scoring_uri"], str(row["auth"]))
    show(table)


@app.command("logs")
def services_logs(
    name: ServiceName,
    workspace: WorkspaceOption = None,
    lines: Annotated[int, typer.Option("--lines", metavar="N", help="How many of the last lines.")] = 200,
):
    """Print the last lines of a service's log (requests, errors; never keys)."""
    typer.echo(_service(workspace, name).get_logs(num_lines=lines))


@app.command("delete")
def services_delete(name: ServiceName, workspace: WorkspaceOption = None):
    """Stop a service's server or container and remove it."""
    service = _service(workspace, name)
    service.delete()
    console.print(f"{service.name}: deleted")
