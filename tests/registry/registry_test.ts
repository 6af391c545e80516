import assert from "node:assert/strict";
import { adminCall, createTestApp, problemOf, type TestApp } from "../helpers/app.ts";
import { buildRegistry, staffTokens } from "../helpers/world.ts";

const t: TestApp = await createTestApp();

/** Each organization: site North, store 1 "Main street", POS 1 "Till 1". */
const layout = { site: "North", store: { name: "Main street" } };
const A = await buildRegistry(t, {
  name: "Acme",
  ...layout,
  staff: { "a-admin": "admin", "a-marketing": "marketing", "a-support": "support" },
  deviceTokens: true,
});
const B = await buildRegistry(t, { name: "Bolt", ...layout, staff: { "b-admin": "admin" } });
const owner = A.ownerToken;
const tokens: Record<string, string | null> = { owner, anonymous: null, ...staffTokens(A, B) };

const call = (token: string | null, method: string, path: string, body?: unknown) =>
  adminCall(t, token, method, path, body);

// Device tokens are not staff credentials: every admin endpoint refuses them with 401.
tokens["A-site-token"] = A.siteToken;
tokens["A-pos-token"] = A.posToken;
const deviceToken = async (path: string) => (await call(owner, "POST", path, {})).json;
const revoked = await deviceToken(`/pos/${A.pos.id}/tokens`);
await call(owner, "DELETE", `/tokens/${revoked.jti}`);
tokens["revoked-token"] = revoked.token;
const spare =
  (await call(owner, "POST", `/stores/${A.store.id}/pos`, { number: 99, name: "Spare" }))
    .json;
tokens["disabled-pos-token"] = (await deviceToken(`/pos/${spare.id}/tokens`)).token;
await call(owner, "PATCH", `/pos/${spare.id}`, { status: "disabled" });
const devices = {
  "A-site-token": 401,
  "A-pos-token": 401,
  "revoked-token": 401,
  "disabled-pos-token": 401,
};
const tokenToRevoke = (await deviceToken(`/pos/${A.pos.id}/tokens`)).jti;

let n = 100;
const next = () => n++;

type Expect = Record<string, number>;
const read = (ok: number): Expect => ({
  owner: ok,
  "a-admin": ok,
  "a-marketing": ok,
  "a-support": ok,
  "b-admin": 404,
  anonymous: 401,
  ...devices,
});
const manage = (ok: number): Expect => ({
  owner: ok,
  "a-admin": ok,
  "a-marketing": 403,
  "a-support": 403,
  "b-admin": 404,
  anonymous: 401,
  ...devices,
});
const ownerOnly = (ok: number, others = 403): Expect => ({
  owner: ok,
  "a-admin": others,
  "a-marketing": others,
  "a-support": others,
  "b-admin": 404,
  anonymous: 401,
  ...devices,
});

const matrix: { method: string; path: string; body?: () => unknown; expect: Expect }[] = [
  {
    method: "POST",
    path: `/pos/${A.pos.id}/tokens`,
    body: () => ({ label: `t${next()}` }),
    expect: manage(201),
  },
  { method: "POST", path: `/sites/${A.site.id}/tokens`, body: () => ({}), expect: manage(201) },
  { method: "GET", path: `/tokens?principal=pos:${A.pos.id}`, expect: manage(200) },
  { method: "DELETE", path: `/tokens/${tokenToRevoke}`, expect: manage(204) },
  { method: "GET", path: `/organizations/${A.org.id}`, expect: read(200) },
  {
    method: "POST",
    path: "/organizations",
    body: () => ({ name: `Org ${next()}` }),
    expect: { ...ownerOnly(201), "b-admin": 403 },
  },
  {
    method: "PATCH",
    path: `/organizations/${A.org.id}`,
    body: () => ({ name: "Acme" }),
    expect: manage(200),
  },
  { method: "DELETE", path: `/organizations/${A.org.id}`, expect: ownerOnly(409) },
  {
    method: "POST",
    path: `/organizations/${A.org.id}/sites`,
    body: () => ({ name: `Site ${next()}` }),
    expect: manage(201),
  },
  {
    method: "PATCH",
    path: `/sites/${A.site.id}`,
    body: () => ({ name: "North" }),
    expect: manage(200),
  },
  { method: "DELETE", path: `/sites/${A.site.id}`, expect: manage(409) },
  {
    method: "POST",
    path: `/sites/${A.site.id}/stores`,
    body: () => ({ number: next(), name: "Store", timezone: "Europe/Paris" }),
    expect: manage(201),
  },
  {
    method: "PATCH",
    path: `/stores/${A.store.id}`,
    body: () => ({ name: "Main street" }),
    expect: manage(200),
  },
  { method: "DELETE", path: `/stores/${A.store.id}`, expect: manage(409) },
  {
    method: "POST",
    path: `/stores/${A.store.id}/pos`,
    // Each with its own name: two POS of one store may not share one.
    body: () => {
      const number = next();
      return { number, name: `Till ${number}` };
    },
    expect: manage(201),
  },
  {
    method: "PATCH",
    path: `/pos/${A.pos.id}`,
    body: () => ({ name: "Till 1" }),
    expect: manage(200),
  },
  { method: "GET", path: `/organizations/${A.org.id}/staff`, expect: manage(200) },
  {
    method: "POST",
    path: `/organizations/${A.org.id}/staff`,
    body: () => ({ email: `p${next()}@example.com`, name: "P", role: "support" }),
    expect: manage(201),
  },
];

Deno.test("authorization matrix: registry, token and staff endpoints × staff roles, other organization, device tokens", async () => {
  const bTree = (await call(owner, "GET", `/organizations/${B.org.id}`)).json;
  const failures: string[] = [];
  for (const row of matrix) {
    for (const [who, expected] of Object.entries(row.expect)) {
      const res = await call(tokens[who], row.method, row.path, row.body?.());
      if (res.status !== expected) {
        failures.push(`${row.method} ${row.path} as ${who}: ${res.status}, expected ${expected}`);
      }
      if (res.status >= 400) {
        assert.match(res.type, /problem\+json/, `${row.method} ${row.path} as ${who}`);
      }
    }
  }
  assert.deepEqual(failures, []);
  const bAfter = (await call(owner, "GET", `/organizations/${B.org.id}`)).json;
  assert.deepEqual(bAfter, bTree, "nothing of organization B changed");
});

Deno.test("staff see only their organizations; B's ids answer 404 to A's admin", async () => {
  const asA = (await call(tokens["a-admin"], "GET", "/organizations")).json;
  assert.deepEqual(asA.items.map((o: { id: string }) => o.id), [A.org.id]);
  const all = (await call(owner, "GET", "/organizations")).json;
  assert.ok(all.items.length >= 2);
  for (const path of [`/sites/${B.site.id}`, `/stores/${B.store.id}`, `/pos/${B.pos.id}`]) {
    const res = await call(tokens["a-admin"], "PATCH", path, { name: "hijacked" });
    assert.equal(res.status, 404, path);
  }
  const notAnId = await call(owner, "GET", "/organizations/not-a-uuid");
  assert.equal(notAnId.status, 404);
});

Deno.test("the organization tree nests sites, stores and POS", async () => {
  const tree = (await call(tokens["a-support"], "GET", `/organizations/${A.org.id}`)).json;
  assert.equal(tree.name, "Acme");
  const site = tree.sites.find((s: { id: string }) => s.id === A.site.id);
  const store = site.stores.find((s: { id: string }) => s.id === A.store.id);
  assert.equal(store.timezone, "Europe/Paris");
  assert.equal(store.pos[0].number, 1);
  assert.equal(store.pos[0].status, "active");
});

Deno.test("bad registry input answers 4xx naming the field, and writes nothing", async () => {
  const count = async () =>
    (await t.db.selectFrom("stores").select("id").execute()).length +
    (await t.db.selectFrom("pos").select("id").execute()).length +
    (await t.db.selectFrom("sites").select("id").execute()).length;
  const before = await count();
  const cases: [string, string, unknown, number, string][] = [
    [
      "POST",
      `/sites/${A.site.id}/stores`,
      { number: 1, name: "Dup", timezone: "UTC" },
      409,
      "number",
    ],
    [
      "POST",
      `/sites/${A.site.id}/stores`,
      { number: "12", name: "S", timezone: "UTC" },
      422,
      "number",
    ],
    [
      "POST",
      `/sites/${A.site.id}/stores`,
      { number: 1.5, name: "S", timezone: "UTC" },
      422,
      "number",
    ],
    [
      "POST",
      `/sites/${A.site.id}/stores`,
      { number: -3, name: "S", timezone: "UTC" },
      422,
      "number",
    ],
    [
      "POST",
      `/sites/${A.site.id}/stores`,
      { number: 77, name: "S", timezone: "Mars/Olympus" },
      422,
      "timezone",
    ],
    [
      "POST",
      `/sites/${A.site.id}/stores`,
      { number: 78, name: "x".repeat(101), timezone: "UTC" },
      422,
      "name",
    ],
    ["POST", `/stores/${A.store.id}/pos`, { number: 1, name: "Dup" }, 409, "number"],
    ["POST", `/stores/${A.store.id}/pos`, { number: "one", name: "P" }, 422, "number"],
    ["POST", `/stores/${A.store.id}/pos`, { number: 5, name: "   " }, 422, "name"],
    ["POST", `/organizations/${A.org.id}/sites`, { name: "x".repeat(101) }, 422, "name"],
    ["PATCH", `/pos/${A.pos.id}`, {}, 422, "(body)"],
    ["PATCH", `/pos/${A.pos.id}`, { status: "broken" }, 422, "status"],
    ["PATCH", `/stores/${A.store.id}`, { timezone: "Nowhere/Land" }, 422, "timezone"],
  ];
  for (const [method, path, body, status, field] of cases) {
    const res = await call(owner, method, path, body);
    const where = `${method} ${path} ${JSON.stringify(body).slice(0, 60)}`;
    assert.equal(res.status, status, where);
    assert.ok(
      res.json.errors?.some((e: { field: string }) => e.field === field),
      `${where}: ${JSON.stringify(res.json.errors)}`,
    );
  }
  assert.equal(await count(), before);
  const pos =
    (await call(owner, "GET", `/organizations/${A.org.id}`)).json.sites[0].stores[0].pos[0];
  assert.equal(pos.name, "Till 1", "a refused PATCH changed nothing");
});

Deno.test("rename and disable; deleting something without history works, with history is refused", async () => {
  const renamed = await call(owner, "PATCH", `/pos/${A.pos.id}`, {
    name: "Front till",
    status: "disabled",
  });
  assert.equal(renamed.status, 200);
  assert.equal(renamed.json.name, "Front till");
  assert.equal(renamed.json.status, "disabled");
  await call(owner, "PATCH", `/pos/${A.pos.id}`, { name: "Till 1", status: "active" });

  const site =
    (await call(owner, "POST", `/organizations/${A.org.id}/sites`, { name: "Temp" })).json;
  const store = (await call(owner, "POST", `/sites/${site.id}/stores`, {
    number: 1,
    name: "Pop-up",
    timezone: "Asia/Tokyo",
  })).json;
  const refused = await call(owner, "DELETE", `/sites/${site.id}`);
  assert.equal(refused.status, 409);
  assert.equal(refused.json.type, "https://loyalty-edge.dev/problems/has-history");
  assert.equal((await call(owner, "DELETE", `/stores/${store.id}`)).status, 204);
  assert.equal((await call(owner, "DELETE", `/sites/${site.id}`)).status, 204);
  assert.equal((await call(owner, "DELETE", `/sites/${site.id}`)).status, 404);
});

Deno.test("a new store's zone defaults to its site's stores', then its organization's, then UTC", async () => {
  const post = async (path: string, body: unknown) => {
    const res = await call(owner, "POST", path, body);
    assert.equal(res.status, 201, JSON.stringify(res.json));
    return res.json;
  };
  const org = await post("/organizations", { name: "Zones" });
  const first = await post(`/organizations/${org.id}/sites`, { name: "First" });
  const store = (n: number, timezone?: string, site = first) =>
    post(`/sites/${site.id}/stores`, { number: n, name: `S${n}`, timezone });
  assert.equal((await store(1)).timezone, "UTC", "the organization's first store");
  await store(2, "Asia/Tokyo");
  await store(3, "Europe/Lisbon");
  await store(4, "Europe/Lisbon");
  assert.equal((await store(5)).timezone, "Europe/Lisbon", "the site's most common zone");
  const second = await post(`/organizations/${org.id}/sites`, { name: "Second" });
  await store(1, "America/Chicago", second);
  assert.equal((await store(2, undefined, second)).timezone, "America/Chicago", "its own site's");
  const third = await post(`/organizations/${org.id}/sites`, { name: "Third" });
  assert.equal(
    (await store(1, undefined, third)).timezone,
    "Europe/Lisbon",
    "a site without stores: the organization's most common zone",
  );
});

Deno.test("a POS token is not a staff token: the admin API refuses it", async () => {
  const res = await call("eyJhbGciOiJFZERTQSJ9.e30.sig", "GET", "/organizations");
  assert.equal(res.status, 401);
  assert.equal((await problemOf(res)).status, 401);
});

Deno.test({ name: "close the test app", fn: () => t.close() });
