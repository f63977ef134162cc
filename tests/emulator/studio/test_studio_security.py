"""Run files that carry script cannot act as the studio: headers over HTTP, then a real Chromium.

The hostile files try the whole attack: a dialog, a Promote and a Cancel sent blind, and the same
two after reading the studio's page for its token. A control tab serves the same bytes as plain
HTML at a studio address, to prove each payload runs where nothing stops it.
"""

from __future__ import annotations

from contextlib import contextmanager

import httpx
import pytest
from fastapi.testclient import TestClient

from emulator.core import Model
from emulator.studio import create_app
from emulator.studio._guard import FILE_POLICY

PAYLOAD = """
window.alert("pwned");
const send = (path, token) => fetch(path, {method: "POST", credentials: "include",
  headers: {"Content-Type": "application/json", "X-Studio-Token": token},
  body: JSON.stringify({model_name: "pwned", model_path: "outputs/model.pkl"})});
const both = (token) => { send("/api/runs/RUN/promote", token); send("/api/runs/RUN/cancel", token); };
both("");
fetch("/api/runs/RUN/cancel", {method: "POST", mode: "no-cors", credentials: "include", body: "{}"});
fetch("/").then((r) => r.text()).then((t) => { const m = t.match(/studio-token" content="([^"]+)/); both(m ? m[1] : ""); });
"""
HOSTILE = {
    "outputs/evil.svg": (
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
        '<rect width="20" height="20" fill="red"/><script>{}</script></svg>'
    ),
    "outputs/evil.xhtml": (
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><script>//<![CDATA[\n{}\n//]]></script></body></html>'
    ),
    "outputs/evil.xml": (
        '<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">//<![CDATA[\n{}\n//]]></x:script>'
    ),
    "outputs/evil.html": "<!doctype html><body><script>{}</script></body>",
}


@pytest.fixture
def hostile_run(experiment, tmp_path):
    """A live run that uploaded a model file and the four hostile files."""
    run = experiment.start_logging()
    for name, template in {**HOSTILE, "outputs/model.pkl": "model"}.items():
        source = tmp_path / name.replace("/", "_")
        source.write_text(template.replace("{}", PAYLOAD.replace("RUN", run.id)))
        run.upload_file(name, str(source))
    yield run
    if run.get_status() == "Running":
        run.complete()


def test_run_files_are_sandboxed_and_never_served_as_active_types(workspace, hostile_run):
    client = TestClient(create_app(workspace), base_url="http://127.0.0.1")
    for name in HOSTILE:
        response = client.get(f"/api/runs/{hostile_run.id}/files/{name}")
        assert response.status_code == 200
        assert response.headers["content-security-policy"] == FILE_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
        media = response.headers["content-type"]
        # svg keeps its type so <img> shows it (browsers never run an image's script)
        assert media == ("image/svg+xml" if name.endswith(".svg") else "text/plain; charset=utf-8")
    page = client.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "sandbox" not in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert client.get("/api/runs").headers["x-content-type-options"] == "nosniff"


def test_writes_without_origin_token_or_cookie_are_refused(workspace, hostile_run, as_page):
    url = f"/api/runs/{hostile_run.id}/cancel"
    page = as_page(TestClient(create_app(workspace), base_url="http://127.0.0.1"))
    token = page.headers["x-studio-token"]
    origin = {"Origin": "http://127.0.0.1"}
    bare = TestClient(page.app, base_url="http://127.0.0.1")  # the same server, no cookie
    refused = [
        bare.post(url, json={}),  # no Origin at all: not a browser page
        bare.post(url, json={}, headers=origin),  # no token
        bare.post(url, json={}, headers={**origin, "X-Studio-Token": token}),  # token but no cookie
        page.post(url, json={}, headers={"X-Studio-Token": "guessed"}),  # cookie but a wrong token
    ]
    assert [r.status_code for r in refused] == [403] * 4
    assert "Origin" in refused[0].json()["detail"] and "token" in refused[1].json()["detail"]
    assert hostile_run.get_status() == "Running"
    assert page.post(url, json={}).status_code == 200
    assert hostile_run.get_status() == "Canceled"


@pytest.mark.slow
def test_hostile_run_files_opened_in_a_browser_run_no_script_and_change_nothing(
    browser, workspace, hostile_run, serve_studio, emulator_home
):
    studio = serve_studio(emulator_home, workspace.name)
    writes = []
    files = [f"/api/runs/{hostile_run.id}/files/{name}" for name in HOSTILE]
    dialogs = _open_each(
        browser,
        studio.url,
        files,
        lambda context: context.on("requestfinished", lambda request: _record_write(request, writes)),
    )
    with _studio_tab(browser, studio.url) as tab:  # the svg still shows as an image on the studio's page
        tab.goto("/")
        width = tab.evaluate(
            "async (src) => { const i = new Image(); i.src = src; await i.decode(); return i.naturalWidth; }",
            files[0],
        )
    assert width == 20
    assert dialogs == []
    assert [w for w in writes if w[2] < 400] == []
    assert Model.list(workspace) == []
    assert hostile_run.get_status() == "Running"
    with httpx.Client(base_url=studio.url) as client:
        assert client.get("/api/models").json() == []


@pytest.mark.slow
def test_the_hostile_payloads_do_run_where_nothing_stops_them(
    browser, workspace, hostile_run, serve_studio, emulator_home
):
    # The control: the same bytes as unprotected HTML at a studio address, writes held back here.
    studio = serve_studio(emulator_home, workspace.name)
    attempts = []

    def unprotected(route):
        if route.request.method == "POST":
            attempts.append(route.request.url)
            route.abort()
        elif "/control/" in route.request.url:
            name = route.request.url.split("/control/", 1)[1]
            body = HOSTILE[name].replace("{}", PAYLOAD.replace("RUN", hostile_run.id))
            media = {"svg": "image/svg+xml", "xhtml": "application/xhtml+xml", "xml": "text/xml"}
            route.fulfill(body=body, content_type=media.get(name.rsplit(".", 1)[1], "text/html"))
        else:
            route.continue_()

    paths = [f"/control/{name}" for name in HOSTILE]
    dialogs = _open_each(browser, studio.url, paths, lambda context: context.route("**/*", unprotected))
    assert len(dialogs) == len(HOSTILE)
    assert len(attempts) == 5 * len(HOSTILE)  # blind, no-cors and tokened Promote and Cancel, from each file
    assert Model.list(workspace) == []


@contextmanager
def _studio_tab(browser, url: str, watch=lambda context: None, dialogs: list | None = None):
    """A tab at the studio ``url``; dialogs are dismissed (and recorded in ``dialogs``)."""
    context = browser.new_context(base_url=url)
    seen = [] if dialogs is None else dialogs
    context.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))
    watch(context)
    try:
        yield context.new_page()
    finally:
        context.close()


def _open_each(browser, url: str, paths: list[str], watch) -> list[str]:
    """Open each of ``paths`` at the studio ``url`` in one tab (``watch(context)`` first); the dialogs seen."""
    dialogs = []
    with _studio_tab(browser, url, watch, dialogs) as tab:
        for path in paths:
            tab.goto(path)
            tab.wait_for_load_state("networkidle")
    return dialogs


def _record_write(request, writes: list) -> None:
    if request.method in ("POST", "OPTIONS"):
        response = request.response()
        writes.append((request.method, request.url, response.status if response else 0))
