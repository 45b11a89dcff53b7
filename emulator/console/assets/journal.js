// The Journal tab: requests as they arrive, marked by their vendor's
// outcome (a Commvault errorCode 2 in a 200 is an error), found by any
// text in them, drawn at most once per frame.
"use strict";

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
  scheduleStateRefresh(en);
  schedulePeople(en);
  if (en.decidedBy === "fault") scheduleFaults();
  if (state.waitingFor === en.seq) openEntry(en.seq);
}

// isError is the entry's outcome by its vendor's semantics.
function isError(en) { return en.outcome ? en.outcome === "error" : en.status === 0 || en.status >= 400; }

// matchesText finds the search text, in any case, anywhere a person would
// look: method, path, query, headers, bodies, detail, the vendor's error.
function matchesText(en, q) {
  if (!q) return true;
  const has = (s) => typeof s === "string" && s.toLowerCase().includes(q);
  if ([en.method, en.path, en.query, en.body, en.detail, en.vendorError, en.response && en.response.body].some(has)) return true;
  for (const h of [en.header, en.response && en.response.header]) {
    for (const [k, vs] of Object.entries(h || {})) if (has(k) || (vs || []).some(has)) return true;
  }
  return false;
}

function visible(en) {
  const v = $("#f-vendor").value, s = $("#f-status").value.trim(), d = $("#f-decided").value, o = $("#f-outcome").value;
  return (!v || en.vendor === v) && (!s || String(en.status) === s) && (!d || en.decidedBy === d) &&
    (!o || (o === "error") === isError(en)) &&
    (!$("#f-session").checked || en.session === state.session) &&
    matchesText(en, $("#f-text").value.trim().toLowerCase());
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
    // A rebuild draws every entry, those waiting included: they must not
    // be drawn again at the next frame (the rows once doubled after a
    // page load that met a stream).
    state.rebuild = false;
    state.pending = [];
    stats.rebuilds++;
    const rows = state.entries.filter(visible).reverse().map(journalRow);
    stats.rowsAdded += rows.length;
    body.replaceChildren(...rows);
    return;
  }
  // An entry already drawn is never drawn twice, whatever the order in
  // which the page load and the stream delivered it.
  const top = body.firstElementChild ? Number(body.firstElementChild.dataset.seq) : 0;
  const fresh = state.pending.filter((en) => en.seq > top && visible(en));
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
  const bad = isError(en);
  const answer = en.status === 0 ? "dropped" : String(en.status) + (en.vendorError && bad ? " · " + en.vendorError : "");
  return el("tr", { "data-seq": String(en.seq), "data-outcome": bad ? "error" : "ok" },
    el("td", {}, el("a", { href: "#journal/" + en.seq, "aria-label": "request " + en.seq }, String(en.seq))),
    el("td", { text: new Date(en.time).toLocaleTimeString() }),
    el("td", { text: en.session || "shared" }),
    el("td", { text: en.vendor }),
    el("td", { class: "req-cell", title: en.method + " " + en.path + (en.query ? "?" + en.query : "") + (en.scenario ? " (scenario " + en.scenario + ")" : "") },
      el("a", { href: "#journal/" + en.seq, class: "req" }, en.method + " " + en.path + (en.query ? "?" + en.query : ""))),
    el("td", { class: bad ? "s-err" : "s-ok", title: en.detail || "", text: answer }),
    el("td", { text: en.decidedBy }));
}

function initJournal() {
  for (const id of ["#f-vendor", "#f-status", "#f-decided", "#f-session", "#f-outcome", "#f-text"]) $(id).addEventListener("input", renderJournal);
  $("#journal-filter").addEventListener("submit", (ev) => ev.preventDefault());
  $("#export-har").addEventListener("click", () => exportHAR().catch((e) => report(e.message, false)));
  $("#clear-journal").addEventListener("click", async () => {
    await api("DELETE", "/requests");
    state.entries = [];
    state.seen.clear();
    renderJournal();
  });
}

// harQuery is the journal's filters as GET /__admin/requests reads them.
function harQuery() {
  const q = new URLSearchParams({ format: "har" });
  const add = (k, v) => { if (v) q.set(k, v); };
  add("vendor", $("#f-vendor").value);
  add("outcome", $("#f-outcome").value);
  add("status", $("#f-status").value.trim());
  add("decidedBy", $("#f-decided").value);
  add("q", $("#f-text").value.trim());
  if ($("#f-session").checked) q.set("session", state.session);
  return q.toString();
}

// exportHAR downloads the requests the filters show as offboard.har (with
// the admin token when there is one, which a plain link could not send).
async function exportHAR() {
  const headers = token() ? { Authorization: "Bearer " + token() } : {};
  const resp = await fetch("/__admin/requests?" + harQuery(), { headers });
  if (!resp.ok) throw new Error("HAR export: " + resp.status + " " + (await resp.text()));
  const url = URL.createObjectURL(await resp.blob());
  const a = el("a", { href: url, download: "offboard.har", hidden: "" });
  document.body.append(a);
  a.click();
  a.remove();
  state.lastHAR = harQuery();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
