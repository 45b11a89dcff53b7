// The People tab: a row per person of the scenario, a column per vendor,
// each cell the account's state and what still remains, refreshed as
// requests arrive. A cell opens that vendor's part of the person and the
// journal entries about them there. Routes: #people, #people/ann,
// #people/ann/commvault.
"use strict";

const people = { list: [], vendors: [], timer: 0, open: null, loads: 0 };
window.offboardPeopleStats = people;

async function loadPeople() {
  const data = await api("GET", withSession("/people"));
  people.loads++;
  people.list = data.people || [];
  const names = new Set();
  for (const p of people.list) for (const v of Object.keys(p.vendors)) names.add(v);
  people.vendors = [...names].sort();
  renderPeople();
  if (people.open) await renderPerson(people.open.id, people.open.vendor);
}

// schedulePeople refreshes the table soon after a request of the session
// the console shows, at most a few times a second however many arrive.
function schedulePeople(en) {
  if ($("#tab-people").hidden || people.timer || (en && en.session !== state.session)) return;
  people.timer = setTimeout(() => { people.timer = 0; loadPeople().catch((e) => report(e.message, false)); }, 300);
}

function cellText(a) {
  if (a.state === "none") return "—";
  const n = a.remaining.length;
  return a.state + (n ? " · " + n + " remaining" : "");
}

function renderPeople() {
  const box = $("#people");
  if (!people.list.length) {
    box.replaceChildren(el("p", { class: "hint", text: "The loaded scenario names no people. The built-in scenario \"people\" has six leavers; a scenario's people section names yours." }));
    return;
  }
  const head = el("tr", {}, el("th", { text: "Person" }), ...people.vendors.map((v) => el("th", { text: v })), el("th", { text: "Offboarded" }));
  const rows = people.list.map((p) => el("tr", { "data-person": p.id },
    el("th", { scope: "row" }, el("a", { href: "#people/" + encodeURIComponent(p.id), text: p.id })),
    ...people.vendors.map((v) => {
      const a = p.vendors[v] || { state: "none", remaining: [] };
      const link = el("a", { href: "#people/" + encodeURIComponent(p.id) + "/" + v, text: cellText(a) });
      return el("td", { "data-vendor": v, "data-state": a.state, "data-remaining": String(a.remaining.length) }, link);
    }),
    el("td", { "data-offboarded": String(p.offboarded), class: p.offboarded ? "s-ok" : "", text: p.offboarded ? "yes" : "no" })));
  box.replaceChildren(el("table", { class: "grid people", id: "people-table" }, el("thead", {}, head), el("tbody", {}, ...rows)));
}

// openPerson shows a person (and, with vendor, that vendor's part).
function openPerson(id, vendor) {
  people.open = { id, vendor };
  renderPerson(id, vendor).catch((e) => report(e.message, false));
}

async function renderPerson(id, vendor) {
  const p = people.list.find((x) => x.id === id);
  const box = $("#person");
  if (!p) { box.replaceChildren(el("p", { class: "hint", text: "No person " + id + " in this scenario." })); return; }
  const parts = (vendor ? [vendor] : people.vendors).map((v) => vendorPart(p, v));
  const q = "/requests?person=" + encodeURIComponent(id) + (vendor ? "&vendor=" + encodeURIComponent(vendor) : "");
  const data = await api("GET", withSession(q));
  const mine = (data.requests || []).filter((en) => en.session === state.session).reverse();
  const list = el("ul", { class: "plain", id: "person-requests" }, ...mine.map((en) => el("li", {},
    el("a", { href: "#journal/" + en.seq, text: "#" + en.seq + " " + en.method + " " + en.path }),
    el("span", { class: isError(en) ? "s-err" : "s-ok", text: String(en.status) + (en.vendorError ? " " + en.vendorError : "") }))));
  box.replaceChildren(el("h3", { text: p.id + (vendor ? " in " + vendor : "") + (p.offboarded ? ": offboarded" : ": not offboarded yet") }),
    ...parts, el("h4", { text: "Requests about " + p.id + (vendor ? " in " + vendor : "") + " (" + mine.length + ")" }),
    mine.length ? list : el("p", { class: "hint", text: "None yet." }));
}

function vendorPart(p, v) {
  const a = p.vendors[v] || { state: "none", remaining: [] };
  const items = (title, xs) => xs && xs.length ? [el("h4", { text: title }), el("ul", {}, ...xs.map((x) => el("li", { text: x })))] : [];
  return el("div", { class: "vendor", "data-vendor": v },
    el("p", {}, el("strong", { text: v }), " " + (a.account ? a.account + ": " : "") + (a.state === "none" ? "no account" : a.state)),
    ...items("Remaining", a.remaining), ...items("Moved", a.moved));
}
