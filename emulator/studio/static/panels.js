// The studio's page, part 2: the panels of parent runs (a HyperDrive sweep, an AutoML experiment).
"use strict";

// -- a HyperDrive sweep: curves, parallel coordinates, trials
function sweepPanel(sweep) {
  const { name, goal } = sweep.primary_metric;
  const trials = sweep.trials;
  const out = [h("h2", {}, `HyperDrive: ${trials.length} trials, ${goal} ${name}`)];
  if (sweep.policy) out.push(h("p", { class: "muted" }, `Early termination: ${sweep.policy.name || "none"} ${JSON.stringify(sweep.policy.properties || {})}`));
  const curves = trials.map((t, i) => ({
    label: `${t.trial}${t.cut_at_interval ? " ✂" : ""}`, data: t.curve, borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length],
    pointRadius: t.curve.map((_, j) => (t.status === "Canceled" && j === t.curve.length - 1 ? 9 : 2)),
    pointStyle: t.curve.map((_, j) => (t.status === "Canceled" && j === t.curve.length - 1 ? "crossRot" : "circle")),
    borderDash: t.status === "Canceled" ? [5, 4] : [],
  }));
  const points = trials.filter((t) => t.best !== null).map((t) => ({ run_id: t.run_id, display_name: `trial ${t.trial}`, status: t.status, value: t.best }));
  out.push(h("div", { class: "grid" },
    card(`${name} per trial over steps (✕ where a cancelled trial stopped)`, chartBox("trial-curves", () => lineChart(name, curves))),
    card(`Best ${name} per trial (click to open)`, chartBox("trial-chart", () => scatter(points, name))),
    card("Hyperparameters against the primary metric (parallel coordinates)", chartBox("parallel-chart", () => parallel(trials, name, goal)))));
  const keys = [...new Set(trials.flatMap((t) => Object.keys(t.hyperparameters)))];
  out.push(table(["Trial", "Status", ...keys, `best ${name}`, "Cut by policy", "Duration"], trials.map((t) =>
    h("tr", { dataset: { runId: t.run_id }, class: t.run_id === sweep.best_child_run_id ? "best" : "" }, h("td", {}, runLink(t.run_id, t.trial), t.run_id === sweep.best_child_run_id ? " ★" : ""), h("td", {}, badge(t.status)),
      keys.map((k) => h("td", { class: "num" }, fmt(t.hyperparameters[k]))), h("td", { class: "num" }, fmt(t.best)),
      h("td", {}, t.cut_at_interval ? `at interval ${t.cut_at_interval}` : ""), h("td", { class: "num" }, seconds(t.duration)))), { id: "trials-table" }));
  return out;
}

function parallel(trials, metric, goal) {
  // Each axis scaled to [0, 1]; categorical values take evenly spaced positions in first-seen order.
  const keys = [...new Set(trials.flatMap((t) => Object.keys(t.hyperparameters)))];
  const axes = [...keys, metric];
  const value = (t, axis) => (axis === metric ? t.best : t.hyperparameters[axis]);
  const scale = {};
  const ticks = {}; // each axis's own scale: [position in 0..1, the value written there]
  for (const axis of axes) {
    const values = trials.map((t) => value(t, axis)).filter((v) => v !== null && v !== undefined);
    if (values.every((v) => typeof v === "number")) {
      const lo = Math.min(...values), hi = Math.max(...values);
      scale[axis] = (v) => (hi === lo ? 0.5 : (v - lo) / (hi - lo));
      ticks[axis] = hi === lo ? [[0.5, lo]] : [0, 0.5, 1].map((q) => [q, lo + q * (hi - lo)]);
    } else {
      const seen = [...new Set(values.map(String))];
      scale[axis] = (v) => (seen.length === 1 ? 0.5 : seen.indexOf(String(v)) / (seen.length - 1));
      ticks[axis] = seen.map((v) => [scale[axis](v), v]);
    }
  }
  const scores = trials.map((t) => t.best).filter((v) => v !== null);
  const lo = Math.min(...scores), hi = Math.max(...scores);
  const shade = (v) => { if (v === null) return "#8c959f"; let q = hi === lo ? 1 : (v - lo) / (hi - lo); if (goal === "minimize") q = 1 - q; return `hsl(${Math.round(q * 120)}, 70%, 40%)`; };
  return {
    type: "line",
    data: { labels: axes, datasets: trials.map((t) => ({ label: `trial ${t.trial}`, data: axes.map((a) => (value(t, a) === null || value(t, a) === undefined ? null : scale[a](value(t, a)))), raw: axes.map((a) => value(t, a)), borderColor: shade(t.best), pointRadius: 3, tension: 0 })) },
    plugins: [axisScales(axes, ticks)],
    options: { animation: false, maintainAspectRatio: false, layout: { padding: { left: 8, right: 48 } },
      scales: { x: { title: { display: true, text: `hyperparameter axes; ${metric} (the trial's best, in the metric's own unit) last` } },
        y: { min: -0.05, max: 1.05, title: { display: true, text: "each axis from its lowest (bottom) to its highest value (top)" }, ticks: { display: false }, grid: { display: false } } },
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${fmt(c.dataset.raw[c.dataIndex])}` } } } },
  };
}

// Draws each parallel-coordinates axis as a vertical line with its own values beside it: the chart's
// one y scale is only the position within each axis's range.
function axisScales(axes, ticks) {
  return {
    id: "axisScales",
    afterDatasetsDraw(chart) {
      const { ctx, scales: { x, y } } = chart;
      ctx.save();
      ctx.font = "11px sans-serif";
      ctx.fillStyle = "#57606a";
      ctx.strokeStyle = "#8c959f";
      axes.forEach((axis, i) => {
        const px = x.getPixelForValue(i);
        ctx.beginPath();
        ctx.moveTo(px, y.getPixelForValue(0));
        ctx.lineTo(px, y.getPixelForValue(1));
        ctx.stroke();
        for (const [q, v] of ticks[axis]) ctx.fillText(fmt(v), px + 4, y.getPixelForValue(q) + 4);
      });
      ctx.restore();
    },
  };
}

// -- an AutoML experiment: leaderboard and explanation
function automlPanel(automl) {
  const { name, goal } = automl.primary_metric;
  const out = [h("h2", {}, `AutoML leaderboard (${goal} ${name})`)];
  if (automl.stop_reason) out.push(h("p", { class: "muted" }, `Stopped: ${automl.stop_reason}`));
  out.push(table(["Iteration", "Algorithm", "Preprocessor", name, "Status", "Duration"], automl.leaderboard.map((e) =>
    h("tr", { dataset: { runId: e.run_id } }, h("td", {}, runLink(e.run_id, `${e.iteration}`), e.iteration === automl.best_iteration ? " ★" : ""), h("td", {}, e.algorithm), h("td", {}, e.preprocessor),
      h("td", { class: "num" }, fmt(e.score)), h("td", {}, badge(e.status)), h("td", { class: "num" }, seconds(e.duration)))), { id: "leaderboard" }));
  if (automl.explanation) {
    const ex = automl.explanation;
    out.push(h("h2", {}, "Explanation of the best model"), h("p", { class: "muted" }, "Permutation importance, from ", runLink(ex.run_id)),
      h("div", { class: "grid" }, ex.table ? card("feature importance", dataTable(ex.table)) : null, (ex.images || []).map((src) => card("feature importance plot", h("img", { class: "logged-image", src, alt: "feature importance" })))));
  }
  return out;
}
