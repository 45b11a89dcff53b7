// Esri's @esri/arcgis-rest-request 4.10.2 (the newest the registry serves
// that installs: 4.11.1 needs an @esri/arcgis-rest-fetch 4.11 it does not
// have) and @esri/arcgis-rest-portal, unmodified, walking the path an app
// built on them walks: sign in with a scenario user, read the portal and
// users, then offboard through the Notebook Server admin API with
// `authentication: manager`, the client finding the server's token
// service (rest/info) and trading its portal token for a server token
// (generateTokenForServer) on its own.
//
//   OFFBOARD_URL=http://127.0.0.1:8080 npm test
import { test } from "node:test";
import assert from "node:assert/strict";
import { ArcGISIdentityManager, request } from "@esri/arcgis-rest-request";
import { getSelf, getUser, searchUsers, searchCommunityUsers, SearchQueryBuilder } from "@esri/arcgis-rest-portal";

// A session of its own, by the path prefix (a base URL is all these
// clients take): the other file's deletes do not reach it.
const base = process.env.OFFBOARD_URL && `${process.env.OFFBOARD_URL}/__session/esri-identity-${process.pid}`;
const skip = base ? false : "OFFBOARD_URL names no running offboard (.ci/run sets it)";
const portal = () => `${base}/arcgis/sharing/rest`;
const admin = () => `${base}/arcgis/notebooks/admin`;

test("sign in, read the portal and its users, offboard with the manager", { skip }, async () => {
  const manager = await ArcGISIdentityManager.signIn({
    username: "siteadmin",
    password: "siteadmin-password",
    portal: portal(),
  });
  assert.equal(manager.username, "siteadmin");
  const me = await manager.getUser();
  assert.equal(me.role, "org_admin");
  assert.ok(me.privileges.includes("portal:admin:deleteUsers"), JSON.stringify(me));

  const self = await getSelf({ authentication: manager });
  assert.equal(self.isPortal, true);
  assert.equal(self.user.username, "siteadmin");
  const ann = await getUser({ username: "gis_ann", authentication: manager });
  assert.equal(ann.username, "gis_ann");
  assert.equal(ann.role, "org_user");
  assert.equal(ann.orgId, self.id);

  // The Notebook Server: the manager asks rest/info, then trades its
  // portal token for the server's.
  const serverToken = await manager.getToken(`${admin()}/system/containers`);
  assert.ok(serverToken && serverToken !== manager.token, "a server token of its own");

  // The offboarding flow, every call authenticated by the manager.
  const auth = { authentication: manager };
  const containers = await request(`${admin()}/system/containers`, { httpMethod: "GET", ...auth });
  const annsContainer = containers.containers.find((c) => c.username === "gis_ann");
  assert.ok(annsContainer, JSON.stringify(containers));
  await assert.rejects(
    request(`${admin()}/dataaccess/deleteUserWorkspace`, { params: { userName: "gis_ann" }, ...auth }),
    (e) => e.name === "ArcGISRequestError" && e.code === 500,
  );
  const stopped = await request(`${admin()}/system/containers/${annsContainer.containerId}/terminateContainer`, auth);
  assert.deepEqual(stopped, { status: "success" });
  const moved = await request(`${admin()}/dataaccess/transferUserWorkspace`, {
    params: { userName: "gis_ann", targetUsername: "gis_joe", targetFoldername: "ann_files" },
    ...auth,
  });
  assert.deepEqual(moved, { status: "success" });
  const deleted = await request(`${admin()}/dataaccess/deleteUserWorkspace`, { params: { userName: "gis_ann" }, ...auth });
  assert.deepEqual(deleted, { status: "success" });
  const left = await request(`${admin()}/dataaccess/listUserWorkspaces`, { httpMethod: "GET", ...auth });
  assert.deepEqual(left.Containers.map((w) => w.Name), ["gis_joe"]);
});

test("generateTokenForServer: the portal's token exchange, and its expiry", { skip }, async () => {
  const manager = await ArcGISIdentityManager.signIn({ username: "siteadmin", password: "siteadmin-password", portal: portal() });
  const info = await request(`${base}/arcgis/notebooks/rest/info`);
  assert.equal(info.owningSystemUrl, `${base}/arcgis`);
  const { token, expires } = await manager.generateTokenForServer(info.authInfo.tokenServicesUrl, `${base}/arcgis/notebooks`);
  // The client subtracts five minutes; the asked duration is two weeks.
  const lifetime = expires.getTime() + 5 * 60 * 1000 - Date.now();
  assert.ok(lifetime > 14 * 24 * 3600 * 1000 - 60 * 1000 && lifetime <= 14 * 24 * 3600 * 1000, `lifetime ${lifetime}`);
  const listed = await request(`${admin()}/system/containers`, { httpMethod: "GET", params: { token } });
  assert.ok(Array.isArray(listed.containers));
  await assert.rejects(
    request(`${portal()}/generateToken`, { params: { token: "not-a-token", serverUrl: `${base}/arcgis/notebooks` } }),
    (e) => e.name === "ArcGISAuthError" && e.code === 498,
  );
});

test("a user who is not signed in: community/self asks for a token", { skip }, async () => {
  await assert.rejects(request(`${portal()}/community/self`, { httpMethod: "GET" }), (e) => e.code === 499);
});

test("searchUsers and searchCommunityUsers: a page that lists users to pick a leaver", { skip }, async () => {
  const manager = await ArcGISIdentityManager.signIn({ username: "siteadmin", password: "siteadmin-password", portal: portal() });
  // The organization's users a page at a time, following nextPage.
  let page = await searchUsers({ q: "*", num: 2, authentication: manager });
  const names = page.results.map((u) => u.username);
  assert.equal(page.total, 3);
  while (page.nextPage) {
    page = await page.nextPage();
    names.push(...page.results.map((u) => u.username));
  }
  assert.deepEqual(names, ["gis_ann", "gis_joe", "siteadmin"]);
  // The query builder's field syntax, with a wildcard.
  const q = new SearchQueryBuilder().match("gis_*").in("username");
  const found = await searchUsers({ q, authentication: manager });
  assert.deepEqual(found.results.map((u) => u.username), ["gis_ann", "gis_joe"]);
  assert.equal(found.results[1].fullName, "Joe Example");
  // Any signed-in user searches the community.
  const user = await ArcGISIdentityManager.signIn({ username: "gis_ann", password: "gis-ann-password", portal: portal() });
  const joe = await searchCommunityUsers({ q: "joe", authentication: user });
  assert.deepEqual(joe.results.map((u) => u.username), ["gis_joe"]);
  // The organization's search is an administrator's.
  await assert.rejects(searchUsers({ q: "*", authentication: user }), (e) => e.name === "ArcGISRequestError" && e.code === 403);
});
