/**
 * Wholesale back-office orders through the admin API: priced at the wholesale price level,
 * accepted as a sale through the POS sale service at the first till of the location or at the
 * wholesale default till, cancelled, returned through the return service; versions, roles,
 * concurrent and retried accepts and returns, one audit entry per change.
 */
import assert from "node:assert/strict";
import { adminCall, createTestApp, ORIGIN, signIn, type TestApp } from "../helpers/app.ts";
import { buildWorld, configure, memberRule, publishRules } from "../helpers/world.ts";
import { assertLedgerSound } from "../helpers/ledger.ts";
import { addMerchantToGroup, createMerchant } from "../../programme/merchants.ts";
import type { LoyaltySettings } from "../../programme/settings_schema.ts";

const t: TestApp = await createTestApp();

/**
 * Store 1 (the world's) has POS 5, 2 and 9: its first till is POS 2. Store 2 has no till.
 * Store 900, the warehouse, has POS 1 and 1245 (the wholesale default till).
 */
const A = await buildWorld(t, {
  name: "Acme",
  member: { number: "MIA1", name: "Mia Member" },
  posNumber: 5,
  morePos: [2, 9],
  moreStores: [{ number: 2, pos: [] }, { number: 900, name: "Warehouse", pos: [1, 1245] }],
  staff: { "a-admin": "admin", "a-marketing": "marketing", "a-support": "support" },
});
const B = await buildWorld(t, { name: "Bolt", staff: { "b-admin": "admin" } });
const more = await createMerchant(t.db, {
  orgId: A.org.id,
  name: "Acme warehouse",
  storeIds: [A.stores[1].id, A.stores[2].id],
  actor: A.owner,
});
await addMerchantToGroup(t.db, A.group, more, A.owner);
await publishRules(t, A, [
  memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }),
]);

const owner = A.ownerToken;
const ORDERS = `/merchant-groups/${A.group.id}/wholesale-orders`;
const call = (token: string | null, method: string, path: string, body?: unknown, h = {}) =>
  adminCall(t, token, method, path, body, h);

async function ok(method: string, path: string, body?: unknown, status = 200, h = {}) {
  const res = await call(owner, method, path, body, h);
  assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.json)}`);
  return res.json;
}

await ok("PUT", `/merchant-groups/${A.group.id}/items`, {
  items: [
    { sku: "A1", name: "Olive oil 5 l", category: "FOOD", prices: [1000, 900, 800, 700, 600] },
    { sku: "B2", name: "Vinegar 1 l", category: "FOOD", prices: [500, 0, 400, 300, 200] },
  ],
});

const DEFAULTS = {
  location: 900,
  tillCode: "TILL1",
  tillNumber: 1245,
  operatorNumber: 99,
  priceLevel: 2,
};
const wholesale = (w: Partial<LoyaltySettings["wholesale"]>) =>
  configure(t, owner, A.group.id, { wholesale: { ...DEFAULTS, ...w } });
await wholesale({});

const order = (location: number, lines = [{ sku: "A1", quantity: 2 }], extra = {}) => ({
  customerNumber: "MIA1",
  location,
  currency: "EUR",
  lines,
  ...extra,
});
const create = (location: number, lines?: { sku: string; quantity: number }[]) =>
  ok("POST", ORDERS, order(location, lines), 201);
const accept = (o: { id: string; version: number }, token = owner) =>
  call(token, "POST", `${ORDERS}/${o.id}/accept`, { version: o.version });
const salesOf = async (receipt: string) =>
  await t.db.selectFrom("sales").selectAll().where("org_id", "=", A.org.id)
    .where("receipt_number", "like", `${receipt}%`).orderBy("created_at").execute();
const auditOf = async (id: string) =>
  (await t.db.selectFrom("audit_log").select("action").where("entity", "=", "wholesale-order")
    .where("entity_id", "=", id).orderBy("at").execute()).map((r) => r.action);
const orderCount = async () =>
  (await t.db.selectFrom("wholesale_orders").select("id").execute()).length;
const pointsOf = async () =>
  (await ok("GET", `/customers/${A.member!.customer.id}`)).balances.points;

Deno.test("priced at each of the five price levels", async () => {
  const prices = [1000, 900, 800, 700, 600];
  for (const level of [1, 2, 3, 4, 5]) {
    await wholesale({ priceLevel: level });
    const o = await create(1, [{ sku: "A1", quantity: 3 }]);
    assert.equal(o.priceLevel, level);
    assert.equal(o.lines[0].unitPrice, prices[level - 1]);
    assert.equal(o.total, 3 * prices[level - 1]);
    assert.equal(o.state, "draft");
    assert.equal(o.version, 1);
  }
  await wholesale({});
});

Deno.test("an item without a price at the level is a 422 naming its line; nothing written", async () => {
  const before = await orderCount();
  const res = await call(
    owner,
    "POST",
    ORDERS,
    order(1, [{ sku: "A1", quantity: 1 }, { sku: "B2", quantity: 1 }]),
  );
  assert.equal(res.status, 422);
  assert.deepEqual(res.json.errors, [{
    field: "lines.1.sku",
    message: "B2 has no sell price at level 2, the wholesale price level",
  }]);
  assert.equal(await orderCount(), before);
  // At level 3 the same item has a price.
  await wholesale({ priceLevel: 3 });
  assert.equal((await create(1, [{ sku: "B2", quantity: 2 }])).total, 800);
  await wholesale({});
});

Deno.test("bad input names each field and writes nothing", async () => {
  const before = await orderCount();
  const res = await call(owner, "POST", ORDERS, {
    customerNumber: "NOBODY",
    location: 77,
    currency: "EUR",
    lines: [{ sku: "ZZ", quantity: 1 }],
  });
  assert.equal(res.status, 422);
  assert.equal(res.type, "application/problem+json");
  assert.deepEqual(res.json.errors.map((e: { field: string }) => e.field), [
    "customerNumber",
    "location",
    "lines.0.sku",
  ]);
  const shape = await call(owner, "POST", ORDERS, {
    customerNumber: "MIA1",
    location: 1,
    currency: "eur",
    fulfilment: "drone",
    lines: [{ sku: "A1", quantity: 0 }],
  });
  assert.equal(shape.status, 422);
  assert.deepEqual([...new Set(shape.json.errors.map((e: { field: string }) => e.field))].sort(), [
    "currency",
    "fulfilment",
    "lines.0.quantity",
  ]);
  assert.equal(await orderCount(), before);
});

Deno.test("accepted at the first till of the location: a sale earning points", async () => {
  const points = await pointsOf();
  const o = await create(1);
  assert.equal(o.total, 1800);
  const res = await accept(o);
  assert.equal(res.status, 200, JSON.stringify(res.json));
  const accepted = res.json;
  assert.equal(accepted.state, "accepted");
  assert.equal(accepted.version, 2);
  assert.equal(accepted.sale.receiptNumber, `WO-${o.number}`);
  assert.deepEqual(
    [accepted.sale.storeNumber, accepted.sale.posNumber, accepted.sale.tillCode],
    [1, 2, null],
  );
  assert.equal(accepted.sale.operatorNumber, 99);
  assert.equal(accepted.sale.points, 18);
  const [sale] = await salesOf(`WO-${o.number}`);
  assert.equal(sale.pos_id, A.posAt(1, 2).id);
  assert.deepEqual(sale.tenders, [{ type: "ON_ACCOUNT", amount: 1800 }]);
  assert.equal(sale.total, 1800);
  assert.equal(await pointsOf(), points + 18);
  const statement = await ok("GET", `/customers/${A.member!.customer.id}/statement`);
  assert.ok(
    statement.items.some((l: { receiptNumber: string }) => l.receiptNumber === `WO-${o.number}`),
  );
  const sales = await ok("GET", `/customers/${A.member!.customer.id}/sales`);
  assert.equal(sales.items[0].receiptNumber, `WO-${o.number}`);
  assert.deepEqual(await auditOf(o.id), ["create", "accept"]);
  await assertLedgerSound(t.db);
});

Deno.test("a location without a till: recorded at the wholesale default till", async () => {
  const o = await create(2);
  const accepted = (await accept(o)).json;
  assert.equal(accepted.state, "accepted", JSON.stringify(accepted));
  assert.deepEqual(
    [accepted.sale.storeNumber, accepted.sale.posNumber, accepted.sale.tillCode],
    [900, 1245, "TILL1"],
  );
  assert.equal(accepted.sale.operatorNumber, 99);
  const [sale] = await salesOf(`WO-${o.number}`);
  assert.equal(sale.pos_id, A.posAt(900, 1245).id);
  assert.deepEqual([sale.till_code, sale.operator_number], ["TILL1", 99]);
  assert.equal(accepted.location.storeNumber, 2);
});

Deno.test("no till and no defaults: a 422 naming the missing settings; the order stays a draft", async () => {
  const o = await create(2);
  await configure(t, owner, A.group.id, {
    wholesale: {
      location: null,
      tillCode: null,
      tillNumber: null,
      operatorNumber: null,
      priceLevel: 2,
    },
  });
  const none = await accept(o);
  assert.equal(none.status, 422);
  assert.equal(none.json.type.endsWith("wholesale-till-missing"), true, none.json.type);
  assert.deepEqual(none.json.errors.map((e: { field: string }) => e.field), [
    "wholesale.location",
    "wholesale.tillCode",
    "wholesale.tillNumber",
    "wholesale.operatorNumber",
  ]);
  await wholesale({ tillCode: null, operatorNumber: null });
  const some = await accept(o);
  assert.deepEqual(some.json.errors.map((e: { field: string }) => e.field), [
    "wholesale.tillCode",
    "wholesale.operatorNumber",
  ]);
  await wholesale({ location: 901 });
  assert.deepEqual((await accept(o)).json.errors, [
    { field: "wholesale.location", message: "no active store 901 in this programme" },
  ]);
  await wholesale({ tillNumber: 7 });
  assert.deepEqual((await accept(o)).json.errors, [
    { field: "wholesale.tillNumber", message: "store 900 has no active POS 7" },
  ]);
  await wholesale({});
  const after = await ok("GET", `${ORDERS}/${o.id}`);
  assert.deepEqual([after.state, after.version, after.sale], ["draft", 1, null]);
  assert.equal((await salesOf(`WO-${o.number}`)).length, 0);
  assert.deepEqual(await auditOf(o.id), ["create"]);
});

Deno.test("cancel a draft; a cancelled or accepted order cannot move on", async () => {
  const o = await create(1);
  const cancelled = await ok("POST", `${ORDERS}/${o.id}/cancel`, { version: 1 });
  assert.deepEqual([cancelled.state, cancelled.version], ["cancelled", 2]);
  const stale = await accept(o);
  assert.equal(stale.status, 409);
  assert.ok(stale.json.type.endsWith("stale-version"));
  const refused = await accept(cancelled);
  assert.equal(refused.status, 409);
  assert.ok(refused.json.type.endsWith("order-cancelled"));
  assert.equal((await salesOf(`WO-${o.number}`)).length, 0);

  const other = await create(1);
  const accepted = (await accept(other)).json;
  const cancel = await call(owner, "POST", `${ORDERS}/${other.id}/cancel`, {
    version: accepted.version,
  });
  assert.equal(cancel.status, 409);
  assert.ok(cancel.json.type.endsWith("order-accepted"));
  assert.deepEqual(await auditOf(o.id), ["create", "cancel"]);
});

Deno.test("a stale version is a 409 naming it, and changes nothing", async () => {
  const o = await create(1);
  const res = await call(owner, "POST", `${ORDERS}/${o.id}/accept`, { version: 7 });
  assert.equal(res.status, 409);
  assert.deepEqual(res.json.errors, [{ field: "version", message: "the order is at version 1" }]);
  assert.equal((await ok("GET", `${ORDERS}/${o.id}`)).state, "draft");
  const bad = await call(owner, "POST", `${ORDERS}/${o.id}/accept`, {});
  assert.equal(bad.status, 422);
  assert.equal(bad.json.errors[0].field, "version");
});

Deno.test("accepts sent together or again record one sale", async () => {
  const points = await pointsOf();
  const o = await create(1);
  const answers = await Promise.all(Array.from({ length: 6 }, () => accept(o)));
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200, 200]);
  assert.equal(answers.filter((a) => a.headers.get("Idempotent-Replayed") === "true").length, 5);
  assert.equal(new Set(answers.map((a) => a.json.sale.id)).size, 1);
  const retry = await accept(o);
  assert.equal(retry.headers.get("Idempotent-Replayed"), "true");
  assert.equal((await salesOf(`WO-${o.number}`)).length, 1);
  assert.equal(await pointsOf(), points + 18);
  assert.deepEqual(await auditOf(o.id), ["create", "accept"]);
  await assertLedgerSound(t.db);
});

Deno.test("an accepted order is returned like a sale with its receipt, once per key", async () => {
  const points = await pointsOf();
  const o = await create(1);
  const accepted = (await accept(o)).json;
  const path = `${ORDERS}/${o.id}/returns`;
  const partial = { version: accepted.version, lines: [{ index: 0, quantity: 1 }] };
  const first = await call(owner, "POST", path, partial, { "Idempotency-Key": "r-1" });
  assert.equal(first.status, 201, JSON.stringify(first.json));
  assert.equal(first.json.return.value, 900);
  assert.equal(first.json.return.pointsReversed, 9);
  assert.equal(first.json.return.receiptNumber, `WO-${o.number}-R1`);
  assert.deepEqual(first.json.return.tenders.map((x: { type: string }) => x.type), [
    "ON_ACCOUNT",
  ]);
  assert.equal(first.json.order.lines[0].returnedQuantity, 1);
  assert.equal(first.json.order.version, accepted.version + 1);
  const again = await call(owner, "POST", path, partial, { "Idempotency-Key": "r-1" });
  assert.equal(again.status, 201);
  assert.equal(again.headers.get("Idempotent-Replayed"), "true");
  assert.equal(again.json.return.id, first.json.return.id);
  assert.equal(await pointsOf(), points + 9);

  // Two returns based on one version, sent together: one is recorded, the other is stale.
  const v = first.json.order.version;
  const racing = await Promise.all(
    ["r-2", "r-3"].map((key) =>
      call(owner, "POST", path, { version: v }, { "Idempotency-Key": key })
    ),
  );
  assert.deepEqual(racing.map((r) => r.status).sort(), [201, 409]);
  const done = racing.find((r) => r.status === 201)!.json;
  assert.equal(done.return.value, 900);
  assert.equal(done.order.sale.returnedTotal, 1800);
  assert.equal(done.order.returns.length, 2);
  assert.equal(await pointsOf(), points);
  const empty = await call(owner, "POST", path, { version: done.order.version }, {
    "Idempotency-Key": "r-4",
  });
  assert.equal(empty.status, 422);
  assert.deepEqual(empty.json.errors[0].field, "lines");
  const noKey = await call(owner, "POST", path, { version: done.order.version });
  assert.equal(noKey.status, 422);
  assert.equal(noKey.json.errors[0].field, "Idempotency-Key");
  const sales = await salesOf(`WO-${o.number}`);
  assert.deepEqual(sales.map((s) => s.kind), ["sale", "return", "return"]);
  assert.deepEqual(await auditOf(o.id), ["create", "accept", "return", "return"]);
  await assertLedgerSound(t.db);
});

Deno.test("a draft cannot be returned", async () => {
  const o = await create(1);
  const res = await call(owner, "POST", `${ORDERS}/${o.id}/returns`, { version: 1 }, {
    "Idempotency-Key": "d-1",
  });
  assert.equal(res.status, 409);
  assert.ok(res.json.type.endsWith("order-draft"));
});

Deno.test("roles: admin and marketing manage orders, support reads, other tenants see nothing", async () => {
  const { "a-admin": admin, "a-marketing": marketing, "a-support": support } = A.staff;
  const mine = await call(marketing.token, "POST", ORDERS, order(1), {});
  assert.equal(mine.status, 201);
  assert.equal((await accept(mine.json, marketing.token)).status, 200);
  assert.equal((await call(admin.token, "POST", ORDERS, order(1))).status, 201);
  const draft = await create(1);
  assert.equal((await call(support.token, "POST", ORDERS, order(1))).status, 403);
  assert.equal((await accept(draft, support.token)).status, 403);
  assert.equal((await call(support.token, "GET", `${ORDERS}/${draft.id}`)).status, 200);
  const list = await call(support.token, "GET", `${ORDERS}?state=draft&limit=2`);
  assert.equal(list.status, 200);
  assert.equal(list.json.items.length, 2);
  assert.ok(list.json.items.every((r: { state: string }) => r.state === "draft"));
  assert.ok(list.json.items[0].number > list.json.items[1].number);
  const next = await call(
    support.token,
    "GET",
    `${ORDERS}?state=draft&limit=2&cursor=${list.json.nextCursor}`,
  );
  assert.ok(next.json.items[0].number < list.json.items[1].number);
  const other = B.staff["b-admin"].token;
  assert.equal((await call(other, "GET", ORDERS)).status, 404);
  assert.equal((await accept(draft, other)).status, 404);
  assert.equal(
    (await call(other, "GET", `/merchant-groups/${B.group.id}/wholesale-orders/${draft.id}`))
      .status,
    404,
  );
  assert.equal((await call(null, "GET", ORDERS)).status, 401);
  assert.equal((await ok("GET", `${ORDERS}/${draft.id}`)).state, "draft");
});

Deno.test("the OpenAPI document describes the orders", async () => {
  const doc = await (await t.request("/openapi.json")).json();
  const base = "/api/admin/v1/merchant-groups/{id}/wholesale-orders";
  assert.ok(doc.paths[base].post && doc.paths[base].get);
  for (const p of ["accept", "cancel", "returns"]) {
    assert.ok(doc.paths[`${base}/{orderId}/${p}`].post);
  }
  assert.ok(doc.components.schemas.WholesaleOrder);
});

Deno.test("the console: list, form errors at the row, accept and a refused move as a flash", async () => {
  const { cookie, csrf } = await signIn(t, "owner@example.com");
  // The flash a move leaves travels in a cookie to the page it redirects to.
  let flash = "";
  const page = async (path: string, form?: Record<string, string>) => {
    const res = await t.request(path, {
      method: form ? "POST" : "GET",
      redirect: "manual",
      headers: {
        Cookie: flash ? `${cookie}; ${flash}` : cookie,
        Origin: ORIGIN,
        ...(form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
      },
      body: form ? new URLSearchParams({ _csrf: csrf, ...form }) : undefined,
    });
    flash = res.headers.getSetCookie().find((c) => c.startsWith("le_flash="))?.split(";")[0] ??
      "";
    return { status: res.status, location: res.headers.get("Location"), text: await res.text() };
  };
  const list = await page(`/console/wholesale-orders?group=${A.group.id}`);
  assert.equal(list.status, 200);
  assert.match(list.text, /New order/);
  assert.match(list.text, /sell price level 2/);
  const refused = await page(`/console/wholesale-orders?group=${A.group.id}`, {
    customerNumber: "MIA1",
    location: "1",
    currency: "EUR",
    sku0: "A1",
    quantity0: "1",
    sku3: "B2",
    quantity3: "1",
  });
  assert.equal(refused.status, 422);
  assert.match(refused.text, /id="lines.3.sku-error"[^>]*>B2 has no sell price at level 2/);
  const made = await page(`/console/wholesale-orders?group=${A.group.id}`, {
    customerNumber: "MIA1",
    location: "2",
    fulfilment: "delivery",
    currency: "EUR",
    sku2: "A1",
    quantity2: "4",
  });
  assert.equal(made.status, 303);
  const detail = made.location!;
  const id = detail.split("/").pop()!;
  const o = await ok("GET", `${ORDERS}/${id}`);
  assert.deepEqual([o.total, o.fulfilment, o.location.storeNumber], [3600, "delivery", 2]);
  assert.match((await page(detail)).text, /Accept order/);
  // A stale version from an old page: refused, said on the page, nothing recorded.
  assert.equal((await page(`${detail}/accept`, { version: "5" })).status, 303);
  assert.match((await page(detail)).text, /The order was changed since you loaded it/);
  assert.equal((await page(`${detail}/accept`, { version: "1" })).status, 303);
  const accepted = await page(detail);
  assert.match(accepted.text, /accepted: recorded as sale WO-/);
  assert.match(accepted.text, /store 900 · POS 1245 \(TILL1\)/);
  // The same form sent again answers the accepted order and records no second sale.
  assert.equal((await page(`${detail}/accept`, { version: "1" })).status, 303);
  assert.equal((await salesOf(`WO-${o.number}`)).length, 1);
  assert.match(accepted.text, /A1: units to return \(4 left\)/);
  const some = { version: "2", key: "form-1", quantity0: "1" };
  assert.equal((await page(`${detail}/returns`, some)).status, 303);
  assert.match((await page(detail)).text, /A1: units to return \(3 left\)/);
  assert.equal((await page(`${detail}/returns`, some)).status, 303);
  assert.equal((await page(`${detail}/returns`, { version: "3", quantity0: "9" })).status, 303);
  assert.match((await page(detail)).text, /lines.0.quantity/);
  assert.equal((await page(`${detail}/returns`, { version: "3", key: "form-2" })).status, 303);
  assert.deepEqual((await salesOf(`WO-${o.number}`)).map((s) => s.kind), [
    "sale",
    "return",
    "return",
  ]);
  assert.equal((await ok("GET", `${ORDERS}/${id}`)).sale.returnedTotal, 3600);
  const support = await signIn(t, "a-support@example.com");
  const seen = await t.request(detail, { headers: { Cookie: support.cookie } });
  const text = await seen.text();
  assert.equal(seen.status, 200);
  assert.doesNotMatch(text, /Return everything/);
  const other = await signIn(t, "b-admin@example.com");
  assert.equal((await t.request(detail, { headers: { Cookie: other.cookie } })).status, 404);
});

Deno.test({ name: "close the test app", fn: () => t.close() });
