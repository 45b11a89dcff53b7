// The State tab: what changed since the scenario was loaded, then every
// vendor's tables, nested values (a Huawei workspace's members) as tables
// of their own.
"use strict";

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
  loadSince();
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
  const keys = Object.keys(rows);
  const cols = columns(rows);
  const t = el("table", { class: "grid", "data-table": vendor + "." + name });
  t.append(el("caption", { text: name + " (" + keys.length + ")" }));
  t.append(el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "id" }), ...cols.map((c) => el("th", { scope: "col", text: c })))));
  const body = el("tbody");
  for (const k of keys) {
    const r = rows[k] || {};
    body.append(el("tr", {}, el("th", { scope: "row", text: k }),
      ...cols.map((c) => el("td", {}, typeof r === "object" ? cell(r[c]) : cell(r)))));
  }
  t.append(body);
  return t;
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

// The state follows the journal, at most four times a second however
// fast requests arrive (a debounce would never fire under steady load).
function scheduleStateRefresh() {
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(async () => {
    try { if (!$("#tab-state").hidden) await loadState(); } finally { state.refreshTimer = 0; }
  }, 250);
}
