// The sitematch workbench: a brief edited in a form or as TOML/JSON (checked by the
// server, every problem at its key), ranked by the server, re-ranked live as weights
// move (the server re-aggregates the ranking's criterion scores), a map and a table,
// fiches, two scenarios compared, exports. Everything is computed by the server's
// library; this script only shows it.
"use strict";

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids) if (kid !== null && kid !== undefined) e.append(kid);
  return e;
};

const state = {
  value: null, // the brief, as JSON
  problems: [], // [{key, message}]
  mode: "form", // form | toml | json
  base: null, // {id, key, weights, criteria}: the ranking the table re-weighs
  rows: [], // the table's rows as shown
  seq: 0, // the latest table request; older answers are dropped
  scenarioA: null,
};

// ---- the server -------------------------------------------------------------

// A server with tokens: the token entered in the page, kept for this tab only, sent
// with every request (the page and its files are the only routes that need none).
const token = () => sessionStorage.getItem("sitematch.token") || "";
window.sitematchToken = token;
const auth = () => (token() ? { Authorization: `Bearer ${token()}` } : {});

function askToken() {
  const box = $("#tokenbox");
  box.hidden = false;
  $("#token").focus();
}

async function call(path, opts) {
  opts = opts || {};
  const r = await fetch(path, { ...opts, headers: { ...(opts.headers || {}), ...auth() } });
  if (r.status === 401) {
    askToken();
    throw new Error(token() ? "this token is not one of the server's: enter another" : "this server needs a token: enter it above");
  }
  const media = r.headers.get("Content-Type") || "";
  const body = media.includes("json") ? await r.json() : await r.text();
  if (!r.ok) {
    const err = new Error((body && body.detail) || `${r.status} ${path}`);
    err.problems = (body && body.problems) || [];
    throw err;
  }
  return { body, response: r };
}

const setStatus = (text, bad) => {
  const s = $("#status");
  s.textContent = text;
  s.classList.toggle("bad", !!bad);
};

// ---- the brief --------------------------------------------------------------

// A key path as the library writes it: criterion[2].zero_km, filter.where.statut.
const keyOf = (path) =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : i ? `.${p}` : p)).join("");

const getAt = (obj, path) => path.reduce((o, p) => (o == null ? o : o[p]), obj);
function setAt(obj, path, v) {
  const last = path[path.length - 1];
  const parent = getAt(obj, path.slice(0, -1));
  if (v === undefined) delete parent[last];
  else parent[last] = v;
}

// A value as text with its keys in name order: the server gives a brief's keys in
// the order a person writes them, which must not make it another brief.
const canon = (v) =>
  Array.isArray(v) ? `[${v.map(canon).join(",")}]`
  : v && typeof v === "object" ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(",")}}`
  : JSON.stringify(v);

// The brief without its weights: two briefs alike but for them re-weigh each other.
function withoutWeights(value) {
  const copy = JSON.parse(JSON.stringify(value || {}));
  for (const c of copy.criterion || []) delete c.weight;
  return canon(copy);
}
const weightsOf = (value) => ((value && value.criterion) || []).map((c) => (typeof c.weight === "number" ? c.weight : 1));

// Sends the brief to the server: it answers with the brief both ways and every
// problem. `text` is TOML or JSON text (from the text area, a file, an example), else
// the form's value is sent.
async function check(text, media) {
  const body = text !== undefined ? text : JSON.stringify(state.value);
  const { body: answer } = await call("/workbench/brief", {
    method: "POST",
    headers: { "Content-Type": media || "application/json" },
    body,
  });
  return answer;
}

function showProblems() {
  const list = $("#problems");
  list.replaceChildren();
  for (const f of document.querySelectorAll("#form .problem")) f.remove();
  for (const f of document.querySelectorAll("#form .bad")) f.classList.remove("bad");
  for (const p of state.problems) {
    // The field of this key, or of the longest key it lies under.
    let field = null;
    for (const f of document.querySelectorAll("#form [data-key]")) {
      const k = f.dataset.key;
      if (p.key === k || p.key.startsWith(k + ".") || p.key.startsWith(k + "[")) {
        if (!field || k.length > field.dataset.key.length) field = f;
      }
    }
    if (field && state.mode === "form") {
      field.classList.add("bad");
      field.closest(".field").append(el("div", { class: "problem", "data-key": p.key, text: `${p.key}: ${p.message}` }));
    } else {
      list.append(el("li", { "data-key": p.key, text: `${p.key}: ${p.message}` }));
    }
  }
}

// The answer of the server for a brief: kept, the form drawn again (unless the change
// came from it), the text area refreshed (unless the change came from it).
function took(answer, from) {
  state.problems = answer.problems || [];
  if (answer.value !== null && answer.value !== undefined) {
    // The form's own value stays: an answer to a change of it may come after the
    // next change (a slider moved again), and must not undo it.
    if (from !== "form") state.value = answer.value;
    if (from !== "form") drawForm();
    if (from !== "text") {
      const t = state.mode === "json" ? answer.json : answer.toml;
      if (typeof t === "string") $("#text").value = t;
    }
  }
  showProblems();
  return answer.ok;
}

async function load(text, media) {
  try {
    const answer = await check(text, media);
    took(answer, "file");
    if (answer.value) $("#text").value = state.mode === "json" ? answer.json : (media.includes("toml") ? text : answer.toml);
    await changed();
  } catch (e) {
    setStatus(e.message, true);
  }
}

// ---- the form ---------------------------------------------------------------

const TEMPLATES = {
  distance: { type: "distance", layer: "motorway", ideal_km: 5, zero_km: 30, weight: 1 },
  access: { type: "access", layer: "training", radius_km: 30, saturation: 10, weight: 1 },
  competition: { type: "competition", layer: "communes", field: "active", jobs_field: "jobs_2018", radius_km: 30, decay: "linear", measure: "expected-workers", jobs: 300, saturation: 600, weight: 1 },
  attribute: { type: "attribute", field: "area_ha", ideal: 50, zero: 0, weight: 1 },
  category: { type: "category", field: "zoning", scores: { U: 1.0, AU: 0.8 }, default: 0.4, weight: 1 },
  land: { type: "land", need_ha: 20, weight: 1 },
  zone: { type: "zone", layer: "territoires_industrie", weight: 1 },
};

// The menus' choices, from the server (/workbench/vocabulary).
let vocabulary = { types: [], layers: [], networks: [] };
function menu(path) {
  const last = path[path.length - 1];
  if (path[0] !== "criterion" || path.length !== 3) return null;
  if (last === "type" && vocabulary.types.length) return [...vocabulary.types];
  if (last === "layer" && vocabulary.layers.length) return vocabulary.layers.map((l) => l.name);
  if (last === "network" && vocabulary.networks.length) return [...vocabulary.networks];
  return null;
}

const isScalar = (v) => v === null || ["string", "number", "boolean"].includes(typeof v);

// One input for the value at `path`, of the kind its value has.
function field(path, label) {
  let v = getAt(state.value, path);
  const key = keyOf(path);
  // A key the brief leaves out (its default applies): an empty number field.
  const absent = v === undefined;
  if (absent) v = 0;
  const wrap = el("div", { class: "field" });
  const name = el("label", { text: label || path[path.length - 1] });
  let input;
  const put = (x) => formChanged(path, x, false);
  if (typeof v === "boolean") {
    input = el("input", { type: "checkbox", "data-key": key });
    input.checked = v;
    input.addEventListener("change", () => put(input.checked));
  } else if (typeof v === "string" && menu(path)) {
    // A criterion's type, a layer, a road network: one of the data set's.
    const options = menu(path);
    if (!options.includes(v)) options.unshift(v);
    input = el("select", { "data-key": key }, ...options.map((o) => el("option", { value: o, text: o })));
    input.value = v;
    input.addEventListener("change", () => put(input.value));
  } else if (typeof v === "number" || typeof v === "string") {
    input = el("input", { type: "text", "data-key": key, value: absent ? "" : String(v), placeholder: absent ? "default" : undefined, inputmode: typeof v === "number" ? "decimal" : undefined });
    input.addEventListener("change", () => {
      const t = input.value.trim();
      if (absent && t === "") return;
      // A number stays a number when it reads as one; else the text goes to the
      // server as typed, which says what is wrong at the key.
      put(typeof v === "number" && t !== "" && Number.isFinite(Number(t)) ? Number(t) : t);
    });
  } else if (Array.isArray(v) && v.every(isScalar)) {
    const numbers = v.length > 0 && v.every((x) => typeof x === "number");
    input = el("input", { type: "text", "data-key": key, value: v.join(", "), title: "values separated by commas" });
    input.addEventListener("change", () => {
      const parts = input.value.split(",").map((s) => s.trim()).filter((s) => s !== "");
      put(parts.map((s) => (numbers && Number.isFinite(Number(s)) ? Number(s) : s)));
    });
  } else {
    input = el("textarea", { "data-key": key, rows: 2, title: "JSON" });
    input.value = JSON.stringify(v);
    input.addEventListener("change", () => {
      try {
        put(JSON.parse(input.value));
      } catch (e) {
        state.problems = [{ key, message: `not JSON: ${e.message}` }];
        showProblems();
      }
    });
  }
  wrap.append(name, input);
  return wrap;
}

function weightField(i) {
  const c = state.value.criterion[i];
  const w = typeof c.weight === "number" ? c.weight : 1;
  const key = keyOf(["criterion", i, "weight"]);
  const out = el("output", { text: String(w) });
  const slider = el("input", { type: "range", min: 0, max: 10, step: 0.1, value: w, "data-key": key, "data-criterion": c.name || String(i), class: "weight" });
  slider.addEventListener("input", () => {
    out.textContent = slider.value;
    formChanged(["criterion", i, "weight"], Number(slider.value), true);
  });
  return el("div", { class: "field weight" }, el("label", { text: "weight" }), slider, out);
}

function drawForm() {
  const form = $("#form");
  form.replaceChildren();
  const v = state.value || {};
  // The brief's own keys, then each table, then the criteria.
  const head = el("fieldset", {}, el("legend", { text: "Brief" }));
  for (const k of Object.keys(v)) if (isScalar(v[k]) || (Array.isArray(v[k]) && v[k].every(isScalar))) head.append(field([k]));
  // The shortlist's size, even when the brief leaves it to its default.
  if (v.top === undefined) head.append(field(["top"]));
  form.append(head);
  for (const k of Object.keys(v)) {
    if (k === "criterion" || isScalar(v[k]) || Array.isArray(v[k])) continue;
    const set = el("fieldset", {}, el("legend", { text: k === "filter" ? "Filters" : k }));
    if (v[k] && typeof v[k] === "object") for (const sub of Object.keys(v[k])) set.append(field([k, sub]));
    form.append(set);
  }
  const crit = el("fieldset", { id: "criteria" }, el("legend", { text: "Criteria" }));
  if (v.ahp) crit.append(el("p", { class: "note", text: "The weights come from the AHP matrix ([ahp]); the sliders re-weigh from there." }));
  (v.criterion || []).forEach((c, i) => {
    const card = el("div", { class: "criterion", "data-key": keyOf(["criterion", i]) },
      el("h3", { text: `${c.name || "criterion " + i} · ${c.type || "?"}` }));
    card.append(weightField(i));
    for (const k of Object.keys(c)) if (k !== "weight") card.append(field(["criterion", i, k]));
    card.append(el("button", { type: "button", class: "remove", text: "Remove", onclick: () => {
      state.value.criterion.splice(i, 1);
      drawForm();
      formChanged(null, undefined, false);
    } }));
    crit.append(card);
  });
  const pick = el("select", {}, el("option", { value: "", text: "Add a criterion…" }),
    ...Object.keys(TEMPLATES).map((t) => el("option", { value: t, text: t })));
  pick.addEventListener("change", () => {
    if (!pick.value) return;
    const list = (state.value.criterion = state.value.criterion || []);
    list.push({ name: `${pick.value}_${list.length + 1}`, ...TEMPLATES[pick.value] });
    drawForm();
    formChanged(null, undefined, false);
  });
  crit.append(pick);
  form.append(crit);
}

let textTimer = null;
// A field changed: the value updated, the server asked (the text area, the
// problems), and the ranking re-weighed at once or ranked again.
async function formChanged(path, v, isWeight) {
  if (path) setAt(state.value, path, v);
  if (isWeight && state.base && withoutWeights(state.value) === state.base.key) {
    drawTable(performance.now());
  } else {
    schedule();
  }
  clearTimeout(textTimer);
  textTimer = setTimeout(async () => {
    try {
      took(await check(), "form");
    } catch (e) {
      setStatus(e.message, true);
    }
  }, isWeight ? 300 : 0);
}

// ---- ranking ----------------------------------------------------------------

let rankTimer = null;
function schedule() {
  clearTimeout(rankTimer);
  setStatus("changed: ranking again shortly…");
  rankTimer = setTimeout(changed, 700);
}

// The brief changed (not only its weights): ranked again once it has no problem.
async function changed() {
  clearTimeout(rankTimer);
  const answer = await check().catch((e) => ({ ok: false, problems: [{ key: "brief", message: e.message }] }));
  state.problems = answer.problems || [];
  showProblems();
  if (!answer.ok) {
    setStatus(`${state.problems.length} problem(s) to fix before ranking`, true);
    return;
  }
  await rank();
}

// Ranks the brief as it stands (the server keeps the ranking); its id.
async function rankNow(value) {
  const { response } = await call("/rank", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/geo+json" },
    body: JSON.stringify(value),
  });
  const loc = response.headers.get("Location") || "";
  return loc.slice(loc.lastIndexOf("/") + 1);
}

async function rank() {
  setStatus("ranking…");
  const started = performance.now();
  try {
    const id = await rankNow(state.value);
    state.base = { id, key: withoutWeights(state.value), weights: weightsOf(state.value) };
    await drawTable(null, true);
    setStatus(`ranked in ${Math.round(performance.now() - started)} ms`);
    document.body.dataset.ranking = id;
  } catch (e) {
    state.problems = e.problems || [];
    showProblems();
    setStatus(e.message, true);
  }
}

// The ranking that the brief as it stands makes (its weights too): the table's one
// when the weights are the brief's, else ranked now. Fiches and exports use it.
async function currentRanking() {
  const w = weightsOf(state.value);
  if (state.base && withoutWeights(state.value) === state.base.key && JSON.stringify(w) === JSON.stringify(state.base.weights)) {
    return state.base.id;
  }
  return rankNow(state.value);
}

const fmt = (x, d) => (x === null || x === undefined ? "" : Number(x).toFixed(d));

function color(score) {
  // Low scores pale yellow, high ones dark blue.
  const stops = [[255, 237, 160], [65, 182, 196], [37, 52, 148]];
  const t = Math.max(0, Math.min(1, score / 100)) * 2;
  const i = Math.min(1, Math.floor(t));
  const f = t - i;
  const c = stops[i].map((a, k) => Math.round(a + (stops[i + 1][k] - a) * f));
  return `rgb(${c.join(",")})`;
}

// Asks the server for the table under the form's weights and draws it. `t0` is when
// a slider moved: the time to the table drawn is kept in the page.
async function drawTable(t0, fit) {
  if (!state.base) return;
  const seq = ++state.seq;
  const w = weightsOf(state.value);
  const same = JSON.stringify(w) === JSON.stringify(state.base.weights);
  // The ranking's own top (the brief's): a new top ranks again.
  const q = new URLSearchParams({ ranking: state.base.id });
  if (!same) q.set("weights", w.join(","));
  let table;
  try {
    table = (await call(`/workbench/table?${q}`)).body;
  } catch (e) {
    setStatus(e.message, true);
    return;
  }
  if (seq !== state.seq) return; // a newer request is on its way
  state.rows = table.sites;
  const thead = $("#table thead");
  const tbody = $("#table tbody");
  const crit = table.criteria.map((c) => c.name);
  thead.replaceChildren(el("tr", {},
    el("th", { text: "#" }), el("th", { text: "site" }), el("th", { text: "commune (INSEE)" }), el("th", { text: "ha" }),
    el("th", { text: "score" }), ...crit.map((c) => el("th", { class: "crit", text: c })),
    el("th", { text: table.robustness ? "in top (brief's weights)" : "robustness" }), el("th", { text: "Pareto" })));
  tbody.replaceChildren(...table.sites.map((s) => {
    const row = el("tr", { "data-id": s.id, "data-score": s.score, tabindex: 0, title: "open the fiche" },
      el("td", { text: String(s.rank) }),
      el("td", { class: "site", title: s.label || s.id }, el("span", { text: s.label || s.id }), el("small", { text: s.label ? s.id : "" })),
      el("td", { text: s.commune || "" }),
      el("td", { text: fmt(s.area_ha, 1) }),
      el("td", { class: "score", text: fmt(s.score, 1) }),
      ...s.scores.map((x) => el("td", { class: "crit", text: fmt(x, 2) })),
      el("td", { text: s.p_top === null ? "" : `${Math.round(100 * s.p_top)}%` }),
      el("td", { text: s.pareto ? "✓ front" : s.dominated_by ? `below ${s.dominated_by}` : "" }));
    row.addEventListener("click", () => openFiche(s.id));
    row.addEventListener("keydown", (e) => e.key === "Enter" && openFiche(s.id));
    return row;
  }));
  void tbody.offsetHeight; // laid out: the table is drawn
  drawMarkers(table.sites, fit);
  const summary = `${table.brief}: ${table.ranked} sites ranked of ${table.considered ?? "?"} considered; the first ${table.sites.length} shown` +
    (same ? "" : " under the sliders' weights (robustness and Pareto as ranked at the brief's weights)") +
    (table.warnings.length ? ` · ${table.warnings.length} warning(s): ${table.warnings.map((w) => w.message).join(" / ")}` : "");
  $("#summary").textContent = summary;
  if (t0 !== null && t0 !== undefined) {
    const ms = performance.now() - t0;
    document.body.dataset.reweighMs = ms.toFixed(2);
    document.body.dataset.reweighs = String(Number(document.body.dataset.reweighs || 0) + 1);
    setStatus(`re-weighed ${table.ranked} sites: table drawn in ${ms.toFixed(1)} ms (server ${(table.server_micros / 1000).toFixed(2)} ms)`);
  }
  document.body.dataset.weights = w.join(",");
  document.body.dataset.tableSeq = String(seq);
}

// ---- the map ----------------------------------------------------------------

const map = L.map("map", { preferCanvas: false, zoomSnap: 0.25 }).setView([46.6, 2.4], 5.5);
const markers = L.layerGroup().addTo(map);
let tiles = null;
function outlines() {
  call("/collections/departements/items?limit=200&f=json")
    .then(({ body }) => L.geoJSON(body, { interactive: false, style: { color: "#999", weight: 0.7, fill: false } }).addTo(map))
    .catch(() => {});
}

function drawMarkers(sites, fit) {
  markers.clearLayers();
  const pts = [];
  for (const s of [...sites].reverse()) {
    const m = L.circleMarker([s.lat, s.lon], { radius: 7, color: "#333", weight: 1, fillColor: color(s.score), fillOpacity: 0.9 });
    m.bindTooltip(`${s.rank}. ${s.label || s.id} (${fmt(s.score, 1)})`);
    m.on("click", () => openFiche(s.id));
    markers.addLayer(m);
    pts.push([s.lat, s.lon]);
  }
  if (fit && pts.length) map.fitBounds(pts, { padding: [30, 30], maxZoom: 11 });
}

function setTiles(url) {
  if (tiles) map.removeLayer(tiles);
  tiles = null;
  if (url) tiles = L.tileLayer(url, { maxZoom: 18, attribution: "basemap: " + new URL(url.replace(/[{}]/g, "")).host }).addTo(map);
  localStorage.setItem("sitematch.tiles", url || "");
}
$("#tiles").value = localStorage.getItem("sitematch.tiles") || "";
if ($("#tiles").value) setTiles($("#tiles").value);
$("#tiles-set").addEventListener("click", () => {
  try {
    setTiles($("#tiles").value.trim());
  } catch (e) {
    setStatus(`basemap: ${e.message}`, true);
  }
});

// ---- fiches, scenarios, exports ---------------------------------------------

async function openFiche(site) {
  try {
    const id = await currentRanking();
    const url = `/workbench/fiche?${new URLSearchParams({ ranking: id, site })}`;
    document.body.dataset.fiche = url;
    if (!token()) {
      window.open(url, "_blank");
      return;
    }
    // With a token, the fiche is fetched with it and written into the new tab (a tab
    // opened on a URL would send none); its script asks this page for the token.
    const tab = window.open("", "_blank");
    const { body } = await call(url);
    tab.document.open();
    tab.document.write(body);
    tab.document.close();
  } catch (e) {
    setStatus(e.message, true);
  }
}

$("#keep").addEventListener("click", () => {
  state.scenarioA = JSON.parse(JSON.stringify(state.value));
  $("#scenario-a").textContent = `A: ${state.value.name || "brief"} (weights ${weightsOf(state.value).join(", ")})`;
  $("#compare").disabled = false;
});

$("#compare").addEventListener("click", async () => {
  const out = $("#comparison");
  out.textContent = "comparing…";
  try {
    const top = Number($("#compare-top").value) || 10;
    const { body } = await call("/workbench/compare", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ a: state.scenarioA, b: state.value, top }),
    });
    const c = body.comparison;
    out.replaceChildren(
      el("p", { text: `Top ${c.top}: ${c.entered.length} entered, ${c.left.length} left; ${c.common} sites ranked in both, Spearman's correlation ${c.spearman === null ? "n/a" : c.spearman.toFixed(3)}.` }),
      el("p", { text: `A: ${body.flip_a || "no single weight change swaps its first two"}. This brief: ${body.flip_b || "no single weight change swaps its first two"}.` }),
      el("table", { class: "shifts" },
        el("thead", {}, el("tr", {}, ...["site", "rank A", "rank now", "places gained", "score A", "score now"].map((t) => el("th", { text: t })))),
        el("tbody", {}, ...c.sites.map((s) => el("tr", { "data-id": s.site_id, class: c.entered.includes(s.site_id) ? "entered" : c.left.includes(s.site_id) ? "left" : "" },
          el("td", { text: s.label || s.site_id }),
          el("td", { text: s.rank_a ?? "–" }),
          el("td", { text: s.rank_b ?? "–" }),
          el("td", { text: s.rank_a && s.rank_b ? String(s.rank_a - s.rank_b) : c.entered.includes(s.site_id) ? "entered" : "left" }),
          el("td", { text: fmt(s.score_a, 1) }),
          el("td", { text: fmt(s.score_b, 1) }))))));
  } catch (e) {
    out.textContent = e.message;
  }
});

const slug = () => (state.value.name || "brief").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "") || "brief";

function download(name, text, media) {
  const a = el("a", { href: URL.createObjectURL(new Blob([text], { type: media })), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

for (const b of document.querySelectorAll("[data-export]")) {
  b.addEventListener("click", async () => {
    try {
      const id = await currentRanking();
      const url = `/workbench/export?${new URLSearchParams({ ranking: id, f: b.dataset.export })}`;
      if (!token()) {
        const a = el("a", { href: url, download: "" });
        document.body.append(a);
        a.click();
        a.remove();
        return;
      }
      // With a token: fetched with it, then saved from memory.
      const r = await fetch(url, { headers: auth() });
      if (!r.ok) throw new Error(`export: ${r.status}`);
      const name = (/filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "") || [])[1] || `ranking.${b.dataset.export}`;
      const a = el("a", { href: URL.createObjectURL(await r.blob()), download: name });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (e) {
      setStatus(e.message, true);
    }
  });
}
for (const b of document.querySelectorAll("[data-brief]")) {
  b.addEventListener("click", async () => {
    const answer = await check();
    if (b.dataset.brief === "toml") download(`${slug()}.toml`, answer.toml || "", "application/toml");
    else download(`${slug()}.json`, answer.json, "application/json");
  });
}

// ---- the editor's tabs and text ----------------------------------------------

for (const b of document.querySelectorAll(".tabs button")) {
  b.addEventListener("click", async () => {
    for (const o of document.querySelectorAll(".tabs button")) o.classList.toggle("on", o === b);
    state.mode = b.dataset.tab;
    $("#form").hidden = state.mode !== "form";
    $("#text").hidden = state.mode === "form";
    if (state.mode !== "form" && state.value) {
      const answer = await check();
      $("#text").value = state.mode === "json" ? answer.json : answer.toml || "";
    }
    showProblems();
  });
}

let typing = null;
$("#text").addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(async () => {
    const media = state.mode === "json" ? "application/json" : "application/toml";
    try {
      const answer = await check($("#text").value, media);
      const before = state.value && canon(state.value);
      took(answer, "text");
      if (answer.value && canon(answer.value) !== before) {
        if (state.base && withoutWeights(answer.value) === state.base.key) drawTable(performance.now());
        else schedule();
      }
    } catch (e) {
      setStatus(e.message, true);
    }
  }, 400);
});

$("#rank").addEventListener("click", changed);

$("#open").addEventListener("change", async () => {
  const f = $("#open").files[0];
  if (!f) return;
  const text = await f.text();
  await load(text, f.name.endsWith(".json") ? "application/json" : "application/toml");
});

// ---- start --------------------------------------------------------------------

$("#token-use").addEventListener("click", () => {
  sessionStorage.setItem("sitematch.token", $("#token").value.trim());
  $("#tokenbox").hidden = true;
  start();
});
$("#token").addEventListener("keydown", (e) => e.key === "Enter" && $("#token-use").click());

let started = false;
async function start() {
  try {
    vocabulary = (await call("/workbench/vocabulary")).body;
    // The départements drawn for context, when the data set has them.
    if (vocabulary.layers.some((l) => l.name === "departements")) outlines();
    const { body: examples } = await call("/workbench/briefs");
    const pick = $("#examples");
    if (!started) {
      for (const e of examples) pick.append(el("option", { value: e.file, text: e.name }));
      pick.addEventListener("change", () => {
        const e = examples.find((x) => x.file === pick.value);
        if (e) load(e.toml, "application/toml");
      });
    }
    started = true;
    pick.value = examples[0].file;
    await load(examples[0].toml, "application/toml");
  } catch (e) {
    setStatus(e.message, true);
  }
}
start();
