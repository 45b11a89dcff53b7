// One journal entry (#journal/42): the request and its answer, what it
// changed, the request as a curl command, and a replay beside it.
"use strict";

function headerText(h) {
  return Object.entries(h || {}).map(([k, vs]) => vs.map((v) => k + ": " + v).join("\n")).join("\n");
}

// What a browser adds to every request: folded away, so the headers the
// vendor reads (its credential, Content-Type, Accept) stand out.
const BROWSER_HEADERS = /^(accept-encoding|accept-language|user-agent|sec-[a-z-]+|origin|referer|connection|cache-control|pragma|dnt|priority|upgrade-insecure-requests)$/i;

// LONG is where a header value (a 400-character token) is cut, the rest a
// click away.
const LONG = 64;

function headerLine(k, v) {
  const line = el("div", { class: "hdr" }, el("span", { class: "hk", text: k + ": " }));
  if (v.length <= LONG) { line.append(v); return line; }
  const more = el("button", { type: "button", class: "more", "aria-label": "show all " + v.length + " characters of " + k, text: "… " + v.length + " characters, show" });
  const text = el("span", { class: "hv", text: v.slice(0, LONG - 16) });
  more.addEventListener("click", () => { text.textContent = v; more.remove(); });
  line.append(text, more);
  return line;
}

// requestHeaders lays out a request's headers: the vendor's first, the
// browser's folded below them.
function requestHeaders(en) {
  const box = el("div", { class: "entry-request" },
    el("div", { class: "req-line", text: en.method + " " + en.path + (en.query ? "?" + en.query : "") }));
  const folded = [];
  for (const [k, vs] of Object.entries(en.header || {})) {
    for (const v of vs) {
      if (BROWSER_HEADERS.test(k)) folded.push(headerLine(k, v)); else box.append(headerLine(k, v));
    }
  }
  if (folded.length) box.append(el("details", { class: "browser-headers" }, el("summary", { text: folded.length + " headers the browser added" }), ...folded));
  return box;
}

// body shows a body pretty-printed, its exact bytes one click away.
function body(text, type, cut, cls) {
  const raw = el("details", { class: "raw" }, el("summary", { text: "exact bytes (" + new Blob([text || ""]).size + ")" }),
    el("pre", { class: cls + "-raw", text: text || "" }));
  return el("div", {}, el("pre", { class: cls, text: pretty(text, type) + (cut ? "\n… (first 4 KB)" : "") }), text ? raw : "");
}

// openEntry shows an entry by its number: from the page's journal, else
// from the server's (a link opened in a new tab), else once it arrives.
async function openEntry(seq) {
  let en = state.entries.find((x) => x.seq === seq);
  if (!en) {
    try {
      const data = await api("GET", "/requests?since=" + (seq - 1));
      en = (data.requests || []).find((x) => x.seq === seq);
    } catch { /* shown below */ }
  }
  if (!en) {
    state.waitingFor = seq;
    $("#entry").replaceChildren(el("p", { class: "hint", text: "Request #" + seq + " is not in the journal (yet)." }));
    return;
  }
  state.waitingFor = 0;
  showEntry(en);
}

function entryView(en, id) {
  const reqType = (en.header && en.header["Content-Type"] || [""])[0];
  const resp = en.response;
  const bad = isError(en);
  return el("div", { class: "entry", "data-entry": String(en.seq), id },
    el("h3", { text: "Request #" + en.seq + (en.operation ? " (" + en.vendor + " " + en.operation + ")" : "") + (en.session ? " in " + en.session : "") }),
    el("p", { class: "hint entry-scenario", text: "Under scenario " + (en.scenario || "(unknown)") + (en.people && en.people.length ? "; about " + en.people.join(", ") : "") }),
    el("p", { class: "verdict" },
      el("strong", { class: bad ? "s-err" : "s-ok", text: (resp ? "Response " + resp.status : "Connection dropped") + (bad ? " — an error" : " — a success") }),
      el("span", { text: " by " + en.vendor + "'s semantics" + (en.vendorError ? " (" + en.vendorError + ")" : "") + ", decided by " + en.decidedBy })),
    el("p", { class: "hint", text: en.detail || "" }),
    el("h4", { text: "What it changed" }),
    en.changes && en.changes.length ? changesTable(en.changes, "entry." + en.seq) : el("p", { class: "hint", text: "Nothing in the vendor's state." }),
    el("h4", { text: "Request" }),
    requestHeaders(en),
    body(en.body, reqType, en.bodyTruncated, "entry-request-body"),
    el("h4", { text: "Response" }),
    el("pre", { class: "entry-response", text: resp ? headerText(resp.header) : "" }),
    resp ? body(resp.body, (resp.header["Content-Type"] || [""])[0], resp.bodyTruncated, "entry-response-body") : el("pre", { class: "entry-response-body" }));
}

function showEntry(en) {
  const box = $("#entry");
  const into = el("input", { id: "replay-session", size: "14", value: en.session || "", "aria-label": "Session to replay into (empty: the shared one)" });
  box.replaceChildren(
    el("div", { class: "actions" },
      el("button", { type: "button", id: "copy-curl", onclick: () => copyCurl(en) }, "Copy as curl"),
      el("button", { type: "button", id: "replay", onclick: () => replay(en, en.session) }, "Replay in its session"),
      el("label", {}, "or into ", into),
      el("button", { type: "button", id: "replay-into", onclick: () => replay(en, into.value.trim()) }, "Replay there")),
    el("pre", { id: "curl", hidden: "" }),
    el("div", { class: "row compare" }, entryView(en, "entry-then")));
  // The first entry's ids, for screen readers' landmarks and the tests.
  box.querySelector(".entry-response-body").id = "entry-response-body";
  box.querySelector(".entry-request-body").id = "entry-request-body";
}

// copyCurl shows and copies the request as the server writes it
// (GET /requests/{seq}/curl): exact, with its session, and safe to paste
// into bash, zsh or fish whatever the request held.
async function copyCurl(en) {
  const box = $("#curl");
  try {
    box.textContent = (await api("GET", "/requests/" + en.seq + "/curl")).replace(/\n$/, "");
  } catch (e) {
    box.textContent = "# " + e.message;
  }
  box.hidden = false;
  try { await navigator.clipboard.writeText(box.textContent); box.title = "copied"; } catch { /* shown; select it */ }
}

// replay sends the entry again and shows the new answer beside the old.
async function replay(en, session) {
  const compare = $("#entry .compare");
  try {
    const again = await api("POST", "/requests/" + en.seq + "/replay?session=" + encodeURIComponent(session));
    compare.replaceChildren(entryView(en, "entry-then"), entryView(again, "entry-now"));
    compare.querySelector("#entry-now h3").prepend(el("span", { class: "badge", text: "replay" }), " ");
  } catch (e) {
    compare.replaceChildren(entryView(en, "entry-then"), el("p", { class: "error", id: "entry-now", role: "alert", text: e.message }));
  }
}
