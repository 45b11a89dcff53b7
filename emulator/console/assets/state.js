// The State tab: what changed since the scenario was loaded, then every
// vendor's tables, nested values (a Huawei workspace's members) as tables
// of their own.
"use strict";

// Rows a table shows at a time: a world of 20,000 users draws 100 rows,
// and a page turns with the pager below it.
const STATE_PAGE = 100;

// loadState fetches the whole world once; later requests change the copy
// the page holds through each journal entry's changes (applyChanges), so
// a big world is not fetched again for every write.
async function loadState() {
  const box = $("#state");
  let data;
  try { data = await api("GET", withSession("/state")); } catch (e) { box.textContent = e.message; return; }
  state.world = data.vendors || {};
  state.worldSession = state.session;
  state.worldSeq = data.journalSeq || 0; // entries up to it are in this copy
  state.worldStale = false;
  state.stateFetches = (state.stateFetches || 0) + 1;
  // Entries that arrived while the world was on its way were laid onto the
  // copy it replaces: lay those after its number onto this one.
  for (const en of state.entries) if (en.seq > state.worldSeq) applyChanges(en, true);
  drawState();
  loadSince();
}

function drawState() {
  const box = $("#state");
  box.replaceChildren();
  for (const [vendor, st] of Object.entries(state.world)) {
    const tables = el("div", { class: "tables", "data-vendor": vendor });
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

// applyChanges lays one journal entry's changes onto the page's copy of
// the world and redraws the tables they touched; what cannot be laid on
// (a value the journal cut, a list of changes at its limit) makes the
// copy stale, fetched again at most once every two seconds.
function applyChanges(en, quiet) {
  if (!state.world || en.session !== state.worldSession || en.seq <= state.worldSeq) return;
  state.worldSeq = en.seq;
  if (!en.changes || !en.changes.length) return;
  const world = state.world[en.vendor];
  if (!world || en.changes.length >= 100) { staleState(); return; }
  for (const c of en.changes) {
    if (!applyChange(world, c)) { staleState(); return; }
    (state.dirtyTables = state.dirtyTables || new Set()).add(en.vendor + "." + c.path[0]);
  }
  if (!quiet) scheduleStateDraw();
}

function applyChange(root, c) {
  const cut = (v) => typeof v === "string" && /^\(\d+ bytes\)$/.test(v);
  if (cut(c.after) || !c.path.length) return false;
  let obj = root;
  for (const k of c.path.slice(0, -1)) {
    if (obj[k] === null || typeof obj[k] !== "object") obj[k] = {};
    obj = obj[k];
  }
  const last = c.path[c.path.length - 1];
  if (c.kind === "removed") delete obj[last]; else obj[last] = c.after;
  return true;
}

function staleState() {
  state.worldStale = true;
  if (state.staleTimer) return;
  const wait = Math.max(0, 2000 - (Date.now() - (state.lastStaleFetch || 0)));
  state.staleTimer = setTimeout(async () => {
    state.staleTimer = 0;
    state.lastStaleFetch = Date.now();
    if (!$("#tab-state").hidden) await loadState();
  }, wait);
}

// scheduleStateDraw redraws the touched tables at most once a frame.
function scheduleStateDraw() {
  if (state.stateFrame) return;
  state.stateFrame = requestAnimationFrame(() => {
    state.stateFrame = 0;
    for (const id of state.dirtyTables || []) {
      const [vendor, name] = [id.slice(0, id.indexOf(".")), id.slice(id.indexOf(".") + 1)];
      const old = document.querySelector('#state table[data-table="' + CSS.escape(id) + '"]');
      const rows = (state.world[vendor] || {})[name];
      if (old && rows && typeof rows === "object") old.replaceWith(entityTable(vendor, name, rows));
      else if (!old && rows) { drawState(); break; }
    }
    state.dirtyTables = new Set();
    throttledSince();
  });
}

function throttledSince() {
  if (state.sinceTimer) return;
  state.sinceTimer = setTimeout(() => { state.sinceTimer = 0; loadSince(); }, 1000);
}

// A cell: a scalar as text, a list of scalars joined, an object as a
// small table of its own (so nested tables read as tables, not JSON).
function cell(v, depth = 0) {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v) && v.every((x) => x === null || typeof x !== "object")) return v.join(", ");
  if (typeof v === "object" && depth < 4) {
    const entries = Object.entries(v);
    if (!entries.length) return "";
    const rowsAreObjects = entries.every(([, x]) => x && typeof x === "object" && !Array.isArray(x));
    if (rowsAreObjects) return nestedTable(v, depth + 1);
    const t = el("table", { class: "grid nested" });
    for (const [k, x] of entries) t.append(el("tr", {}, el("th", { scope: "row", text: k }), el("td", {}, cell(x, depth + 1))));
    return t;
  }
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function columns(rows) {
  const cols = [];
  for (const r of Object.values(rows)) {
    if (r && typeof r === "object" && !Array.isArray(r)) for (const c of Object.keys(r)) if (!cols.includes(c)) cols.push(c);
  }
  return cols;
}

function nestedTable(rows, depth) {
  const cols = columns(rows);
  const t = el("table", { class: "grid nested" });
  t.append(el("tr", {}, el("th", { scope: "col", text: "id" }), ...cols.map((c) => el("th", { scope: "col", text: c }))));
  for (const [k, r] of Object.entries(rows)) {
    t.append(el("tr", {}, el("th", { scope: "row", text: k }), ...cols.map((c) => el("td", {}, cell(r[c], depth)))));
  }
  return t;
}

function entityTable(vendor, name, rows) {
  const id = vendor + "." + name;
  const keys = Object.keys(rows);
  const pages = Math.max(1, Math.ceil(keys.length / STATE_PAGE));
  state.pages = state.pages || {};
  const page = Math.min(state.pages[id] || 0, pages - 1);
  const shown = keys.slice(page * STATE_PAGE, (page + 1) * STATE_PAGE);
  const slice = {};
  for (const k of shown) slice[k] = rows[k];
  const cols = columns(slice);
  const t = el("table", { class: "grid", "data-table": id });
  t.append(el("caption", { text: name + " (" + keys.length + ")" }));
  // A record of plain fields (ArcGIS's portal) reads as field and value.
  const head = cols.length ? ["id", ...cols] : ["field", "value"];
  t.append(el("thead", {}, el("tr", {}, ...head.map((c) => el("th", { scope: "col", text: c })))));
  const body = el("tbody");
  for (const k of shown) {
    const r = rows[k] === undefined ? {} : rows[k];
    const isRow = r !== null && typeof r === "object" && !Array.isArray(r);
    body.append(el("tr", {}, el("th", { scope: "row", text: k }),
      ...(isRow ? cols.map((c) => el("td", {}, cell(r[c]))) : [el("td", { colspan: String(Math.max(cols.length, 1)) }, cell(r))])));
  }
  t.append(body);
  if (pages > 1) t.append(pager(id, page, pages, keys.length));
  return t;
}

// pager turns a big table's pages.
function pager(id, page, pages, total) {
  const go = (p) => () => {
    state.pages[id] = p;
    (state.dirtyTables = state.dirtyTables || new Set()).add(id);
    scheduleStateDraw();
  };
  const from = page * STATE_PAGE + 1, to = Math.min(total, (page + 1) * STATE_PAGE);
  return el("tfoot", {}, el("tr", {}, el("td", { colspan: "100", class: "pager" },
    el("button", { type: "button", class: "prev", onclick: go(page - 1), ...(page === 0 ? { disabled: "" } : {}) }, "‹ previous"),
    el("span", { class: "range", text: " rows " + from + "–" + to + " of " + total + " " }),
    el("button", { type: "button", class: "next", onclick: go(page + 1), ...(page >= pages - 1 ? { disabled: "" } : {}) }, "next ›"))));
}

// What changed since the scenario: GET /__admin/changes.
async function loadSince() {
  const box = $("#since");
  let data;
  try { data = await api("GET", withSession("/changes")); } catch (e) { box.textContent = e.message; return; }
  box.replaceChildren();
  let any = false;
  for (const [vendor, changes] of Object.entries(data.vendors || {})) {
    if (!changes.length) continue;
    any = true;
    box.append(el("div", { class: "vendor" }, el("h4", { text: vendor }), changesTable(changes, vendor + ".since")));
  }
  if (!any) box.append(el("p", { class: "hint", text: "Nothing yet: the world is the scenario as loaded." }));
}

// changesTable shows changes as rows: added, removed, changed, with the
// values before and after.
function changesTable(changes, id) {
  const t = el("table", { class: "grid changes", "data-changes": id });
  t.append(el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "" }), el("th", { scope: "col", text: "where" }),
    el("th", { scope: "col", text: "before" }), el("th", { scope: "col", text: "after" }))));
  const body = el("tbody");
  for (const c of changes) {
    const mark = { added: "+", removed: "−", changed: "~" }[c.kind] || "?";
    body.append(el("tr", { class: "ch-" + c.kind, "data-path": c.path.join("/") },
      el("td", { class: "mark", "aria-label": c.kind, text: mark }),
      el("td", { text: c.path.join(" › ") }),
      el("td", {}, c.before === undefined ? "" : cell(c.before)),
      el("td", {}, c.after === undefined ? "" : cell(c.after))));
  }
  t.append(body);
  return t;
}

// The state follows the journal: each entry's changes are laid onto the
// page's copy (applyChanges); a tab not shown just refetches when opened.
function scheduleStateRefresh(en) {
  if ($("#tab-state").hidden) { state.world = null; return; }
  if (!state.world) { staleState(); return; }
  applyChanges(en);
}
