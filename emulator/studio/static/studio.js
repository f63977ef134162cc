// The studio's page, part 3: the views and the router. It routes by the URL fragment and draws from the JSON API.
// Runs: #/runs?experiment=E · a run: #/runs/<id> · compare: #/compare?ids=a,b · #/models · #/services
"use strict";

// -- runs table and the metric across runs
async function runsView(params) {
  const experiment = params.get("experiment") || "";
  const query = experiment ? `?experiment=${encodeURIComponent(experiment)}` : "";
  const [summary, runs] = await Promise.all([api("api/workspace"), api(`api/runs${query}`)]);
  const view = [];
  const picker = h("select", { id: "experiment-select", onchange: (e) => (location.hash = e.target.value ? `#/runs?experiment=${encodeURIComponent(e.target.value)}` : "#/runs") },
    h("option", { value: "" }, `All experiments (${summary.experiments.reduce((n, e) => n + e.runs, 0)} runs)`),
    summary.experiments.map((e) => h("option", { value: e.name, selected: e.name === experiment }, `${e.name} (${e.runs})`)));
  const compare = h("button", { id: "compare-button", disabled: state.selected.size < 2, onclick: () => (location.hash = `#/compare?ids=${[...state.selected].map(encodeURIComponent).join(",")}`) }, `Compare selected (${state.selected.size})`);
  const children = h("label", {}, h("input", { type: "checkbox", id: "show-children", checked: state.showChildren, onchange: (e) => { state.showChildren = e.target.checked; render(); } }), " child runs");
  view.push(h("h1", {}, experiment || "All runs"), h("div", { class: "toolbar" }, picker, children, compare));

  const metric = params.get("metric") || (runs.find((r) => r.primary_metric) || {}).primary_metric?.name || "";
  const chartCard = h("div", { class: "card", id: "metric-card" }, h("h3", {}, "A metric across runs ", h("span", { class: "muted" }, "(click a point to open its run)")));
  view.push(chartCard);
  fillMetricCard(chartCard, experiment, metric, runs);

  const byParent = new Map();
  for (const run of runs) {
    const key = run.parent_id || "";
    if (!byParent.has(key)) byParent.set(key, []);
    byParent.get(key).push(run);
  }
  const known = new Set(runs.map((r) => r.run_id));
  const ordered = [];
  const walk = (run, depth) => {
    ordered.push([run, depth]);
    for (const child of byParent.get(run.run_id) || []) walk(child, depth + 1);
  };
  runs.filter((r) => !r.parent_id || !known.has(r.parent_id)).reverse().forEach((r) => walk(r, 0));
  const rows = ordered.filter(([, depth]) => state.showChildren || depth === 0).map(([run, depth]) =>
    h("tr", { class: depth ? "child" : "", dataset: { runId: run.run_id } },
      h("td", {}, h("input", { type: "checkbox", class: "select-run", checked: state.selected.has(run.run_id), onchange: (e) => { e.target.checked ? state.selected.add(run.run_id) : state.selected.delete(run.run_id); compare.disabled = state.selected.size < 2; compare.textContent = `Compare selected (${state.selected.size})`; } })),
      h("td", { class: "name", style: depth > 1 ? `padding-left:${depth * 1.8}rem` : null }, runLink(run.run_id, run.display_name)),
      h("td", {}, run.experiment), h("td", {}, run.type), h("td", {}, badge(run.status)),
      h("td", {}, when(run.start_time)), h("td", { class: "num" }, seconds(run.duration)),
      h("td", { class: "num" }, primary(run.primary_metric)), h("td", {}, tags(run.tags))));
  view.push(h("h2", {}, `Runs (${runs.length})`), table(["", "Run", "Experiment", "Type", "Status", "Started", "Duration", "Primary metric", "Tags"], rows, { id: "runs-table" }));
  state.live = runs.some((r) => r.live);
  return view;
}

async function fillMetricCard(card, experiment, metric, runs) {
  const scope = experiment ? `experiment=${encodeURIComponent(experiment)}&` : "";
  const names = metric ? null : await api(`api/metric-names?${scope}`);
  if (!metric) metric = names[0];
  if (!metric) return card.append(h("p", { class: "muted" }, "No run logged a numeric metric yet."));
  const select = h("select", { id: "metric-select", onchange: (e) => { const p = new URLSearchParams(); if (experiment) p.set("experiment", experiment); p.set("metric", e.target.value); location.hash = `#/runs?${p}`; } },
    (names || [metric]).map((n) => h("option", { value: n, selected: n === metric }, n)));
  // The other metrics' names are only needed once the picker is opened: a big workspace loads faster.
  const fill = async () => {
    select.removeEventListener("focus", fill);
    select.removeEventListener("mousedown", fill);
    const all = await api(`api/metric-names?${scope}`);
    select.replaceChildren(...all.map((n) => h("option", { value: n, selected: n === metric }, n)));
  };
  if (!names) { select.addEventListener("focus", fill); select.addEventListener("mousedown", fill); }
  card.querySelector("h3").after(select);
  // The runs table already holds each run's best primary metric; other metrics are asked for.
  const logged = runs.filter((r) => r.primary_metric && r.primary_metric.name === metric && r.primary_metric.own && r.primary_metric.value !== null);
  const points = logged.length
    ? logged.map((r) => ({ run_id: r.run_id, display_name: r.display_name, status: r.status, value: r.primary_metric.value }))
    : await api(`api/metric?${scope}name=${encodeURIComponent(metric)}`);
  card.append(chartBox("metric-chart", () => scatter(points, metric)));
}

// -- one run
async function runView(runId) {
  const run = await api(`api/runs/${encodeURIComponent(runId)}`);
  const view = [h("h1", {}, run.display_name, " ", badge(run.status)), h("p", { class: "muted" }, `${run.type} run ${run.run_id} in `, h("a", { href: `#/runs?experiment=${encodeURIComponent(run.experiment)}` }, run.experiment), run.parent_id ? [" · child of ", runLink(run.parent_id)] : [])];
  view.push(actions(run));
  view.push(h("div", { class: "grid" },
    h("div", { class: "card" }, h("h3", {}, "Summary"), kv([["Started", when(run.start_time)], ["Ended", when(run.end_time)], ["Duration", seconds(run.duration)], ["Primary metric", primary(run.primary_metric)], ["Hyperparameters", run.hyperparameters], ["Error", run.error]])),
    h("div", { class: "card" }, h("h3", {}, "Tags"), kv(Object.entries(run.tags))),
    h("div", { class: "card" }, h("h3", {}, "Properties"), kv(Object.entries(run.properties)))));
  if (run.sweep) view.push(...sweepPanel(run.sweep));
  if (run.automl) view.push(...automlPanel(run.automl));
  view.push(...metricsPanel(run.metrics));
  view.push(...filesPanel(run));
  if (run.children.length) view.push(h("h2", {}, `Child runs (${run.children.length})`), tree(run.children));
  view.push(h("details", {}, h("summary", {}, "Run details (definition, environment)"), h("pre", {}, JSON.stringify(run.details, null, 2))));
  state.live = run.live || run.children.some((c) => c.live);
  return view;
}

function modelCandidates(files) {
  const candidates = new Set();
  for (const { name } of files) {
    if (!name.startsWith("outputs/")) continue;
    candidates.add(name);
    const parts = name.split("/");
    for (let i = 2; i < parts.length; i++) candidates.add(parts.slice(0, i).join("/"));
  }
  const rank = (n) => (/model\.(onnx|pkl)$/.test(n) ? 0 : /\/model$/.test(n) ? 1 : 2);
  return [...candidates].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function actions(run) {
  const box = h("div", { class: "toolbar", id: "run-actions" });
  const message = h("span", { class: "message", id: "action-message" });
  if (run.live) {
    box.append(h("button", { class: "danger", id: "cancel-button", onclick: async () => {
      if (!confirm(`Cancel ${run.run_id} and its live child runs?`)) return;
      try { const r = await post(`api/runs/${encodeURIComponent(run.run_id)}/cancel`); message.textContent = `${r.run_id}: ${r.status}`; render(); }
      catch (e) { message.className = "message error"; message.textContent = e.message; }
    } }, "Cancel run"));
  }
  const candidates = modelCandidates(run.files);
  if (candidates.length) {
    const name = h("input", { id: "promote-name", value: `${run.experiment}-model`, size: 24, "aria-label": "model name" });
    const path = h("select", { id: "promote-path", "aria-label": "artifact to register" }, candidates.map((c) => h("option", { value: c }, c)));
    const form = h("form", { id: "promote-form", onsubmit: async (e) => {
      e.preventDefault();
      try {
        const model = await post(`api/runs/${encodeURIComponent(run.run_id)}/promote`, { model_name: name.value, model_path: path.value });
        message.className = "message"; message.replaceChildren("Registered ", h("a", { href: "#/models", id: "promoted-model" }, `${model.name}:${model.version}`));
      } catch (err) { message.className = "message error"; message.textContent = err.message; }
    } }, "Promote ", path, " as model ", name, " ", h("button", { class: "primary", type: "submit", id: "promote-button" }, "Promote"));
    box.append(form);
  }
  box.append(message);
  return box;
}

function tree(children) {
  return h("ul", { class: "tree", id: "child-tree" }, children.map((c) => h("li", {}, runLink(c.run_id, c.display_name), " ", badge(c.status), " ", h("span", { class: "muted" }, primary(c.primary_metric)), c.children.length ? tree(c.children) : null)));
}

function metricsPanel(metrics) {
  const out = [h("h2", {}, "Metrics")];
  const single = metrics.filter((m) => m.kind === "scalar" && m.points.length === 1);
  if (single.length) out.push(table(["Metric", "Value"], single.map((m) => h("tr", {}, h("td", {}, m.name), h("td", { class: "num" }, fmt(m.value)))), { id: "scalar-metrics" }));
  const charts = [];
  for (const m of metrics) {
    if (m.kind === "scalar" && m.points.length > 1) charts.push(card(m.name, chartBox(null, () => lineChart(m.name, [{ label: m.name, data: m.points, borderColor: PALETTE[0], pointRadius: 2 }]), true)));
    else if (m.kind === "list" && m.value.every((v) => typeof v === "number")) charts.push(card(`${m.name} (list)`, chartBox(null, () => lineChart(m.name, [{ label: m.name, data: m.value.map((v, i) => ({ step: i, value: v })), borderColor: PALETTE[1], pointRadius: 2 }], "index"), true)));
    else if (m.kind === "table") charts.push(card(`${m.name} (table)`, dataTable(m.value)));
    else if (m.kind === "image") charts.push(card(m.name, ...m.images.map((src) => h("img", { class: "logged-image", src, alt: m.name, loading: "eager" }))));
    else if (m.kind !== "scalar") charts.push(card(`${m.name} (${m.kind})`, h("pre", {}, JSON.stringify(m.value, null, 1).slice(0, 4000))));
  }
  if (charts.length) out.push(h("div", { class: "grid", id: "metric-cards" }, charts));
  if (!metrics.length) out.push(h("p", { class: "muted" }, "No metrics logged."));
  return out;
}

function filesPanel(run) {
  const out = [h("h2", {}, `Files (${run.files.length})`)];
  out.push(table(["File", "Size", ""], run.files.map((f) => h("tr", {}, h("td", {}, h("a", { href: f.url, target: "_blank" }, f.name)), h("td", { class: "num" }, `${fmt(f.size)} B`), h("td", {}, h("a", { href: `${f.url}?download=true` }, "download")))), { id: "files-table" }));
  const log = run.files.find((f) => f.name === "azureml-logs/70_driver_log.txt");
  if (log) {
    const pre = h("pre", { id: "driver-log" }, "…");
    fetch(log.url).then((r) => r.text()).then((text) => { pre.textContent = text.split("\n").slice(-300).join("\n"); });
    out.push(h("details", { open: true }, h("summary", {}, "Driver log (last 300 lines)"), pre));
  }
  return out;
}

// -- compare
async function compareView(params) {
  const ids = (params.get("ids") || "").split(",").filter(Boolean);
  const data = await api(`api/compare?${ids.map((i) => `ids=${encodeURIComponent(i)}`).join("&")}`);
  const runs = data.runs;
  const row = (label, cells, attrs) => h("tr", attrs || {}, h("th", {}, label), cells.map((c) => h("td", { class: "num" }, c)));
  const rows = [
    row("Run", runs.map((r) => runLink(r.run_id, r.display_name))),
    row("Experiment", runs.map((r) => r.experiment)), row("Type", runs.map((r) => r.type)), row("Status", runs.map((r) => badge(r.status))),
    row("Duration", runs.map((r) => seconds(r.duration))), row("Primary metric", runs.map((r) => primary(r.primary_metric))),
    row("Hyperparameters", runs.map((r) => fmt(r.hyperparameters))), row("Tags", runs.map((r) => h("span", {}, tags(r.tags)))),
    ...data.metric_names.map((n) => row(n, runs.map((r) => fmt(r.metrics[n])), { class: "metric-row", dataset: { metric: n } })),
  ];
  const images = [...new Set(runs.flatMap((r) => Object.keys(r.images)))];
  if (images.length) rows.push(...images.map((n) => row(n, runs.map((r) => h("span", {}, (r.images[n] || []).map((src) => h("img", { class: "logged-image", src, alt: n })))))));
  state.live = runs.some((r) => r.live);
  const curved = [...new Set(runs.flatMap((r) => Object.keys(r.curves)))];
  const curves = curved.map((n) => card(n, chartBox(null, () => lineChart(n, runs.filter((r) => r.curves[n]).map((r, i) => ({ label: r.display_name, data: r.curves[n], borderColor: PALETTE[i % PALETTE.length], pointRadius: 2 }))), true)));
  return [h("h1", {}, `Compare ${runs.length} runs`), table([], rows, { id: "compare-table" }), curves.length ? h("div", { class: "grid", id: "compare-curves" }, curves) : null];
}

// -- models and services
async function modelsView() {
  const models = await api("api/models");
  const rows = models.map((m) => h("tr", { dataset: { model: `${m.name}:${m.version}` } },
    h("td", {}, m.name), h("td", { class: "num" }, m.version), h("td", {}, m.champion ? h("span", { class: "champion", title: "champion" }, "★ champion") : ""),
    h("td", {}, m.framework || ""), h("td", {}, tags(m.tags)), h("td", {}, when(m.created)),
    h("td", {}, m.run_id ? [runLink(m.run_id), m.experiment ? h("span", { class: "muted" }, ` (${m.experiment})`) : null] : "–"),
    h("td", {}, Object.entries(m.datasets).map(([purpose, id]) => h("div", {}, `${purpose}: ${id}`))), h("td", {}, m.description || "")));
  return [h("h1", {}, `Models (${models.length} versions)`), table(["Name", "Version", "", "Framework", "Tags", "Registered", "From run", "Datasets", "Description"], rows, { id: "models-table" })];
}

async function servicesView() {
  const services = await api("api/services");
  const rows = services.map((s) => h("tr", {}, h("td", {}, s.name), h("td", {}, s.compute_type), h("td", {}, badge(s.state)),
    h("td", {}, h("code", {}, s.scoring_uri || "")), h("td", {}, s.swagger_uri ? h("a", { href: s.swagger_uri, target: "_blank" }, "swagger") : ""),
    h("td", {}, s.auth_enabled ? "key" : "none"), h("td", {}, s.models.join(", ")), h("td", {}, when(s.updated))));
  return [h("h1", {}, `Services (${services.length})`), h("p", { class: "muted" }, "Keys are never shown here: use Webservice.get_keys()."),
    table(["Name", "Type", "State", "Scoring URI", "", "Auth", "Models", "Updated"], rows, { id: "services-table" })];
}

// -- routing and live refresh
function route() {
  const [path, query] = (location.hash.slice(1) || "/runs").split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean);
  if (parts[0] === "runs" && parts[1]) return ["runs", () => runView(decodeURIComponent(parts[1]))];
  if (parts[0] === "compare") return ["runs", () => compareView(params)];
  if (parts[0] === "models") return ["models", modelsView];
  if (parts[0] === "services") return ["services", servicesView];
  return ["runs", () => runsView(params)];
}

async function render() {
  const [section, build] = route();
  document.querySelectorAll("[data-nav]").forEach((a) => a.classList.toggle("active", a.dataset.nav === section));
  const view = document.getElementById("view");
  let content;
  try {
    content = await build();
  } catch (error) {
    content = [h("p", { class: "message error", id: "error" }, error.message)];
  }
  state.charts.forEach((c) => c.destroy());
  state.charts = [];
  view.replaceChildren(...content);
  document.getElementById("live").textContent = state.live ? "● live: refreshing" : "";
  document.body.dataset.rendered = location.hash || "#/runs";
}

async function start() {
  try {
    const summary = await api("api/workspace");
    document.getElementById("workspace-name").textContent = `workspace ${summary.name}`;
    if (!HAS_CHARTS) {
      const banner = document.getElementById("banner");
      banner.hidden = false;
      banner.textContent = "The chart library is missing (static/vendor/chart.umd.min.js): run `make setup`. Tables work; charts are off.";
    }
  } catch (error) {
    document.getElementById("view").textContent = `The studio's API did not answer: ${error.message}`;
    return;
  }
  window.addEventListener("hashchange", render);
  await render();
  // While a shown run is live, re-draw every few seconds, unless the user is typing in a form.
  setInterval(() => {
    const typing = document.activeElement && ["INPUT", "SELECT"].includes(document.activeElement.tagName) && document.activeElement.type !== "checkbox";
    if (state.live && !document.hidden && !typing) render();
  }, 3000);
}

start();
