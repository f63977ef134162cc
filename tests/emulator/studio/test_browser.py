"""The studio in a real headless Chromium (Debian's ``chromium``, driven by Playwright), offline.

Every request the page makes outside the studio's own address is blocked and recorded, so these
tests also prove that the page needs no internet. Screenshots land in the session's
``studio-screenshots`` folder (its path is printed with ``-s``).
"""

from __future__ import annotations

import textwrap
import time
from contextlib import contextmanager

import pytest

from emulator.core import Experiment, Model, ScriptRunConfig

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("studio-screenshots")
    print(f"studio screenshots: {folder}")
    return folder


@contextmanager
def offline_tab(browser, url: str):
    """A browser tab that may reach only ``url``; script errors and outside requests fail the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=url)
    outside, errors = [], []

    def only_the_studio(route):
        if route.request.url.startswith(url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_studio)
    tab = context.new_page()
    tab.on("pageerror", lambda error: errors.append(str(error)))
    # the page's strict CSP must refuse nothing the page itself does (Chart.js included)
    tab.on("console", lambda m: "Content Security Policy" in m.text and errors.append(m.text))
    yield tab
    context.close()
    assert outside == [], f"the page reached outside the studio: {outside}"
    assert errors == [], f"script errors on the page: {errors}"


@pytest.fixture
def page(browser, studio):
    with offline_tab(browser, studio.url) as tab:
        yield tab


def rendered(page, fragment: str) -> None:
    """Wait until the page has drawn the view of ``fragment`` (the page marks it on <body>)."""
    page.wait_for_function("f => document.body.dataset.rendered === f", arg=fragment)


def visit(page, fragment: str) -> None:
    page.goto(f"/{fragment}")
    rendered(page, fragment)


def chart_points(page, selector: str) -> int:
    page.wait_for_function(
        "s => { const c = document.querySelector(s); return c && Chart.getChart(c); }", arg=selector
    )
    return page.evaluate(
        "s => Chart.getChart(document.querySelector(s)).data.datasets[0].data.length", selector
    )


def test_runs_table_lists_every_run_and_a_click_opens_the_run(page, studio_workspace, screenshots):
    visit(page, "#/runs")
    rows = page.locator("#runs-table tbody tr")
    rows.nth(len(studio_workspace.all_run_ids) - 1).wait_for()
    listed = rows.evaluate_all("rows => rows.map(r => r.dataset.runId)")
    assert sorted(listed) == sorted(studio_workspace.all_run_ids)
    page.screenshot(path=screenshots / "runs.png", full_page=True)

    page.locator(f'#runs-table tr[data-run-id="{studio_workspace.image_run_id}"] a.run-link').click()
    rendered(page, f"#/runs/{studio_workspace.image_run_id}")
    assert page.locator("h1").inner_text().startswith("hand-made")
    assert page.locator("#scalar-metrics").inner_text().count("mae") == 1


def test_logged_images_load(page, studio_workspace, screenshots):
    for run_id, name in ((studio_workspace.image_run_id, "run"), (studio_workspace.automl_id, "automl")):
        visit(page, f"#/runs/{run_id}")
        images = page.locator("img.logged-image")
        images.first.wait_for()
        page.wait_for_function("() => [...document.images].every(i => i.complete)")
        widths = images.evaluate_all("images => images.map(i => i.naturalWidth)")
        assert widths and all(width > 0 for width in widths), widths
        page.screenshot(path=screenshots / f"{name}.png", full_page=True)


def test_metric_chart_has_one_point_per_trial_and_a_click_opens_that_trial(
    page, studio_workspace, screenshots
):
    visit(page, "#/runs?experiment=studio-sweep&metric=score")
    assert chart_points(page, "#metric-chart canvas") == len(studio_workspace.trial_ids)
    page.screenshot(path=screenshots / "metric-chart.png")
    # click the first point where the chart drew it
    x, y = page.evaluate(
        """() => {
            const canvas = document.querySelector('#metric-chart canvas');
            const point = Chart.getChart(canvas).getDatasetMeta(0).data[0];
            const box = canvas.getBoundingClientRect();
            return [box.left + point.x, box.top + point.y];
        }"""
    )
    page.mouse.click(x, y)
    page.wait_for_url("**/#/runs/HD_*")
    opened = page.evaluate("() => decodeURIComponent(location.hash.split('/')[2])")
    assert opened in studio_workspace.trial_ids
    rendered(page, f"#/runs/{opened}")
    assert opened in page.locator("main p.muted").first.inner_text()

    visit(page, f"#/runs/{studio_workspace.sweep_id}")
    assert chart_points(page, "#trial-chart canvas") == len(studio_workspace.trial_ids)
    assert chart_points(page, "#parallel-chart canvas") == 2  # one hyperparameter axis and the metric
    page.screenshot(path=screenshots / "sweep.png", full_page=True)


def test_compare_shows_both_runs_metrics(page, studio_workspace, screenshots):
    first, second = studio_workspace.trial_ids[:2]
    visit(page, "#/runs?experiment=studio-sweep")
    for run_id in (first, second):
        page.locator(f'#runs-table tr[data-run-id="{run_id}"] input.select-run').check()
    page.locator("#compare-button").click()
    score = page.locator('#compare-table tr.metric-row[data-metric="score"] td')
    score.first.wait_for()
    expected = [page.evaluate(f"() => fetch('api/runs/{r}').then(x => x.json())") for r in (first, second)]
    last_scores = [next(m for m in run["metrics"] if m["name"] == "score")["value"] for run in expected]
    assert score.all_inner_texts() == [f"{value:g}" for value in last_scores]
    assert page.locator("#compare-table a.run-link").all_inner_texts() == [
        r["display_name"] for r in expected
    ]
    assert chart_points(page, "#compare-curves canvas") == 3  # the first run's score over its 3 steps
    page.screenshot(path=screenshots / "compare.png", full_page=True)


def test_promote_registers_a_version(page, studio_workspace, screenshots):
    child = studio_workspace.automl_child_ids[0]
    visit(page, f"#/runs/{child}")
    page.locator("#promote-path").select_option("outputs/model.pkl")
    page.locator("#promote-name").fill("studio-promoted")
    page.locator("#promote-button").click()
    assert page.locator("#promoted-model").inner_text() == "studio-promoted:1"

    (model,) = Model.list(studio_workspace.workspace, name="studio-promoted")
    assert (model.version, model.run_id) == (1, child)
    page.locator("#promoted-model").click()
    page.locator('#models-table tr[data-model="studio-promoted:1"]').wait_for()
    assert child in page.locator('#models-table tr[data-model="studio-promoted:1"]').inner_text()
    page.screenshot(path=screenshots / "models.png", full_page=True)


LIVE_SCRIPT = textwrap.dedent(
    """
    import time
    from azureml.core import Run

    run = Run.get_context()
    for step in range(2400):
        run.log("progress", step, step=step)
        time.sleep(0.25)
    """
)


def test_a_live_run_refreshes_until_cancel_ends_it(
    browser, workspace, emulator_home, source_dir, serve_studio
):
    folder = source_dir("live.py", LIVE_SCRIPT)
    run = Experiment(workspace, "live").submit(ScriptRunConfig(str(folder), "live.py"))
    try:
        deadline = time.monotonic() + 60
        while len(run._get_metric_rows("progress")) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        studio = serve_studio(emulator_home, workspace.name)
        with offline_tab(browser, studio.url) as tab:
            visit(tab, f"#/runs/{run.id}")
            assert "live" in tab.locator("#live").inner_text()
            points = (
                "() => { const c = document.querySelector('#metric-cards canvas'); const chart = c && Chart.getChart(c);"
                " return chart ? chart.data.datasets[0].data.length : 0; }"
            )
            tab.wait_for_function(f"({points})() > 0")
            shown = tab.evaluate(points)
            # the page re-draws on its own while the run is live: the curve grows without a reload
            tab.wait_for_function(f"n => ({points})() > n", arg=shown, timeout=20_000)

            tab.once("dialog", lambda dialog: dialog.accept())
            tab.locator("#cancel-button").click()
            tab.wait_for_function(
                "() => document.querySelector('h1 .badge').textContent === 'Canceled'", timeout=30_000
            )
            assert tab.locator("#live").inner_text() == ""
            assert tab.locator("#cancel-button").count() == 0
    finally:
        if run.get_status() not in ("Completed", "Failed", "Canceled"):
            run.cancel()  # never leave the script running when an assertion failed
    assert run.get_status() == "Canceled"  # the run's own cancel: its process was terminated


def test_services_page_lists_services_without_keys(page, studio_workspace, screenshots):
    visit(page, "#/services")
    assert page.locator("#services-table").count() == 1
    assert "Keys are never shown" in page.locator("main").inner_text()
