import assert from "node:assert/strict";
import type { LoyaltySettings } from "../../programme/settings_schema.ts";
import { addOwner, bearerFor, createTestApp, problemOf, type TestApp } from "../helpers/app.ts";

const t: TestApp = await createTestApp();
await addOwner(t);
const owner = await bearerFor(t, "owner@example.com");

async function admin(method: string, path: string, body?: unknown, status = 200) {
  const res = await t.request(`/api/admin/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${owner}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(json)}`);
  return json;
}

/** An organization with one site, stores numbered `stores`, and POS 1 in each store. */
async function programme(name: string, stores: number[]) {
  const org = await admin("POST", "/organizations", { name }, 201);
  const site = await admin("POST", `/organizations/${org.id}/sites`, { name: "Site" }, 201);
  const out = [];
  for (const number of stores) {
    const store = await admin("POST", `/sites/${site.id}/stores`, {
      number,
      name: `Store ${number}`,
      timezone: "Europe/Paris",
    }, 201);
    const pos = await admin("POST", `/stores/${store.id}/pos`, { number: 1, name: "Till" }, 201);
    const pos2 = await admin("POST", `/stores/${store.id}/pos`, { number: 2, name: "Till" }, 201);
    const token = async (p: { id: string }) =>
      (await admin("POST", `/pos/${p.id}/tokens`, { label: "test" }, 201)).token as string;
    out.push({ store, pos, token: await token(pos), token2: await token(pos2) });
  }
  const group = await admin("POST", "/merchant-groups", { organizationId: org.id, name }, 201);
  return { org, site, stores: out, group };
}

/** Org A: store 1's merchant is in group A; store 2's merchant is in no group. */
const A = await programme("Acme", [1, 2]);
const merchantA = await admin("POST", "/merchants", {
  organizationId: A.org.id,
  name: "Acme shops",
  storeIds: [A.stores[0].store.id],
}, 201);
await admin("POST", `/merchant-groups/${A.group.id}/merchants`, { merchantId: merchantA.id });
const lonely = await admin("POST", "/merchants", {
  organizationId: A.org.id,
  name: "Acme outlet",
  storeIds: [A.stores[1].store.id],
}, 201);
/** Org B: its own programme with store 7. */
const B = await programme("Bolt", [7]);
const merchantB = await admin("POST", "/merchants", {
  organizationId: B.org.id,
  name: "Bolt",
  storeIds: [B.stores[0].store.id],
}, 201);
await admin("POST", `/merchant-groups/${B.group.id}/merchants`, { merchantId: merchantB.id });

const posA = A.stores[0].token;
const posA2 = A.stores[0].token2;
const posB = B.stores[0].token;

async function pos(
  token: string,
  method: string,
  path: string,
  opts: { body?: unknown; key?: string; headers?: Record<string, string> } = {},
) {
  const res = await t.request(`/api/pos/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(opts.body === undefined ? {} : { "Content-Type": "application/json" }),
      ...(opts.key === undefined ? {} : { "Idempotency-Key": opts.key }),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const type = res.headers.get("Content-Type") ?? "";
  return {
    status: res.status,
    json: type.includes("json") ? await res.json() : await res.text(),
    type,
    replayed: res.headers.get("Idempotent-Replayed"),
  };
}

const create = (token: string, key: string, body: Record<string, unknown>) =>
  pos(token, "POST", "/customers", { key, body });
const lookup = (token: string, query: string) => pos(token, "GET", `/customers/lookup?${query}`);

async function configure(groupId: string, change: Partial<LoyaltySettings>) {
  const current = await admin("GET", `/merchant-groups/${groupId}/settings`);
  await admin("PUT", `/merchant-groups/${groupId}/settings`, {
    version: current.version,
    settings: { ...current.settings, ...change },
  });
}

const counts = async () => ({
  customers: (await t.db.selectFrom("customers").select("id").execute()).length,
  instruments: (await t.db.selectFrom("instruments").select("id").execute()).length,
  accounts: (await t.db.selectFrom("accounts").select("id").execute()).length,
  keys: (await t.db.selectFrom("idempotency_keys").select("key").execute()).length,
});

Deno.test("POS create: the answer's shape, the automatic card and the default account type", async () => {
  await configure(A.group.id, {
    categoryNames: ["Customer type", "Hobby", "", "", ""],
    defaultAccountType: "POINTS",
    staffLoyaltyCategoryCodes: ["STAFF"],
  });
  const res = await create(posA, "create-1", {
    name: "Ada Lovelace",
    email: "Ada@Example.com",
    phone: "+44 20 7946 0001",
    homeStoreNumber: 1,
    categories: ["staff", "chess"],
  });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  const c = res.json.customer;
  assert.deepEqual(Object.keys(res.json), ["customer"]);
  assert.deepEqual(Object.keys(c).sort(), [
    "accounts",
    "cards",
    "categories",
    "email",
    "id",
    "member",
    "name",
    "number",
    "phone",
    "staff",
  ]);
  assert.match(c.number, /^[1-9][0-9]{15}$/);
  assert.equal(c.name, "Ada Lovelace");
  assert.equal(c.email, "Ada@Example.com");
  assert.equal(c.phone, "+442079460001");
  assert.deepEqual(c.categories, [
    { code: "STAFF", name: "Customer type" },
    { code: "CHESS", name: "Hobby" },
  ]);
  assert.equal(c.member, true);
  assert.equal(c.staff, true);
  assert.deepEqual(c.cards, [{ number: c.number, status: "active" }]);
  assert.deepEqual(c.accounts.map((a: { type: string }) => a.type), ["POINTS"]);
  assert.equal(res.replayed, null);
});

Deno.test("Idempotency-Key: a retry gets the first answer and creates nothing", async () => {
  const body = { name: "Retry Person", categories: ["GOLD"] };
  const first = await create(posA, "retry-1", body);
  assert.equal(first.status, 201);
  const before = await counts();
  const again = await create(posA, "retry-1", { categories: ["GOLD"], name: "Retry Person" });
  assert.equal(again.status, 201);
  assert.deepEqual(again.json, first.json, "the same customer, number and card");
  assert.equal(again.replayed, "true");
  assert.deepEqual(await counts(), before);

  const other = await create(posA, "retry-1", { ...body, name: "Somebody else" });
  assert.equal(other.status, 422);
  assert.equal(other.json.type, "https://loyalty-edge.dev/problems/idempotency-key-reused");
  assert.equal(other.json.errors[0].field, "Idempotency-Key");
  assert.deepEqual(await counts(), before);

  // Keys belong to one POS: another till may use the same one for its own request.
  const elsewhere = await create(posA2, "retry-1", body);
  assert.equal(elsewhere.status, 201);
  assert.notEqual(elsewhere.json.customer.id, first.json.customer.id);
});

Deno.test("Idempotency-Key: concurrent retries of one key create one customer", async () => {
  const before = await counts();
  const body = { name: "Burst", categories: ["GOLD"], email: "burst@example.com" };
  const results = await Promise.all(
    Array.from({ length: 10 }, () => create(posA, "burst-1", body)),
  );
  assert.deepEqual(results.map((r) => r.status), Array(10).fill(201));
  const ids = new Set(results.map((r) => r.json.customer.id));
  assert.equal(ids.size, 1);
  assert.equal(results.filter((r) => r.replayed === null).length, 1, "one did the work");
  const after = await counts();
  assert.equal(after.customers, before.customers + 1);
  assert.equal(after.instruments, before.instruments + 1);
  assert.equal(after.keys, before.keys + 1);
});

Deno.test("Idempotency-Key: required; a refused request does not use up its key", async () => {
  const before = await counts();
  const missing = await pos(posA, "POST", "/customers", {
    body: { name: "No key", categories: ["GOLD"] },
  });
  assert.equal(missing.status, 422);
  assert.equal(missing.json.errors[0].field, "idempotency-key");
  const blank = await create(posA, " ", { name: "Blank key", categories: ["GOLD"] });
  assert.equal(blank.status, 422);
  assert.deepEqual(await counts(), before);

  const mid = await counts();
  const first = await create(posA, "fix-me", { number: "POSNO1", name: "One", categories: ["G"] });
  assert.equal(first.status, 201);
  const dup = await create(posA, "fix-me-2", { number: "posno1", name: "Dup", categories: ["G"] });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.errors[0].field, "number");
  const fixed = await create(posA, "fix-me-2", { name: "Dup", categories: ["G"] });
  assert.equal(fixed.status, 201, "the key was not consumed by the refusal");
  assert.equal((await counts()).customers, mid.customers + 2);
});

Deno.test("POS lookup by card, number, email (any case) and phone (any format)", async () => {
  const made = (await create(posA, "lookup-1", {
    number: "LOOK123",
    name: "Look Up",
    email: "Look.Up@Example.com",
    phone: "06 12 34 56 78",
    categories: ["GOLD"],
  })).json.customer;
  for (
    const query of [
      "card=LOOK123",
      "card=look123",
      "number=LOOK123",
      "email=look.up%40example.COM",
      "phone=06.12.34.56.78",
      "phone=0612345678",
    ]
  ) {
    const res = await lookup(posA, query);
    assert.equal(res.status, 200, query);
    assert.deepEqual(res.json, { customer: made }, query);
  }
  const none = await lookup(posA, "number=NOBODY");
  assert.equal(none.status, 404);
  assert.equal(
    (await problemOf(
      new Response(JSON.stringify(none.json), {
        headers: { "Content-Type": none.type },
      }),
    )).status,
    404,
  );
  assert.equal((await lookup(posA, "card=9999999999999995")).status, 404);
});

Deno.test("POS lookup: exactly one key, valid, else 422 naming it; several matches 409", async () => {
  const cases: [string, string[]][] = [
    ["", ["card", "email", "number", "phone"]],
    ["card=1&number=1", ["card", "number"]],
    ["email=a%40b.com&phone=0612345678&card=1", ["card", "email", "phone"]],
    ["email=not-an-email", ["email"]],
    ["phone=call%20me", ["phone"]],
    ["phone=123", ["phone"]],
    ["number=has%20space", ["number"]],
    [`card=${"9".repeat(255)}`, ["card"]],
  ];
  for (const [query, fields] of cases) {
    const res = await lookup(posA, query);
    assert.equal(res.status, 422, query);
    assert.match(res.type, /problem\+json/);
    assert.deepEqual(res.json.errors.map((e: { field: string }) => e.field).sort(), fields, query);
  }
  await create(posA, "same-mail-1", {
    name: "One",
    email: "shared@example.com",
    categories: ["G"],
  });
  await create(posA, "same-mail-2", {
    name: "Two",
    email: "SHARED@example.com",
    categories: ["G"],
  });
  const ambiguous = await lookup(posA, "email=shared%40example.com");
  assert.equal(ambiguous.status, 409);
  assert.equal(ambiguous.json.type, "https://loyalty-edge.dev/problems/ambiguous-customer");
});

Deno.test("bad input on POS create: 422 naming the field, nothing written", async () => {
  const before = await counts();
  const cases: [unknown, string][] = [
    [{ categories: ["GOLD"] }, "name"],
    [{ name: " ", categories: ["GOLD"] }, "name"],
    [{ name: "N", categories: [] }, "categories"],
    [{ name: "N", categories: [""] }, "categories.0"],
    [{ name: "N" }, "categories"],
    [{ name: "N", categories: ["G"], email: "x@" }, "email"],
    [{ name: "N", categories: ["G"], phone: "+1" }, "phone"],
    [{ name: "N", categories: ["G"], homeStoreNumber: 2 }, "homeStoreNumber"],
    [{ name: "N", categories: ["G"], homeStoreNumber: 7 }, "homeStoreNumber"],
    [{ name: "N", categories: ["G"], number: "#1" }, "number"],
    [{ name: "N", categories: ["G"], points: 100 }, "(body)"],
  ];
  let i = 0;
  for (const [body, field] of cases) {
    const res = await create(posA, `bad-${i++}`, body as Record<string, unknown>);
    assert.equal(res.status, 422, JSON.stringify(body));
    assert.ok(
      res.json.errors.some((e: { field: string }) => e.field === field),
      `${JSON.stringify(body)}: ${JSON.stringify(res.json.errors)}`,
    );
  }
  assert.deepEqual(await counts(), before);
});

Deno.test("a merchant without a group is refused at the POS; after joining it works", async () => {
  const outlet = A.stores[1].token;
  for (
    const res of [
      await lookup(outlet, "number=LOOK123"),
      await create(outlet, "outlet-1", { name: "Outlet", categories: ["GOLD"] }),
    ]
  ) {
    assert.equal(res.status, 403);
    assert.equal(res.json.type, "https://loyalty-edge.dev/problems/merchant-not-in-group");
  }
  const other = await admin("POST", "/merchant-groups", {
    organizationId: A.org.id,
    name: "Outlet programme",
  }, 201);
  await admin("POST", `/merchant-groups/${other.id}/merchants`, { merchantId: lonely.id });
  const created = await create(outlet, "outlet-1", { name: "Outlet", categories: ["GOLD"] });
  assert.equal(created.status, 201);
  // Its own programme: the first group's customers are not visible from there.
  assert.equal((await lookup(outlet, "number=LOOK123")).status, 404);
  assert.equal(
    (await lookup(outlet, `number=${created.json.customer.number}`)).status,
    200,
  );
});

Deno.test("tenant isolation: B's POS never finds A's customers", async () => {
  const secret = (await create(posA, "secret-1", {
    number: "SECRET1",
    name: "Secret",
    email: "secret@example.com",
    phone: "+33 1 23 45 67 89",
    categories: ["GOLD"],
  })).json.customer;
  for (
    const query of [
      "number=SECRET1",
      "card=SECRET1",
      "email=secret%40example.com",
      "phone=%2B33123456789",
    ]
  ) {
    const res = await lookup(posB, query);
    assert.equal(res.status, 404, query);
  }
  // B may create the same number in its own programme: numbers are unique per group.
  const own = await create(posB, "secret-1", { number: "SECRET1", name: "B's", categories: ["X"] });
  assert.equal(own.status, 201);
  assert.notEqual(own.json.customer.id, secret.id);
  assert.equal((await lookup(posA, "number=SECRET1")).json.customer.name, "Secret");
});

Deno.test("POS calls need a device token; staff tokens and site tokens without a POS are refused", async () => {
  assert.equal((await lookup(owner, "number=1")).status, 401);
  const anonymous = await t.request("/api/pos/v1/customers/lookup?number=1");
  assert.equal(anonymous.status, 401);
  const siteToken =
    (await admin("POST", `/sites/${A.site.id}/tokens`, { label: "site" }, 201)).token;
  assert.equal((await lookup(siteToken, "number=LOOK123")).status, 400);
  const acting = await pos(siteToken, "GET", "/customers/lookup?number=LOOK123", {
    headers: { "X-Store-Number": "1", "X-POS-Number": "1" },
  });
  assert.equal(acting.status, 200);
});

Deno.test("the OpenAPI document describes both POS customer calls", async () => {
  const doc = await (await t.request("/openapi.json")).json();
  const get = doc.paths["/api/pos/v1/customers/lookup"].get;
  const post = doc.paths["/api/pos/v1/customers"].post;
  assert.deepEqual(get.security, [{ posBearer: [] }]);
  assert.deepEqual(post.security, [{ posBearer: [] }]);
  assert.deepEqual(
    get.parameters.filter((p: { in: string }) => p.in === "query").map((p: { name: string }) =>
      p.name
    ).sort(),
    ["card", "email", "number", "phone"],
  );
  assert.ok(
    post.parameters.some((p: { name: string; in: string }) =>
      p.name === "idempotency-key" && p.in === "header"
    ),
  );
  assert.ok(post.responses["201"]);
});

Deno.test({ name: "close the test app", fn: () => t.close() });
