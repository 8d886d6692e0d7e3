// The lab's page: controls from the scenario schema, runs polled from the server, plots with
// the plotly.js the server serves from the installed plotly package. Everything the page
// shows is computed by the server; this file only asks and draws.
"use strict";

const $ = (id) => document.getElementById(id);
const READINGS = ["structural", "interpretive", "bayesian"];
const COLORS = { structural: "#1f77b4", interpretive: "#d62728", bayesian: "#2ca02c" };
const client = sessionStorage.getItem("lab-client") || crypto.randomUUID().replaceAll("-", "");
sessionStorage.setItem("lab-client", client);

const lab = {
  source: null, // {bundled: name} or {yaml, filename}
  overrides: new Map(), // dotted.path -> value, as --set takes them
  scenario: null, // the server's view of the scenario as set
  run: null, // the comparison's job id
  result: null,
  replicate: null,
};

function text(tag, content, attrs = {}) {
  const el = document.createElement(tag);
  if (content !== undefined && content !== null) el.textContent = content;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

function fmt(x, digits = 2) {
  return x === null || x === undefined || Number.isNaN(x) ? "–" : Number(x).toFixed(digits);
}

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, init);
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (!response.ok && !(data && data.errors)) {
    const detail = data && data.detail ? JSON.stringify(data.detail) : response.statusText;
    data = { ok: false, errors: [{ file: "", field: "", value: "", problem: `${response.status}: ${detail}` }] };
  }
  return data;
}

function overrideList() {
  return [...lab.overrides].map(([path, value]) => `${path}=${value}`);
}

// --- errors --------------------------------------------------------------------------------

function showErrors(errors) {
  const box = $("errors");
  box.replaceChildren();
  if (!errors || !errors.length) { box.hidden = true; return; }
  box.append(text("strong", "The scenario was not run:"));
  const list = text("ul");
  for (const e of errors) {
    const item = text("li");
    if (e.file) item.append(text("code", e.file, { class: "file" }), ": ");
    if (e.field) item.append(text("code", e.field, { class: "field" }), ": ");
    if (e.value) item.append(text("code", e.value, { class: "value" }), ": ");
    item.append(e.problem);
    list.append(item);
  }
  box.append(list);
  box.hidden = false;
}

// --- the scenario and its controls ---------------------------------------------------------

async function loadScenario(rebuild) {
  const view = await api("/api/scenario", { source: lab.source, overrides: overrideList() });
  if (!view.ok) {
    showErrors(view.errors);
    $("run").disabled = true;
    if (rebuild) { lab.scenario = null; $("controls").replaceChildren(); }
    return false;
  }
  showErrors([]);
  lab.scenario = view;
  $("title").textContent = view.name;
  $("description").textContent = view.description;
  $("yaml").textContent = view.yaml;
  const link = $("download");
  if (link.dataset.url) URL.revokeObjectURL(link.dataset.url);
  link.dataset.url = URL.createObjectURL(new Blob([view.yaml], { type: "application/x-yaml" }));
  link.href = link.dataset.url;
  link.download = `${view.name}.yaml`;
  if (rebuild) { buildControls(view.controls); fillAuditForm(view); }
  $("run").disabled = lab.run !== null;
  return true;
}

function buildControls(controls) {
  const root = $("controls");
  root.replaceChildren();
  const groups = new Map();
  for (const c of controls) {
    if (!groups.has(c.group)) {
      const box = text("fieldset", null, { "data-group": c.group });
      box.append(text("legend", c.group === "world" ? "World" : `State ${c.group}`));
      const frame = text("details", null, { class: "frame" });
      frame.append(text("summary", "frame: sensitivity by domain"));
      groups.set(c.group, { box, frame });
      root.append(box);
    }
    const { box, frame } = groups.get(c.group);
    const row = c.kind === "choice" ? choiceControl(c) : numberControl(c);
    (c.label.startsWith("sensitivity") ? frame : box).append(row);
  }
  for (const { box, frame } of groups.values()) if (frame.childElementCount > 1) box.append(frame);
}

function numberControl(c) {
  const row = text("div", null, { class: "control" });
  const label = text("label", c.label.replace("sensitivity: ", ""), { for: `c-${c.path}` });
  const slider = text("input", null, {
    type: "range", id: `c-${c.path}`, "data-path": c.path,
    min: c.slider_low, max: c.slider_high, step: (c.slider_high - c.slider_low) / 100 || 0.01,
  });
  const box = text("input", null, {
    type: "number", "data-path": c.path, min: c.low, max: c.high, step: "any",
    "aria-label": `${c.group} ${c.label}`,
  });
  slider.value = c.value; box.value = Number(c.value.toPrecision(6));
  const set = (value, from) => {
    if (from === slider) box.value = value; else slider.value = value;
    lab.overrides.set(c.path, value);
    row.classList.add("changed");
    changed();
  };
  slider.addEventListener("input", () => { box.value = slider.value; });
  slider.addEventListener("change", () => set(slider.value, slider));
  box.addEventListener("change", () => set(box.value, box));
  row.append(label, slider, box);
  if (c.fixed) {
    slider.disabled = true; box.disabled = true;
    row.append(text("small", c.fixed));
  }
  if (c.drawn) row.append(text("small", `drawn from ${c.drawn}; setting it fixes it`));
  return row;
}

function choiceControl(c) {
  const row = text("div", null, { class: "control" });
  const select = text("select", null, { "data-path": c.path, id: `c-${c.path}` });
  for (const choice of c.choices) select.append(text("option", choice, { value: choice }));
  select.value = c.value;
  select.addEventListener("change", () => {
    lab.overrides.set(c.path, select.value);
    row.classList.add("changed");
    changed();
  });
  row.append(text("label", c.label, { for: `c-${c.path}` }), select);
  return row;
}

let pending = null;
function changed() {
  clearTimeout(pending);
  pending = setTimeout(() => loadScenario(false), 150);
}

async function chooseBundled(name) {
  lab.source = { bundled: name };
  lab.overrides.clear();
  $("upload").value = "";
  await loadScenario(true);
}

async function upload(file) {
  if (file.size > 2 * 1024 * 1024) {
    showErrors([{ file: file.name, field: "<file>", value: `${file.size} bytes`, problem: "larger than 2 MiB" }]);
    return;
  }
  lab.source = { yaml: await file.text(), filename: file.name };
  lab.overrides.clear();
  $("scenario").value = "";
  await loadScenario(true);
}

// --- runs ----------------------------------------------------------------------------------

async function start(kind, replicates, options, bar, status, cancel, done) {
  status.textContent = "starting…";
  bar.value = 0;
  const reply = await api("/api/runs", {
    client, kind, replicates, options, source: lab.source, overrides: overrideList(),
  });
  if (!reply.ok) { showErrors(reply.errors); status.textContent = "not run"; return null; }
  showErrors([]);
  const id = reply.id;
  cancel.disabled = false;
  cancel.onclick = () => api(`/api/runs/${id}/cancel?client=${client}`, {});
  status.textContent = "running…";
  const t0 = performance.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 120));
    const state = await api(`/api/runs/${id}?client=${client}`);
    bar.value = state.progress || 0;
    if (state.status === "done") {
      cancel.disabled = true;
      status.textContent = `done in ${((performance.now() - t0) / 1000).toFixed(2)} s`;
      status.dataset.seconds = ((performance.now() - t0) / 1000).toFixed(3);
      done(state.result, id);
      return id;
    }
    if (state.status === "failed" || state.status === "cancelled" || state.errors) {
      cancel.disabled = true;
      status.textContent = state.status === "cancelled" ? "cancelled" : `failed: ${state.error}`;
      return null;
    }
  }
}

async function runComparison() {
  if (!lab.scenario) return;
  const replicates = Number($("replicates").value);
  $("run").disabled = true;
  lab.run = "starting";
  await start("compare", replicates, {}, $("progress"), $("status"), $("cancel"), (result, id) => {
    lab.result = result; lab.runId = id;
    showResults(result);
  });
  lab.run = null;
  $("run").disabled = lab.scenario === null;
}

// --- the readings side by side ---------------------------------------------------------------

function showResults(result) {
  $("results").hidden = false;
  const table = $("readings");
  table.replaceChildren();
  const head = text("tr");
  head.append(text("th", "share of replicates"));
  for (const r of READINGS) head.append(text("th", r));
  table.append(head);
  for (const measure of Object.keys(result.readings.structural.rates)) {
    const row = text("tr");
    row.append(text("th", measure));
    for (const r of READINGS) {
      const x = result.readings[r].rates[measure];
      const cell = text("td", `${fmt(x.p)} [${fmt(x.low)}–${fmt(x.high)}]`,
        { "data-reading": r, "data-measure": measure, "data-value": x.p });
      row.append(cell);
    }
    table.append(row);
  }
  const record = $("record");
  record.replaceChildren();
  const facts = result.readings.structural.record;
  record.hidden = !facts.length;
  $("no-record").hidden = facts.length > 0;
  if (facts.length) {
    const head = text("tr");
    head.append(text("th", "fact (share of replicates that reproduce it)"));
    for (const r of READINGS) head.append(text("th", r));
    record.append(head);
  }
  facts.forEach((fact, f) => {
    const row = text("tr");
    row.append(text("th", fact.fact));
    for (const r of READINGS) {
      const x = result.readings[r].record[f];
      row.append(text("td", `${fmt(x.p)} [${fmt(x.low)}–${fmt(x.high)}]`, { "data-reading": r }));
    }
    record.append(row);
  });
  const pair = $("pair");
  const kept = pair.value;
  pair.replaceChildren(...result.pairs.map((p) => text("option", p, { value: p })));
  if (result.pairs.includes(kept)) pair.value = kept;
  drawTrajectories();
  const reading = $("rep-reading");
  if (!reading.options.length) reading.append(...READINGS.map((r) => text("option", r, { value: r })));
  $("rep-k").max = result.replicates - 1;
  if (Number($("rep-k").value) >= result.replicates) $("rep-k").value = 0;
  showReplicate();
}

// A dashed line where imported history ends and the model takes over (docs/events.md).
function historyShapes(view) {
  if (!view.history_until) return [];
  const x = view.x.points[view.history_until];
  return [{ type: "line", x0: x, x1: x, y0: 0, y1: 1, yref: "paper", line: { dash: "dash", color: "#666" } }];
}

function drawTrajectories() {
  const result = lab.result;
  if (!result) return;
  const pair = $("pair").value, variable = $("variable").value;
  const x = result.x.points;
  const traces = [];
  for (const r of READINGS) {
    const t = result.readings[r].trajectories;
    if (!t) continue;
    const s = t[variable][pair];
    traces.push({ x, y: s.q90, mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip", legendgroup: r });
    traces.push({ x, y: s.q10, mode: "lines", line: { width: 0 }, fill: "tonexty",
      fillcolor: COLORS[r] + "22", showlegend: false, hoverinfo: "skip", legendgroup: r });
    traces.push({ x, y: s.mean, mode: "lines", name: r, line: { color: COLORS[r], width: 2 }, legendgroup: r });
  }
  Plotly.react("trajectories", traces, {
    margin: { t: 30, r: 10, b: 40, l: 50 }, height: 320, shapes: historyShapes(result),
    title: { text: `${$("variable").selectedOptions[0].text}, ${pair}: mean and 10–90% of replicates`, font: { size: 13 } },
    xaxis: { title: { text: result.x.label } }, yaxis: { range: [0, 1] },
  }, { displaylogo: false, responsive: true });
}

// --- one replicate ---------------------------------------------------------------------------

async function showReplicate() {
  if (!lab.runId) return;
  const k = Number($("rep-k").value), reading = $("rep-reading").value || "structural";
  const response = await fetch(`/api/runs/${lab.runId}/replicate/${k}?client=${client}&reading=${reading}`);
  if (!response.ok) { $("rep-summary").textContent = "this replicate is no longer kept: run again"; return; }
  lab.replicate = await response.json();
  const step = $("rep-step");
  step.max = lab.replicate.steps;
  if (Number(step.value) > lab.replicate.steps) step.value = 0;
  const rep = lab.replicate;
  const motives = Object.entries(rep.greed).map(([s, g]) => `${s} ${fmt(g)}`).join(", ");
  $("rep-summary").textContent =
    `Replicate ${k} of ${rep.replicates} (${reading}): ${rep.war ? "war" : "no war"}, ` +
    `${rep.spiral ? "a spiral" : "no spiral"}; greed ${motives}.`;
  drawStep();
}

function drawStep() {
  const rep = lab.replicate;
  if (!rep) return;
  const t = Number($("rep-step").value);
  const x = rep.x.points;
  $("rep-when").textContent = `${rep.x.label} ${x[t]}`;
  const pairs = lab.result ? lab.result.pairs : Object.keys(rep.threat || {});
  const traces = (rep.threat ? pairs : []).map((p) => ({ x, y: rep.threat[p], mode: "lines", name: `threat ${p}` }));
  const shapes = [...historyShapes(rep),
    { type: "line", x0: x[t], x1: x[t], y0: 0, y1: 1, yref: "paper", line: { dash: "dot", color: "#555" } }];
  for (const w of rep.wars) {
    shapes.push({ type: "line", x0: x[w.step], x1: x[w.step], y0: 0, y1: 1, yref: "paper", line: { color: "#b00", width: 2 } });
  }
  Plotly.react("rep-plot", traces, {
    margin: { t: 30, r: 10, b: 40, l: 50 }, height: 280, shapes,
    title: { text: "perceived threat in this replicate (red: a war begins)", font: { size: 13 } },
    xaxis: { title: { text: rep.x.label } }, yaxis: { range: [0, 1] },
  }, { displaylogo: false, responsive: true });
  const now = $("rep-now");
  now.replaceChildren();
  const head = text("tr");
  head.append(text("th", `at ${rep.x.label} ${x[t]}`), text("th", "threat"), text("th", "belief greedy"),
    text("th", "this step's act read as", { title: "the observer's reading minus the actor's own rating; – where it saw no act" }));
  now.append(head);
  for (const p of pairs) {
    if (!rep.threat) break;
    const row = text("tr", null, { "data-pair": p });
    const reading = t < rep.steps ? rep.reading[p][t] : null;
    const read = reading === null ? "–" : `${reading >= 0 ? "+" : ""}${fmt(reading)}`;
    row.append(text("th", p), text("td", fmt(rep.threat[p][t])), text("td", fmt(rep.belief_greedy[p][t])),
      text("td", read, { class: "reading" }));
    now.append(row);
  }
  const list = $("rep-timeline");
  list.replaceChildren();
  const items = [
    ...rep.acts.map((a) => ({ step: a.step, when: a.when, kind: "act",
      words: `${a.actor}: ${a.action}${a.target ? ` → ${a.target}` : ""}${a.scheduled ? " (scheduled)" : ""}` })),
    ...rep.wars.map((w) => ({ step: w.step, when: w.when, kind: "war", words: `war: ${w.initiator} attacks ${w.target}` })),
  ].sort((a, b) => a.step - b.step || (a.kind === "war") - (b.kind === "war"));
  for (const item of items) {
    const cls = `${item.kind} ${item.step < t ? "past" : item.step === t ? "now" : "future"}`;
    list.append(text("li", `${item.when}: ${item.words}`, { class: cls, "data-step": item.step }));
  }
  if (!items.length) list.append(text("li", "no acts but waiting"));
  // Keep the step's acts in view (scrolling the list only, not the page).
  const current = list.querySelector("li.now") || list.querySelector("li.future");
  if (current) list.scrollTop = current.offsetTop - list.offsetTop - 40;
}

// --- the analyses ------------------------------------------------------------------------------

function fillAuditForm(view) {
  const form = $("tab-audit");
  const fill = (name, values, blank) => {
    const select = form.elements[name];
    select.replaceChildren(...(blank ? [text("option", "(none)", { value: "" })] : []),
      ...values.map((v) => text("option", v, { value: v })));
  };
  fill("actor", view.ids, false);
  fill("action", view.actions.filter((a) => a !== "wait"), false);
  fill("target", view.ids, true);
  form.elements.at.max = view.steps - 1;
  // A self-directed act has no target; an aimed one needs one (the server checks it too).
  const aimed = new Set(view.targeted);
  const retarget = () => {
    const target = form.elements.target;
    const needs = aimed.has(form.elements.action.value);
    target.disabled = !needs;
    if (!needs) target.value = "";
    else if (!target.value || target.value === form.elements.actor.value) {
      target.value = view.ids.find((id) => id !== form.elements.actor.value) || "";
    }
  };
  form.elements.action.onchange = retarget;
  form.elements.actor.onchange = retarget;
  retarget();
}

async function runAnalysis(form) {
  const kind = form.dataset.kind;
  const options = {};
  let replicates = 100;
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.name === "replicates") { replicates = Number(el.value); continue; }
    if (el.disabled) continue;
    if (el.type === "file") {
      const file = el.files[0];
      if (file) { options[el.name] = await file.text(); options[`${el.name}_name`] = file.name; }
      continue;
    }
    options[el.name] = el.value;
  }
  const out = $("analysis-result");
  out.replaceChildren();
  await start(kind, replicates, options, $("analysis-progress"), $("analysis-status"), $("analysis-cancel"),
    (result) => {
      // The report page's body, built by the server from the tool's numbers (report/*_page.py).
      out.innerHTML = result.html;
    });
}

// --- wiring ----------------------------------------------------------------------------------

async function init() {
  const list = await api("/api/scenarios");
  const select = $("scenario");
  select.append(text("option", "(uploaded file)", { value: "", disabled: "" }));
  const first = document.body.dataset.first || list.first;
  const names = list.bundled.includes(first) ? list.bundled : [first, ...list.bundled];
  for (const name of names) select.append(text("option", name, { value: name }));
  select.addEventListener("change", () => select.value && chooseBundled(select.value));
  $("upload").addEventListener("change", (e) => e.target.files[0] && upload(e.target.files[0]));
  $("reset").addEventListener("click", () => { lab.overrides.clear(); loadScenario(true); });
  $("run").addEventListener("click", runComparison);
  $("pair").addEventListener("change", drawTrajectories);
  $("variable").addEventListener("change", drawTrajectories);
  $("rep-reading").addEventListener("change", showReplicate);
  $("rep-k").addEventListener("change", showReplicate);
  $("rep-prev").addEventListener("click", () => { const k = $("rep-k"); k.value = Math.max(0, Number(k.value) - 1); showReplicate(); });
  $("rep-next").addEventListener("click", () => { const k = $("rep-k"); k.value = Math.min(Number(k.max), Number(k.value) + 1); showReplicate(); });
  $("rep-step").addEventListener("input", drawStep);
  for (const tab of document.querySelectorAll("[data-tab]")) {
    tab.addEventListener("click", () => {
      for (const other of document.querySelectorAll("[data-tab]")) other.setAttribute("aria-selected", other === tab);
      for (const form of document.querySelectorAll("form.tab")) form.hidden = form.dataset.kind !== tab.dataset.tab;
    });
  }
  for (const form of document.querySelectorAll("form.tab")) {
    form.addEventListener("submit", (e) => { e.preventDefault(); runAnalysis(form); });
  }
  // A closed tab's runs are cancelled (and the server cancels runs nobody polls).
  window.addEventListener("pagehide", () => navigator.sendBeacon(`/api/clients/${client}/close`));
  select.value = first;
  await chooseBundled(first);
  document.body.dataset.ready = "1";
}

init();
