// The Errors tab: the catalogue of every documented error, found by text,
// operation and status and titled by the vendor's own name for it; the
// active faults, whose counters follow the journal as they fire.
"use strict";

async function loadCatalogue() {
  const data = await api("GET", "/errors");
  state.catalogue = data.vendors;
  const sel = $("#e-vendor");
  sel.replaceChildren(...Object.keys(data.vendors).sort().map((v) => el("option", { value: v, text: v })));
  catalogueFilters();
  renderCatalogue();
}

// catalogueFilters offers the chosen vendor's operations and statuses.
function catalogueFilters() {
  const list = state.catalogue[$("#e-vendor").value] || [];
  const fill = (sel, values) => {
    const keep = sel.value;
    sel.replaceChildren(el("option", { value: "", text: "any" }), ...values.map((v) => el("option", { value: v, text: v })));
    sel.value = values.includes(keep) ? keep : "";
  };
  fill($("#e-op"), [...new Set(list.map((c) => c.operation))].sort());
  fill($("#e-status"), [...new Set(list.map((c) => String(c.status)))].sort());
}

// title names an error as its vendor does: "DAYU.4402: The operation
// failed…", not the example's key.
function title(c) {
  const code = c.vendorError || String(c.status);
  return c.message ? code + ": " + c.message : code + (c.summary ? ": " + c.summary : "");
}

function renderCatalogue() {
  const box = $("#catalogue");
  box.replaceChildren();
  const vendor = $("#e-vendor").value, op = $("#e-op").value, status = $("#e-status").value;
  const q = $("#e-text").value.trim().toLowerCase();
  const shown = (state.catalogue[vendor] || []).filter((c) => (!op || c.operation === op) && (!status || String(c.status) === status) &&
    (!q || [c.operation, c.vendorError, c.message, c.summary, c.name, c.example, String(c.status)].some((s) => (s || "").toLowerCase().includes(q))));
  $("#e-count").textContent = shown.length + " of " + (state.catalogue[vendor] || []).length + " documented errors";
  for (const c of shown) {
    const label = c.operation + " " + c.status + " " + title(c);
    box.append(el("div", { class: "cat", "data-error": vendor + "/" + c.operation + "/" + c.status + "/" + c.name, "data-vendor-error": c.vendorError || "" },
      el("header", {}, el("strong", { text: title(c) })),
      el("p", { class: "hint prose" }, el("code", { text: c.method + " " + c.path }), " (" + c.operation + ") answers ",
        el("span", { class: "s-err", text: "HTTP " + c.status }), " with this body" + (c.status < 400 ? ", an error by " + vendor + "'s own semantics" : "") +
        (c.summary ? ": " + c.summary.replace(/\.$/, "") + "." : ".") + " From the spec's example “" + c.name + "”."),
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

// spent tells a rule that will not fire again.
function spent(r) { return r.fault.times > 0 && r.fired >= r.fault.times; }

async function loadFaults() {
  const list = $("#faults");
  let data;
  try { data = await api("GET", withSession("/faults")); } catch (e) { list.replaceChildren(el("li", { text: e.message })); return; }
  list.replaceChildren();
  if (!data.rules.length) list.append(el("li", { class: "hint", text: "none" }));
  data.rules.forEach((r, i) => {
    const f = r.fault;
    const left = f.times ? Math.max(0, f.times - r.fired) : null;
    const what = f.vendor + (f.operation ? " " + f.operation : "") + " → " + (f.drop ? "drop" : f.status || "latency " + f.latency) +
      (left === null ? ", every time" : ", " + left + " of " + f.times + " left") + ", fired " + r.fired;
    list.append(el("li", { "data-fault": String(i), class: spent(r) ? "spent" : "" }, el("span", { text: what + (spent(r) ? " (spent)" : "") }),
      el("button", { type: "button", "aria-label": "Remove fault " + i, onclick: async () => { await api("DELETE", withSession("/faults/" + i)); loadFaults(); } }, "Remove")));
  });
  state.rules = data.rules;
}

// Faults fire on requests: their counters follow the journal (a fault
// event reloads them, at most twice a second).
function scheduleFaults() {
  if (state.faultsTimer || $("#tab-errors").hidden) return;
  state.faultsTimer = setTimeout(async () => {
    try { await loadFaults(); } finally { state.faultsTimer = 0; }
  }, 500);
}

async function removeSpent() {
  const rules = state.rules || [];
  // From the last, so the places of the ones before stay.
  for (let i = rules.length - 1; i >= 0; i--) {
    if (spent(rules[i])) await api("DELETE", withSession("/faults/" + i));
  }
  await loadFaults();
}

function initErrors() {
  $("#e-vendor").addEventListener("change", () => { catalogueFilters(); renderCatalogue(); });
  for (const id of ["#e-op", "#e-status", "#e-text"]) $(id).addEventListener("input", renderCatalogue);
  $("#remove-spent").addEventListener("click", removeSpent);
}
