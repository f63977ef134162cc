"""The report as files a person opens: HTML (figures embedded) and markdown, in the workspace folder.

Each duel writes ``<workspace folder>/reports/<when>-<flow run name>/`` with ``report.html``,
``report.md`` and ``summary.txt`` (the lines the command printed at the end), and names that folder
in ``reports/LATEST``; ``duel report [RUN]`` finds it again from either.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from markdown_it import MarkdownIt

REPORTS = "reports"
LATEST = "LATEST"
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .6rem}"
    "img{max-width:100%}blockquote{color:#555;border-left:3px solid #ccc;margin:0;padding-left:1rem}"
)


class ReportNotFound(LookupError):
    """No report matches what was asked (none written yet, or no folder of that name)."""


def to_html(markdown: str, title: str) -> str:
    """One self-contained page: the markdown rendered, its data-URI images kept inline.

    Args:
        markdown: the report.
        title: the page title.

    Returns:
        The HTML page.
    """
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body>{body}</body></html>\n"
    )


def report_folder(root: Path, name: str) -> Path:
    """Where the report ``name`` of the workspace folder ``root`` lives.

    Args:
        root: the workspace folder.
        name: the report's name.

    Returns:
        The folder.
    """
    return root / REPORTS / name


def write_report(root: Path, name: str, markdown: str, summary: str, title: str) -> Path:
    """Write the report's files into ``root/reports/name`` and point ``LATEST`` at it; returns the folder.

    Args:
        root: the workspace folder.
        name: the report's name.
        markdown: the report.
        summary: the closing lines.
        title: the HTML page title.

    Returns:
        The report's folder.
    """
    folder = report_folder(root, name)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.md").write_text(markdown)
    (folder / "report.html").write_text(to_html(markdown, title))
    (folder / "summary.txt").write_text(summary)
    latest = root / REPORTS / LATEST
    tmp = latest.with_suffix(f".{os.getpid()}")
    tmp.write_text(name + "\n")
    os.replace(tmp, latest)
    return folder


def find_report(root: Path, run: str | None = None) -> Path:
    """The folder of the latest report, or of the one whose name contains ``run`` (a flow run name or
    a date); an ambiguous or unknown ``run`` names the reports there are.

    Args:
        root: the workspace folder.
        run: part of a report's name; None for the latest.

    Returns:
        The report's folder.
    """
    reports = root / REPORTS
    names = sorted(p.name for p in reports.iterdir() if p.is_dir()) if reports.is_dir() else []
    if not names:
        raise ReportNotFound(f"no report in {reports} yet: run `duel run` first")
    if run is None:
        latest = reports / LATEST
        name = latest.read_text().strip() if latest.is_file() else names[-1]
        return reports / name
    matches = [n for n in names if run in n]
    if len(matches) != 1:
        known = ", ".join(names[-5:])
        what = "no report" if not matches else f"{len(matches)} reports"
        raise ReportNotFound(f"{what} named like {run!r} in {reports} (latest: {known})")
    return reports / matches[0]
