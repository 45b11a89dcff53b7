// The Scenario tab: built-ins, reset, export, and an editor for your own
// YAML whose lines are numbered and whose mistakes (the loader's
// file:line:col messages) are placed at their lines.
"use strict";

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
  placeMistakes(ok ? "" : text);
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

// The gutter numbers the text area's lines and marks those with mistakes.
function drawGutter() {
  const n = $("#yaml").value.split("\n").length;
  const bad = state.badLines || new Map();
  const gutter = $("#gutter");
  gutter.replaceChildren();
  for (let i = 1; i <= n; i++) {
    gutter.append(el("span", bad.has(i) ? { class: "bad", title: bad.get(i), "data-line": String(i) } : {}, String(i)), "\n");
  }
  gutter.scrollTop = $("#yaml").scrollTop;
}

// placeMistakes reads the loader's "name:LINE:COL: field: what" lines and
// lists each with a button that puts the caret on its line.
function placeMistakes(text) {
  const list = $("#scenario-errors");
  list.replaceChildren();
  state.badLines = new Map();
  for (const line of text.split("\n")) {
    const m = /^[^:\s][^:]*:(\d+):(\d+): (.*)$/.exec(line.trim());
    if (!m) continue;
    const at = Number(m[1]), col = Number(m[2]);
    state.badLines.set(at, m[3]);
    list.append(el("li", { "data-line": String(at) },
      el("button", { type: "button", onclick: () => caretTo(at, col) }, "Line " + at),
      el("span", { text: " " + m[3] })));
  }
  drawGutter();
}

function caretTo(line, col) {
  const ta = $("#yaml");
  const lines = ta.value.split("\n");
  let pos = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
  pos += Math.max(0, Math.min(col - 1, (lines[line - 1] || "").length));
  ta.focus();
  ta.setSelectionRange(pos, pos);
  const lineHeight = parseFloat(getComputedStyle(ta).lineHeight) || 18;
  ta.scrollTop = Math.max(0, (line - 3) * lineHeight);
  drawGutter();
}

function initScenario() {
  $("#reset").addEventListener("click", reset);
  $("#load-yaml").addEventListener("click", loadYAML);
  $("#upload").addEventListener("change", async (ev) => {
    const f = ev.target.files[0];
    if (f) { $("#yaml").value = await f.text(); drawGutter(); loadYAML(); }
  });
  $("#yaml").addEventListener("input", () => { state.badLines = new Map(); drawGutter(); });
  $("#yaml").addEventListener("scroll", () => { $("#gutter").scrollTop = $("#yaml").scrollTop; });
  drawGutter();
}
