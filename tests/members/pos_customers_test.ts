import assert from "node:assert/strict";
import { adminCall, createTestApp, problemOf, type TestApp } from "../helpers/app.ts";
import { buildWorld, configure, posCall } from "../helpers/world.ts";

const t: TestApp = await createTestApp();

/** Org A: store 1 (POS 1 and 2)'s merchant is in group A; store 2's merchant is in no group. */
const A = await buildWorld(t, {
  name: "Acme",
  morePos: [2],
  moreStores: [{ number: 2 }],
  member: null,
});
const owner = A.ownerToken;

async function admin(method: string, path: string, body?: unknown, status = 200) {
  const res = await adminCall(t, owner, method, path, body);
  assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.json)}`);
  return res.json;
}

const lonely = await admin("POST", "/merchants", {
  organizationId: A.org.id,
  name: "Acme outlet",
  storeIds: [A.stores[1].id],
}, 201);
/** Org B: its own programme with store 7. */
const B = await buildWorld(t, { name: "Bolt", store: { number: 7 }, member: null });

const posA = A.posToken;
const posA2 = A.tokenAt(1, 2);
const posB = B.posToken;

const create = (token: string, key: string, body: Record<string, unknown>) =>
  posCall(t, token, "POST", "/customers", { key, body });
const lookup = (token: string, query: string) =>
  posCall(t, token, "GET", `/customers/lookup?${query}`);
const replayed = (res: { headers: Headers }) => res.headers.get("Idempotent-Replayed");

const counts = async () => ({
  customers: (await t.db.selectFrom("customers").select("id").execute()).length,
  instruments: (await t.db.selectFrom("instruments").select("id").execute()).length,
  accounts: (await t.db.selectFrom("accounts").select("id").execute()).length,
  keys: (await t.db.selectFrom("idempotency_keys").select("key").execute()).length,
});

Deno.test("POS create: the answer's shape, the automatic card and the default account type", async () => {
  await configure(t, owner, A.group.id, {
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
  assert.equal(replayed(res), null);
});

Deno.test("Idempotency-Key: a retry gets the first answer and creates nothing", async () => {
  const body = { name: "Retry Person", categories: ["GOLD"] };
  const first = await create(posA, "retry-1", body);
  assert.equal(first.status, 201);
  const before = await counts();
  const again = await create(posA, "retry-1", { categories: ["GOLD"], name: "Retry Person" });
  assert.equal(again.status, 201);
  assert.deepEqual(again.json, first.json, "the same customer, number and card");
  assert.equal(replayed(again), "true");
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
  assert.equal(results.filter((r) => replayed(r) === null).length, 1, "one did the work");
  const after = await counts();
  assert.equal(after.customers, before.customers + 1);
  assert.equal(after.instruments, before.instruments + 1);
  assert.equal(after.keys, before.keys + 1);
});

Deno.test("Idempotency-Key: required; a refused request does not use up its key", async () => {
  const before = await counts();
  const missing = await posCall(t, posA, "POST", "/customers", {
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
      "phone=%2B33612345678",
      "card=LOOK%20123",
      "number=LO-OK%20123",
    ]
  ) {
    const res = await lookup(posA, query);
    assert.equal(res.status, 200, query);
    assert.deepEqual(res.json, {
      customer: {
        ...made,
        balances: { points: 0 },
        statistics: { visits: 0, salesCount: 0, spend: 0, firstVisit: null, lastVisit: null },
      },
    }, query);
  }
  const none = await lookup(posA, "number=NOBODY");
  assert.equal(none.status, 404);
  assert.equal(
    (await problemOf(none)).status,
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
    ["number=has%21bang", ["number"]],
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
    [{ name: "N", categories: ["G"], points: 100 }, "points"],
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
  const outlet = A.tokenAt(2, 1);
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

Deno.test("a phone is stored in E.164 from the store's country; console and POS find it by either form", async () => {
  const fromPos = (await create(posA, "e164-1", {
    name: "Paris Phone",
    phone: "06 98 76 54 32",
    categories: ["GOLD"],
  })).json.customer;
  assert.equal(fromPos.phone, "+33698765432", "national, at a POS in Europe/Paris");
  const fromConsole = await admin("POST", `/merchant-groups/${A.group.id}/customers`, {
    name: "Console Phone",
    phone: "07 11 22 33 44",
    categories: ["GOLD"],
  }, 201);
  assert.equal(fromConsole.phone, "+33711223344", "national, in the programme's country");
  const abroad = await admin("POST", `/merchant-groups/${A.group.id}/customers`, {
    name: "Abroad Phone",
    phone: "+44 20 7946 0002",
    categories: ["GOLD"],
  }, 201);
  assert.equal(abroad.phone, "+442079460002", "an international number keeps its country");
  for (
    const [typed, id] of [
      ["+33698765432", fromPos.id],
      ["06 98 76 54 32", fromPos.id],
      ["07.11.22.33.44", fromConsole.id],
      ["+33 7 11 22 33 44", fromConsole.id],
    ]
  ) {
    const search = await admin(
      "GET",
      `/merchant-groups/${A.group.id}/customers?q=${encodeURIComponent(typed)}`,
    );
    assert.deepEqual(search.items.map((c: { id: string }) => c.id), [id], `console: ${typed}`);
    const res = await lookup(posA, `phone=${encodeURIComponent(typed)}`);
    assert.equal(res.status, 200, `POS: ${typed}`);
    assert.equal(res.json.customer.id, id, `POS: ${typed}`);
  }
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
  const siteToken = A.siteToken;
  assert.equal((await lookup(siteToken, "number=LOOK123")).status, 400);
  const acting = await posCall(t, siteToken, "GET", "/customers/lookup?number=LOOK123", {
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
