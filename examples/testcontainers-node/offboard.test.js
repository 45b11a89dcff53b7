// offboard's image from Node's testcontainers, as a test suite of a
// frontend or a Node service would use it: start it, wait on its health
// endpoint, point the code under test at its base URL, give each test a
// session of its own, and assert on the journal. Run in CI against the
// image built from the repository's Dockerfile (OFFBOARD_IMAGE).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { GenericContainer, Wait } from "testcontainers";

const image = process.env.OFFBOARD_IMAGE || "offboard:latest";
let container;
let base;

before(async () => {
  container = await new GenericContainer(image)
    .withExposedPorts(8080)
    .withCopyContentToContainer([{
      content: "name: team\nextends: default\n",
      target: "/scenarios/team.yaml",
    }])
    .withEnvironment({ OFFBOARD_SCENARIO: "/scenarios/team.yaml" })
    .withWaitStrategy(Wait.forHttp("/__admin/health", 8080))
    .start();
  base = `http://${container.getHost()}:${container.getMappedPort(8080)}`;
});

after(async () => {
  await container?.stop();
});

// A session per test: its requests carry X-Offboard-Session, its world
// starts as the scenario loaded.
function session(name) {
  const header = { "X-Offboard-Session": encodeURIComponent(name) };
  return {
    fetch: (path, init = {}) => fetch(base + path, { ...init, headers: { ...header, ...(init.headers || {}) } }),
    async credential(vendor) {
      const r = await fetch(`${base}/__admin/credentials/${vendor}?session=${encodeURIComponent(name)}`);
      assert.equal(r.status, 200);
      const c = await r.json();
      return { [c.header]: c.value };
    },
    async count(filter) {
      const r = await fetch(`${base}/__admin/requests/count`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ...filter, session: name }),
      });
      return (await r.json()).count;
    },
  };
}

test("the mounted scenario is loaded", async () => {
  const r = await fetch(`${base}/__admin/health`);
  assert.equal((await r.json()).scenario, "team");
});

test("an Onedata user is created and removed, once", async () => {
  const s = session("node-onedata");
  const auth = await s.credential("onedata");
  const created = await s.fetch("/api/v3/onezone/users", {
    method: "POST",
    headers: { ...auth, "Content-Type": "application/json" },
    body: JSON.stringify({ username: "from_node", password: "s3cret-pass" }),
  });
  assert.equal(created.status, 201);
  const location = created.headers.get("Location");
  assert.match(location, /\/users\/[0-9a-f]+$/);
  const id = location.split("/").pop();

  const removed = await s.fetch(`/api/v3/onezone/users/${id}`, { method: "DELETE", headers: auth });
  assert.equal(removed.status, 204);
  const again = await s.fetch(`/api/v3/onezone/users/${id}`, { method: "DELETE", headers: auth });
  assert.equal(again.status, 404);
  assert.deepEqual(await again.json(), { error: { description: "The resource could not be found.", id: "notFound" } });

  assert.equal(await s.count({ vendor: "onedata", method: "DELETE", status: 204 }), 1);
});

test("a session does not see another's deletes", async () => {
  const a = session("node-a");
  const b = session("node-b");
  const joe = "a4d3bc73aada63052310652d421609f1";
  assert.equal((await a.fetch(`/api/v3/onezone/users/${joe}`, { method: "DELETE", headers: await a.credential("onedata") })).status, 204);
  assert.equal((await b.fetch(`/api/v3/onezone/users/${joe}`, { headers: await b.credential("onedata") })).status, 200);
});
