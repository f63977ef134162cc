"""The studio's JSON API over a real workspace, through the CLI-served app on loopback."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.slow  # the session's sweep and AutoML run take tens of seconds to make


@pytest.fixture(scope="module")
def client(studio, as_page):
    with httpx.Client(base_url=studio.url, timeout=30) as session:
        yield as_page(session)


def test_runs_lists_every_run_with_its_primary_metric(client, studio_workspace):
    runs = {r["run_id"]: r for r in client.get("/api/runs").json()}
    assert set(runs) == set(studio_workspace.all_run_ids)
    sweep = runs[studio_workspace.sweep_id]
    # the sweep's primary metric is its best trial's: quality 3 reaches 3 * 3 epochs
    assert sweep["primary_metric"] == {"name": "score", "goal": "maximize", "value": 9.0, "own": False}
    assert {runs[t]["primary_metric"]["value"] for t in studio_workspace.trial_ids} == {3.0, 6.0, 9.0}
    assert all(runs[t]["primary_metric"]["own"] for t in studio_workspace.trial_ids)  # logged, not derived
    assert runs[studio_workspace.image_run_id]["tags"] == {"owner": "studio-tests"}


def test_run_page_gathers_metrics_images_files_and_children(client, studio_workspace):
    run = client.get(f"/api/runs/{studio_workspace.image_run_id}").json()
    metrics = {m["name"]: m for m in run["metrics"]}
    assert [p["value"] for p in metrics["loss"]["points"]] == [1.0, 0.5, 1 / 3, 0.25, 0.2]
    assert metrics["errors"]["value"] == {"bucket": ["low", "high"], "count": [3, 5]}
    (image,) = metrics["residual_plot"]["images"]
    png = client.get("/" + image)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert "outputs/model.pkl" in [f["name"] for f in run["files"]]

    sweep = client.get(f"/api/runs/{studio_workspace.sweep_id}").json()
    assert sorted(c["run_id"] for c in sweep["children"]) == list(studio_workspace.trial_ids)
    trials = {t["run_id"]: t for t in sweep["sweep"]["trials"]}
    assert sorted(t["hyperparameters"]["--quality"] for t in trials.values()) == [1, 2, 3]
    assert all([p["step"] for p in t["curve"]] == [1, 2, 3] for t in trials.values())


def test_sweep_page_marks_where_the_policy_cut_a_trial(client, studio_workspace):
    sweep = client.get(f"/api/runs/{studio_workspace.bandit_id}").json()["sweep"]
    assert sweep["policy"]["name"] == "Bandit"
    trials = {t["hyperparameters"]["--quality"]: t for t in sweep["trials"]}
    weak, strong = trials[1], trials[4]
    assert weak["status"] == "Canceled" and weak["cut_at_interval"] >= 2
    assert len(weak["curve"]) < 8  # it stopped logging where it was cancelled
    assert strong["status"] == "Completed" and strong["cut_at_interval"] is None
    assert len(strong["curve"]) == 8


def test_automl_page_ranks_the_leaderboard_and_shows_the_explanation(client, studio_workspace):
    automl = client.get(f"/api/runs/{studio_workspace.automl_id}").json()["automl"]
    scores = [e["score"] for e in automl["leaderboard"] if e["score"] is not None]
    assert scores == sorted(scores)  # normalized MAE: smaller is better, best first
    assert automl["leaderboard"][0]["iteration"] == automl["best_iteration"]
    explanation = automl["explanation"]
    assert explanation["table"]["feature"] and explanation["images"]
    assert client.get("/" + explanation["images"][0]).status_code == 200


def test_metric_across_runs_has_one_point_per_run_that_logged_it(client, studio_workspace):
    points = client.get("/api/metric", params={"name": "score", "experiment": "studio-sweep"}).json()
    assert sorted(p["run_id"] for p in points) == list(studio_workspace.trial_ids)
    assert "score" in client.get("/api/metric-names", params={"experiment": "studio-sweep"}).json()


def test_compare_puts_both_runs_metrics_side_by_side(client, studio_workspace):
    first, second = studio_workspace.trial_ids[:2]
    compared = client.get("/api/compare", params={"ids": f"{first},{second}"}).json()
    assert [r["run_id"] for r in compared["runs"]] == [first, second]
    assert compared["metric_names"] == ["score"]
    assert {r["metrics"]["score"] for r in compared["runs"]} == {3.0, 6.0}  # the last of each curve
    assert sorted([p["value"] for p in r["curves"]["score"]] for r in compared["runs"]) == [
        [1, 2, 3],
        [2, 4, 6],
    ]


def test_unknown_runs_files_and_bad_requests_get_clear_4xx(client, studio_workspace):
    missing = client.get("/api/runs/no-such-run")
    assert missing.status_code == 404 and "no-such-run" in missing.json()["detail"]
    run_id = studio_workspace.image_run_id
    assert client.get(f"/api/runs/{run_id}/files/outputs/nothing.bin").status_code == 404
    assert client.get(f"/api/runs/{run_id}/files/../../emulator.db").status_code == 404
    assert client.get("/api/compare", params={"ids": run_id}).status_code == 400
    promote = client.post(
        f"/api/runs/{run_id}/promote", json={"model_name": "m", "model_path": "outputs/none"}
    )
    assert promote.status_code == 400 and "outputs/none" in promote.json()["detail"]
    assert client.post(f"/api/runs/{run_id}/cancel", json={}).status_code == 409


def test_writes_from_another_origin_are_refused(client, studio_workspace):
    response = client.post(
        f"/api/runs/{studio_workspace.image_run_id}/promote",
        json={"model_name": "evil", "model_path": "outputs/model.pkl"},
        headers={"Origin": "http://attacker.example"},
    )
    assert response.status_code == 403
    assert all(m["name"] != "evil" for m in client.get("/api/models").json())
