// The studio's page, part 1: shared state, DOM and formatting helpers, and the chart builders.
// Loaded first; panels.js and studio.js use what it defines.
"use strict";

const state = { charts: [], live: false, selected: new Set(), showChildren: true };
const HAS_CHARTS = typeof Chart !== "undefined";
const PALETTE = ["#0969da", "#1a7f37", "#cf222e", "#8250df", "#bc4c00", "#0a3069", "#bf3989", "#4d2d00", "#116329", "#57606a"];

// -- small helpers
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "style") el.style.cssText = value; // through the CSSOM: the page's CSP refuses style attributes
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail ? JSON.stringify(body.detail).replace(/^"|"$/g, "") : response.statusText);
  return body;
}

// The page's write token: the server refuses Promote and Cancel without it.
const STUDIO_TOKEN = document.querySelector('meta[name="studio-token"]').content;
const post = (path, body) =>
  api(path, { method: "POST", headers: { "Content-Type": "application/json", "X-Studio-Token": STUDIO_TOKEN }, body: JSON.stringify(body || {}) });

function fmt(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isInteger(value)) return value.toLocaleString("en-US");
    return Math.abs(value) >= 1000 ? value.toLocaleString("en-US", { maximumFractionDigits: 2 }) : value.toPrecision(4);
  }
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// Runs and models give epoch seconds, services Azure's ISO 8601 text (updatedTime): both render in UTC,
// and a value that is neither is shown as it came rather than throwing "Invalid time value".
function when(t) {
  if (t === null || t === undefined || t === "") return "";
  const date = typeof t === "number" ? new Date(t * 1000) : new Date(t);
  return Number.isNaN(date.getTime()) ? String(t) : date.toISOString().replace("T", " ").slice(0, 19);
}

function seconds(s) {
  if (s === null || s === undefined) return "";
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

const badge = (status) => h("span", { class: `badge ${status}` }, status);
const runLink = (id, label) => h("a", { href: `#/runs/${encodeURIComponent(id)}`, class: "run-link" }, label || id);
const tags = (values) => Object.entries(values || {}).map(([k, v]) => h("span", { class: "tag" }, `${k}: ${fmt(v)}`));
const primary = (p) => (p && p.value !== null && p.value !== undefined ? `${p.name} = ${fmt(p.value)}` : p ? `${p.name}: –` : "");

function kv(entries) {
  return h("dl", { class: "kv" }, entries.filter(([, v]) => v !== null && v !== undefined && v !== "").flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v instanceof Node ? v : fmt(v))]));
}

function table(headers, rows, attrs) {
  return h("table", attrs || {}, h("thead", {}, h("tr", {}, headers.map((c) => h("th", {}, c)))), h("tbody", {}, rows));
}

function chartBox(id, build, small) {
  if (!HAS_CHARTS) return h("p", { class: "muted", id }, "Charts are off: the chart library is missing (run `make setup`).");
  const box = h("div", { class: `chart${small ? " small" : ""}`, id });
  const canvas = h("canvas");
  box.append(canvas);
  requestAnimationFrame(() => state.charts.push(new Chart(canvas, build())));
  return box;
}

function openRunOnClick(points) {
  return (event, elements) => {
    if (elements.length) location.hash = `#/runs/${encodeURIComponent(points[elements[0].index].run_id)}`;
  };
}

function scatter(points, label) {
  return {
    type: "scatter",
    data: { datasets: [{ label, data: points.map((p, i) => ({ x: i + 1, y: p.value })), pointRadius: 5, pointHoverRadius: 8, backgroundColor: points.map((p) => (p.status === "Canceled" ? "#bc4c00" : "#0969da")) }] },
    options: {
      animation: false, maintainAspectRatio: false, onClick: openRunOnClick(points),
      scales: { x: { title: { display: true, text: "run (creation order)" }, ticks: { precision: 0 } }, y: { title: { display: true, text: label } } },
      plugins: { tooltip: { callbacks: { label: (c) => `${points[c.dataIndex].display_name} (${points[c.dataIndex].status}): ${fmt(c.parsed.y)}` } } },
    },
  };
}

function lineChart(title, datasets, xLabel) {
  return {
    type: "line",
    data: { datasets },
    options: { animation: false, maintainAspectRatio: false, parsing: { xAxisKey: "step", yAxisKey: "value" },
      scales: { x: { type: "linear", title: { display: true, text: xLabel || "step" } }, y: { title: { display: true, text: title } } },
      plugins: { legend: { display: datasets.length > 1 && datasets.length <= 12 } } },
  };
}

const card = (title, ...body) => h("div", { class: "card" }, h("h3", {}, title), ...body);

function dataTable(columns) {
  const names = Object.keys(columns);
  const length = Math.max(0, ...names.map((n) => columns[n].length));
  const rows = [];
  for (let i = 0; i < Math.min(length, 200); i++) rows.push(h("tr", {}, names.map((n) => h("td", { class: "num" }, fmt(columns[n][i])))));
  return table(names, rows);
}
