// The QA console: a thin page over the control API (/__admin). Every
// list it shows comes from the server; it holds no data of its own.
"use strict";

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
};

// The journal keeps at most this many entries, as the server's default.
const MAX_ENTRIES = 1000;

const state = {
  session: "", entries: [], seen: new Set(), vendors: new Set(), selected: null, source: null,
  refreshTimer: 0,
  // Journal rows are drawn at most once per animation frame: entries that
  // arrive in between wait in pending and are prepended together; a full
  // rebuild happens only when the filters or the session change.
  pending: [], frame: 0, rebuild: true,
};
// What the journal's drawing has cost, for the browser tests.
const stats = { frames: 0, rebuilds: 0, rowsAdded: 0 };
window.offboardConsoleStats = stats;

function token() { return sessionStorage.getItem("offboard-admin-token") || ""; }

async function api(method, path, body, type) {
  const headers = {};
  if (token()) headers.Authorization = "Bearer " + token();
  if (body !== undefined) headers["Content-Type"] = type || "application/json";
  const resp = await fetch("/__admin" + path, { method, headers, body });
  if (resp.status === 401) $("#token-box").hidden = false;
  const text = await resp.text();
  let data = text;
  if ((resp.headers.get("Content-Type") || "").includes("json")) {
    try { data = JSON.parse(text); } catch { /* keep the text */ }
  }
  if (!resp.ok) throw new Error((data && data.error) || resp.status + " " + text);
  return data;
}

function withSession(path) {
  if (!state.session) return path;
  return path + (path.includes("?") ? "&" : "?") + "session=" + encodeURIComponent(state.session);
}

// Tabs: one section at a time, the current one marked for every reader.
function showTab(name) {
  for (const b of document.querySelectorAll("nav button")) {
    const on = b.dataset.tab === name;
    if (on) b.setAttribute("aria-current", "page"); else b.removeAttribute("aria-current");
  }
  for (const s of document.querySelectorAll("main section")) s.hidden = s.id !== "tab-" + name;
  location.hash = name;
  if (name === "state") loadState();
  if (name === "errors") loadFaults();
}

// Scenario
async function loadScenarios() {
  const data = await api("GET", "/scenarios");
  $("#current-scenario").textContent = data.current;
  const list = $("#builtins");
  // The built-ins are fixed for the server's life: build the list once, so
  // a button is never replaced under the pointer.
  if (list.children.length === data.builtin.length) return;
  list.replaceChildren();
  for (const s of data.builtin) {
    list.append(el("li", {},
      el("button", { type: "button", "data-scenario": s.name, onclick: () => loadScenario(s.name) }, "Load " + s.name),
      el("span", { class: "hint", text: s.description })));
  }
}

function scenarioPath() {
  return state.session ? "/sessions/" + encodeURIComponent(state.session) + "/scenario" : "/scenario";
}

function report(text, ok) {
  const out = $("#scenario-result");
  out.textContent = text;
  out.className = ok ? "ok" : "error";
}

async function loadScenario(name) {
  try {
    const r = await api("PUT", scenarioPath() + "?name=" + encodeURIComponent(name));
    report("Loaded " + r.scenario + (state.session ? " in session " + state.session : ""), true);
  } catch (e) { report(e.message, false); }
  await refreshAll();
}

async function loadYAML() {
  try {
    const r = await api("PUT", scenarioPath(), $("#yaml").value, "application/yaml");
    report("Loaded " + r.scenario + (state.session ? " in session " + state.session : ""), true);
  } catch (e) { report(e.message, false); }
  await refreshAll();
}

async function reset() {
  try {
    await api("POST", state.session ? "/sessions/" + encodeURIComponent(state.session) + "/reset" : "/reset");
    report("Reset", true);
  } catch (e) { report(e.message, false); }
  await refreshAll();
}

// State: each vendor's tables, one row per entity.
async function loadState() {
  const box = $("#state");
  let data;
  try { data = await api("GET", withSession("/state")); } catch (e) { box.textContent = e.message; return; }
  box.replaceChildren();
  for (const [vendor, st] of Object.entries(data.vendors || {})) {
    const tables = el("div", { class: "tables" });
    const part = el("div", { class: "vendor" }, el("h3", { text: vendor }), tables);
    let empty = true;
    for (const [name, table] of Object.entries(st || {})) {
      if (table === null || typeof table !== "object" || Array.isArray(table)) {
        tables.append(el("p", {}, el("strong", { text: name + ": " }), String(table)));
        continue;
      }
      if (!Object.keys(table).length) continue;
      empty = false;
      tables.append(entityTable(vendor, name, table));
    }
    if (empty) tables.append(el("p", { class: "hint", text: "nothing in this scenario" }));
    box.append(part);
  }
}

function cell(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return Array.isArray(v) && v.every((x) => typeof x !== "object") ? v.join(", ") : JSON.stringify(v);
  return String(v);
}

function entityTable(vendor, name, rows) {
  const keys = Object.keys(rows);
  const cols = [];
  for (const k of keys) {
    const r = rows[k];
    if (r && typeof r === "object" && !Array.isArray(r)) for (const c of Object.keys(r)) if (!cols.includes(c)) cols.push(c);
  }
  const t = el("table", { class: "grid", "data-table": vendor + "." + name });
  t.append(el("caption", { text: name + " (" + keys.length + ")" }));
  t.append(el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "id" }), ...cols.map((c) => el("th", { scope: "col", text: c })))));
  const body = el("tbody");
  for (const k of keys) {
    const r = rows[k] || {};
    body.append(el("tr", {}, el("th", { scope: "row", text: k }),
      ...cols.map((c) => el("td", { text: typeof r === "object" ? cell(r[c]) : cell(r) }))));
  }
  t.append(body);
  return t;
}

// The state tab follows the journal, at most four times a second however
// fast requests arrive (a debounce would never fire under steady load).
function scheduleStateRefresh() {
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(async () => {
    try { if (!$("#tab-state").hidden) await loadState(); } finally { state.refreshTimer = 0; }
  }, 250);
}

// Journal, live.
function connectJournal() {
  if (state.source) state.source.close();
  // EventSource sends no Authorization header; with an admin token the
  // journal is read by polling instead.
  if (token()) { pollJournal(); return; }
  const src = new EventSource("/__admin/requests/stream?since=0");
  state.source = src;
  src.addEventListener("open", () => { $("#live").textContent = "live"; });
  src.addEventListener("error", () => { $("#live").textContent = "reconnecting"; });
  src.addEventListener("request", (ev) => addEntry(JSON.parse(ev.data)));
}

async function pollJournal() {
  const last = state.entries.length ? state.entries[state.entries.length - 1].seq : 0;
  try {
    const data = await api("GET", "/requests?since=" + last);
    for (const en of data.requests) addEntry(en);
    $("#live").textContent = "polling";
  } catch { $("#live").textContent = "offline"; }
  setTimeout(pollJournal, 1000);
}

function addEntry(en) {
  if (state.seen.has(en.seq)) return;
  state.seen.add(en.seq);
  state.entries.push(en);
  while (state.entries.length > MAX_ENTRIES) state.seen.delete(state.entries.shift().seq);
  if (!state.vendors.has(en.vendor)) {
    state.vendors.add(en.vendor);
    $("#f-vendor").append(el("option", { value: en.vendor, text: en.vendor }));
  }
  state.pending.push(en);
  // A hidden tab gets no frames: past a journal's worth, redraw it whole.
  if (state.pending.length > MAX_ENTRIES) { state.pending = []; state.rebuild = true; }
  scheduleJournal();
  scheduleStateRefresh();
}

function visible(en) {
  const v = $("#f-vendor").value, s = $("#f-status").value.trim(), d = $("#f-decided").value;
  return (!v || en.vendor === v) && (!s || String(en.status) === s) && (!d || en.decidedBy === d) &&
    (!$("#f-session").checked || en.session === state.session);
}

// renderJournal redraws the journal whole at the next frame: the filters
// or the session changed.
function renderJournal() {
  state.rebuild = true;
  state.pending = [];
  scheduleJournal();
}

function scheduleJournal() {
  if (state.frame) return;
  state.frame = requestAnimationFrame(() => {
    state.frame = 0;
    stats.frames++;
    drawJournal();
  });
}

function drawJournal() {
  const body = $("#journal tbody");
  if (state.rebuild) {
    state.rebuild = false;
    stats.rebuilds++;
    const rows = state.entries.filter(visible).reverse().map(journalRow);
    stats.rowsAdded += rows.length;
    body.replaceChildren(...rows);
    return;
  }
  const fresh = state.pending.filter(visible);
  state.pending = [];
  if (fresh.length) {
    const frag = document.createDocumentFragment();
    for (let i = fresh.length - 1; i >= 0; i--) frag.append(journalRow(fresh[i]));
    body.prepend(frag);
    stats.rowsAdded += fresh.length;
  }
  // Rows of entries the journal no longer keeps go, oldest (last) first.
  const oldest = state.entries.length ? state.entries[0].seq : Infinity;
  while (body.lastElementChild && (body.rows.length > MAX_ENTRIES || Number(body.lastElementChild.dataset.seq) < oldest)) {
    body.lastElementChild.remove();
  }
}

function journalRow(en) {
  const bad = en.status === 0 || en.status >= 400 || (en.response && /"error"|errorCode="[1-9]|"is_success" ?: ?false/.test(en.response.body || ""));
  return el("tr", { "data-seq": String(en.seq) },
    el("td", { text: String(en.seq) }),
    el("td", { text: new Date(en.time).toLocaleTimeString() }),
    el("td", { text: en.session || "shared" }),
    el("td", { text: en.vendor }),
    el("td", { title: en.method + " " + en.path }, el("button", { type: "button", onclick: () => showEntry(en) }, en.method + " " + en.path)),
    el("td", { class: bad ? "s-err" : "s-ok", text: en.status === 0 ? "dropped" : String(en.status) }),
    el("td", { text: en.decidedBy }));
}

function pretty(body, type) {
  if (!body) return "(empty)";
  if ((type || "").includes("json") || /^\s*[{[]/.test(body)) {
    try { return JSON.stringify(JSON.parse(body), null, 2); } catch { /* not JSON after all */ }
  }
  if ((type || "").includes("xml") || /^\s*</.test(body)) return prettyXML(body);
  return body;
}

function prettyXML(text) {
  const doc = new DOMParser().parseFromString(text, "application/xml");
  if (doc.querySelector("parsererror")) return text;
  const lines = [];
  const walk = (node, depth) => {
    const pad = "  ".repeat(depth);
    const attrs = [...node.attributes].map((a) => " " + a.name + '="' + a.value + '"').join("");
    const kids = [...node.childNodes].filter((c) => c.nodeType === 1);
    const txt = [...node.childNodes].filter((c) => c.nodeType === 3).map((c) => c.textContent.trim()).join("");
    if (!kids.length) { lines.push(pad + "<" + node.nodeName + attrs + (txt ? ">" + txt + "</" + node.nodeName + ">" : "/>")); return; }
    lines.push(pad + "<" + node.nodeName + attrs + ">");
    for (const k of kids) walk(k, depth + 1);
    lines.push(pad + "</" + node.nodeName + ">");
  };
  walk(doc.documentElement, 0);
  return lines.join("\n");
}

function headerText(h) {
  return Object.entries(h || {}).map(([k, vs]) => vs.map((v) => k + ": " + v).join("\n")).join("\n");
}

function showEntry(en) {
  const box = $("#entry");
  const reqType = (en.header && en.header["Content-Type"] || [""])[0];
  const resp = en.response;
  box.replaceChildren(
    el("h3", { text: "Request #" + en.seq + (en.operation ? " (" + en.vendor + " " + en.operation + ")" : "") }),
    el("pre", { id: "entry-request", text: en.method + " " + en.path + (en.query ? "?" + en.query : "") + "\n" + headerText(en.header) }),
    el("pre", { id: "entry-request-body", text: pretty(en.body, reqType) + (en.bodyTruncated ? "\n… (first 4 KB)" : "") }),
    el("h3", { text: "Response" + (resp ? " " + resp.status : ": connection dropped") + " — decided by " + en.decidedBy }),
    el("pre", { id: "entry-response", text: resp ? headerText(resp.header) : "" }),
    el("pre", { id: "entry-response-body", text: resp ? pretty(resp.body, (resp.header["Content-Type"] || [""])[0]) + (resp.bodyTruncated ? "\n… (first 4 KB)" : "") : "" }),
    el("p", { class: "hint", text: en.detail || "" }));
}

// Errors: the catalogue and the active faults.
async function loadCatalogue() {
  const data = await api("GET", "/errors");
  state.catalogue = data.vendors;
  const sel = $("#e-vendor");
  sel.replaceChildren(...Object.keys(data.vendors).sort().map((v) => el("option", { value: v, text: v })));
  renderCatalogue();
}

function renderCatalogue() {
  const box = $("#catalogue");
  box.replaceChildren();
  const vendor = $("#e-vendor").value;
  for (const c of state.catalogue[vendor] || []) {
    const label = c.operation + " " + c.status + " " + c.name;
    box.append(el("div", { class: "cat", "data-error": vendor + "/" + c.operation + "/" + c.status + "/" + c.name },
      el("header", {}, el("strong", { text: c.operation }), el("span", { text: c.method + " " + c.path }), el("span", { class: "s-err", text: String(c.status) }), el("span", { text: c.name + (c.summary ? ": " + c.summary : "") })),
      el("pre", { text: pretty(c.example, c.contentType) }),
      el("button", { type: "button", "aria-label": "Make the next calls of " + label + " answer this", onclick: () => inject(c) }, "Make the next N calls answer this")));
  }
}

async function inject(c) {
  const n = Math.max(1, Math.min(1000, parseInt($("#e-times").value, 10) || 1));
  const fault = Object.assign({}, c.fault, { times: n });
  try { await api("POST", withSession("/faults"), JSON.stringify(fault)); } catch (e) { alert(e.message); }
  await loadFaults();
}

async function loadFaults() {
  const list = $("#faults");
  let data;
  try { data = await api("GET", withSession("/faults")); } catch (e) { list.replaceChildren(el("li", { text: e.message })); return; }
  list.replaceChildren();
  if (!data.rules.length) list.append(el("li", { class: "hint", text: "none" }));
  data.rules.forEach((r, i) => {
    const f = r.fault;
    const what = f.vendor + (f.operation ? " " + f.operation : "") + " → " + (f.drop ? "drop" : f.status) +
      (f.times ? ", " + (f.times - r.fired) + " of " + f.times + " left" : ", every time");
    list.append(el("li", { "data-fault": String(i) }, el("span", { text: what }),
      el("button", { type: "button", onclick: async () => { await api("DELETE", withSession("/faults/" + i)); loadFaults(); } }, "Remove")));
  });
}

async function loadSessions() {
  const data = await api("GET", "/sessions");
  const sel = $("#session");
  const keep = sel.value;
  sel.replaceChildren(el("option", { value: "", text: "shared" }), ...(data.sessions || []).map((s) => el("option", { value: s.id, text: s.id })));
  sel.value = keep;
}

async function refreshAll() {
  await Promise.all([loadScenarios(), loadSessions()]);
  $("#export").href = withSession("/__admin/state?format=scenario");
  if (!$("#tab-state").hidden) await loadState();
  if (!$("#tab-errors").hidden) await loadFaults();
}

function init() {
  for (const b of document.querySelectorAll("nav button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  $("#reset").addEventListener("click", reset);
  $("#load-yaml").addEventListener("click", loadYAML);
  $("#upload").addEventListener("change", async (ev) => {
    const f = ev.target.files[0];
    if (f) { $("#yaml").value = await f.text(); loadYAML(); }
  });
  $("#refresh-state").addEventListener("click", loadState);
  $("#session").addEventListener("change", (ev) => { state.session = ev.target.value; $("#export").href = withSession("/__admin/state?format=scenario"); refreshAll(); renderJournal(); });
  $("#session").addEventListener("focus", loadSessions);
  for (const id of ["#f-vendor", "#f-status", "#f-decided", "#f-session"]) $(id).addEventListener("input", renderJournal);
  $("#clear-journal").addEventListener("click", async () => { await api("DELETE", "/requests"); state.entries = []; state.seen.clear(); renderJournal(); });
  $("#e-vendor").addEventListener("change", renderCatalogue);
  $("#token").addEventListener("change", (ev) => { sessionStorage.setItem("offboard-admin-token", ev.target.value); refreshAll(); connectJournal(); });
  showTab((location.hash || "#scenario").slice(1));
  refreshAll().catch((e) => report(e.message, false));
  loadCatalogue().catch(() => {});
  connectJournal();
}

init();
