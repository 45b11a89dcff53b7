// The journal as HAR 1.2 (GET /__admin/requests?format=har) read by what
// people import HAR with: har-validator (the HAR 1.2 JSON schema, strict)
// and k6's HAR converter (har-to-k6), which turns each entry into a
// request of a load script.
//
//   OFFBOARD_URL=http://127.0.0.1:8080 npm test
import { test } from "node:test";
import assert from "node:assert/strict";
import validator from "har-validator";
import harToK6 from "har-to-k6";

const { liHARToK6Script, normalizeHAR, validate } = harToK6;

const base = process.env.OFFBOARD_URL;
const skip = base ? false : "OFFBOARD_URL names no running offboard (.ci/run sets it)";
const session = `har-${process.pid}`;

test("the journal as HAR: valid, and imported by k6's converter", { skip }, async () => {
  const into = `${base}/__session/${session}`;
  // A delete that succeeds, a refusal in a 200, a JSON body and a form.
  await fetch(`${into}/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1`, {
    method: "DELETE", headers: { Authorization: "Basic YWRtaW46cGFzc3dvcmQ=" } });
  await fetch(`${into}/v2/demo-project/demo-workspace/delete-users`, {
    method: "POST", headers: { "Content-Type": "application/json", "X-Auth-Token": "demo-token" },
    body: JSON.stringify({ user_ids: ["2d032145d82546b5b83cd7a6fd7d0afc"] }) });
  await fetch(`${into}/arcgis/notebooks/admin/dataaccess/deleteUserWorkspace`, {
    method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "userName=gis_joe&f=json&token=nope" });
  const resp = await fetch(`${base}/__admin/requests?format=har&session=${session}`);
  assert.equal(resp.status, 200);
  assert.match(resp.headers.get("content-disposition") || "", /offboard\.har/);
  const har = await resp.json();

  await validator.har(har); // rejects, naming the field, when the log breaks the HAR 1.2 schema
  assert.equal(har.log.entries.length, 3);
  assert.deepEqual(har.log.entries.map((e) => e.request.method), ["DELETE", "POST", "POST"]);
  assert.equal(har.log.entries[0].response.status, 204);

  validate(har);
  const { main } = await liHARToK6Script(normalizeHAR(har));
  for (const path of ["/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1", "/v2/demo-project/demo-workspace/delete-users",
    "/arcgis/notebooks/admin/dataaccess/deleteUserWorkspace"]) {
    assert.ok(main.includes(path), `k6's script has no request to ${path}:\n${main}`);
  }
  assert.ok(main.includes("2d032145d82546b5b83cd7a6fd7d0afc"), "the JSON body went into the script");
});
