// The QA console: a thin page over the control API (/__admin). Every
// list it shows comes from the server; it holds no data of its own.
// app.js holds what the sections share: the API call, elements, the
// page's state and its routes (#scenario, #state, #journal, #journal/42,
// #people, #people/ann/commvault, #errors), so that every view has a URL and back and forward move
// through them.
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
  session: "", entries: [], seen: new Set(), vendors: new Set(), source: null,
  refreshTimer: 0, faultsTimer: 0, catalogue: {},
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

// Routes: the hash names the tab and, for the journal, an entry.
function route() {
  const [tab, arg, arg2] = (location.hash || "#scenario").slice(1).split("/").map(decodeURIComponent);
  const name = ["scenario", "state", "journal", "people", "errors"].includes(tab) ? tab : "scenario";
  for (const a of document.querySelectorAll("nav a")) {
    if (a.dataset.tab === name) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  for (const s of document.querySelectorAll("main section")) s.hidden = s.id !== "tab-" + name;
  if (name === "state") loadState();
  if (name === "errors") loadFaults();
  if (name === "journal" && arg) openEntry(Number(arg));
  if (name === "people") {
    if (arg) people.open = { id: arg, vendor: arg2 || "" }; else people.open = null;
    loadPeople().catch((e) => report(e.message, false));
  }
}

// go moves to a view, as a link would: a history entry of its own.
function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
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
  if (!$("#tab-people").hidden) await loadPeople();
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
