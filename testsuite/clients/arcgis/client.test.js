// Esri's own @esri/arcgis-rest-request (4.2.0, from npm) against a running
// offboard: the seed's delete and documented errors, judged by what the
// vendor's client parses (it posts f=json and turns an {"error":{...}}
// body into ArcGISRequestError, 498/499 into ArcGISAuthError).
//
//   OFFBOARD_URL=http://127.0.0.1:8080 npm test
import { test } from "node:test";
import assert from "node:assert/strict";
import { request } from "@esri/arcgis-rest-request";

const base = process.env.OFFBOARD_URL;
// The seed's sample token, an administrator's in the default scenario.
const token =
  "PuuxoDV8HzHD1GxXUDpgHDeItErtl9Wr6rbULdhXHVUnGsjZ2hI1j1cPmnDEN1UnUfDqrNr2AuviTe5OkBumXsPlwSCrKw_ZVM1vczv2ziRESyz2PEAAhfsf71EyKIEGe7wW1z7hN_aLIjTekcdUbs-xtUAMZjEKHDRxT85NlfWqQghOy6o5XE54P8nnmdhllY6IfdtqeRtOYfFLoCBGCmOFV8diNVk4CxW3MMnzelDAGuRpN-Bru-vcYTY-7Or9";
const admin = () => `${base}/arcgis/notebooks/admin`;
const skip = base ? false : "OFFBOARD_URL names no running offboard (.ci/run sets it)";

test("the seed's delete: the client parses {status: success}", { skip }, async () => {
  const res = await request(`${admin()}/dataaccess/deleteUserWorkspace`, {
    httpMethod: "POST",
    params: { userName: "gis_joe", token },
  });
  assert.deepEqual(res, { status: "success" });
});

test("a second delete: code 404 in the envelope becomes ArcGISRequestError", { skip }, async () => {
  await assert.rejects(
    request(`${admin()}/dataaccess/deleteUserWorkspace`, {
      httpMethod: "POST",
      params: { userName: "gis_joe", token },
    }),
    (e) => {
      assert.equal(e.name, "ArcGISRequestError");
      assert.equal(e.code, 404);
      assert.match(e.message, /does not exist/);
      return true;
    },
  );
});

test("running containers: the seed's code 500 error", { skip }, async () => {
  await assert.rejects(
    request(`${admin()}/dataaccess/deleteUserWorkspace`, {
      httpMethod: "POST",
      params: { userName: "gis_ann", token },
    }),
    (e) => {
      assert.equal(e.name, "ArcGISRequestError");
      assert.equal(e.code, 500);
      assert.equal(e.originalMessage, "Failed to delete user workspace. The user has actively running containers.");
      return true;
    },
  );
});

test("an invalid token: code 498 becomes ArcGISAuthError", { skip }, async () => {
  await assert.rejects(
    request(`${admin()}/dataaccess/deleteUserWorkspace`, {
      httpMethod: "POST",
      params: { userName: "gis_ann", token: "not-a-token" },
    }),
    (e) => {
      assert.equal(e.name, "ArcGISAuthError");
      assert.equal(e.code, 498);
      return true;
    },
  );
});

test("the containers page names their owner in username", { skip }, async () => {
  const res = await request(`${admin()}/system/containers`, { httpMethod: "GET", params: { token } });
  assert.ok(res.containers.some((c) => c.username === "gis_ann" && c.containerId === "c-gis-ann-1"), JSON.stringify(res));
});
