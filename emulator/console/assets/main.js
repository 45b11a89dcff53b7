// Starts the console once every part is loaded.
"use strict";

function init() {
  initScenario();
  initJournal();
  initErrors();
  $("#refresh-state").addEventListener("click", loadState);
  $("#session").addEventListener("change", (ev) => {
    state.session = ev.target.value;
    $("#export").href = withSession("/__admin/state?format=scenario");
    refreshAll();
    renderJournal();
  });
  $("#session").addEventListener("focus", loadSessions);
  $("#token").addEventListener("change", (ev) => { sessionStorage.setItem("offboard-admin-token", ev.target.value); refreshAll(); connectJournal(); });
  window.addEventListener("hashchange", route);
  route();
  refreshAll().catch((e) => report(e.message, false));
  loadCatalogue().catch(() => {});
  connectJournal();
}

init();
