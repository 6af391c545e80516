import assert from "node:assert/strict";
import { addMember, adminCall, bearerFor, createTestApp, type TestApp } from "../helpers/app.ts";
import { buildRegistry, posCall } from "../helpers/world.ts";

const t: TestApp = await createTestApp();

/** Stores 1, 2 and 3 of one site, POS 1 in each; no merchant yet. */
const A = await buildRegistry(t, {
  name: "Acme",
  site: "North",
  moreStores: [{ number: 2 }, { number: 3 }],
  deviceTokens: true,
});
const owner = A.ownerToken;
const org = A.org;
const [store1, store2] = A.stores;
const pos1 = A.pos;
const token1 = A.posToken;
const token3 = A.tokenAt(3, 1);

const admin = (method: string, path: string, body?: unknown, token = owner) =>
  adminCall(t, token, method, path, body);
const pos = (token: string, path: string, headers: Record<string, string> = {}) =>
  posCall(t, token, "GET", path, { headers });
const lookup = "/customers/lookup?number=123";

Deno.test("merchant without a group: its POS are refused with 403 merchant-not-in-group until it joins", async () => {
  const noMerchant = await pos(token1, lookup);
  assert.equal(noMerchant.status, 403);
  assert.equal(noMerchant.json.type, "https://loyalty-edge.dev/problems/no-merchant");

  const merchant = (await admin("POST", "/merchants", {
    organizationId: org.id,
    name: "Acme North",
    storeIds: [store1.id, store2.id],
  })).json;
  const refused = await pos(token1, lookup);
  assert.equal(refused.status, 403);
  assert.equal(refused.json.type, "https://loyalty-edge.dev/problems/merchant-not-in-group");
  const me = await pos(token1, "/me");
  assert.equal(me.status, 200, "a POS can still check its configuration");
  assert.equal(me.json.merchantId, merchant.id);
  assert.equal(me.json.merchantGroupId, null);

  const group = (await admin("POST", "/merchant-groups", { organizationId: org.id, name: "Club" }))
    .json;
  await admin("POST", `/merchant-groups/${group.id}/merchants`, { merchantId: merchant.id });
  const works = await pos(token1, lookup);
  assert.equal(works.status, 404, "the call now reaches the programme (no such customer)");
  assert.equal(works.json.type, "https://loyalty-edge.dev/problems/not-found");
  assert.equal((await pos(token1, "/me")).json.merchantGroupId, group.id);

  const otherStore = await pos(token3, lookup);
  assert.equal(otherStore.status, 403, "a store of no merchant stays refused");
});

Deno.test("merchant tokens: issued, scoped to the merchant's stores, listed and revoked", async () => {
  const merchant = (await admin("GET", `/merchants?organizationId=${org.id}`)).json.items[0];
  const issued = await admin("POST", `/merchants/${merchant.id}/tokens`, { label: "HQ" });
  assert.equal(issued.status, 201);
  const token = issued.json.token as string;

  const me = await pos(token, "/me");
  assert.equal(me.status, 200);
  assert.equal(me.json.kind, "merchant");
  assert.equal(me.json.merchantId, merchant.id);
  assert.equal(me.json.posId, null);
  assert.equal(
    (await pos(token, lookup)).status,
    404,
    "the programme is reachable as the merchant",
  );

  const acting = await pos(token, "/me", { "X-Store-Number": "2", "X-POS-Number": "1" });
  assert.equal(acting.status, 200);
  assert.equal(acting.json.storeNumber, 2);
  assert.equal(acting.json.kind, "merchant");
  const outside = await pos(token, "/me", { "X-Store-Number": "3", "X-POS-Number": "1" });
  assert.equal(outside.status, 401, "store 3 is not the merchant's");

  const list = await admin("GET", `/tokens?principal=merchant:${merchant.id}`);
  assert.deepEqual(list.json.items.map((i: { label: string }) => i.label), ["HQ"]);
  assert.equal((await admin("DELETE", `/tokens/${issued.json.jti}`)).status, 204);
  assert.equal((await pos(token, "/me")).status, 401);
});

Deno.test("merchant tokens: other organizations get 404, weaker roles 403", async () => {
  const merchant = (await admin("GET", `/merchants?organizationId=${org.id}`)).json.items[0];
  const other = (await admin("POST", "/organizations", { name: "Bolt" })).json;
  await addMember(t, other.id, "admin", "b-admin@example.com");
  await addMember(t, org.id, "support", "a-support@example.com");
  const bAdmin = await bearerFor(t, "b-admin@example.com");
  const aSupport = await bearerFor(t, "a-support@example.com");
  const path = `/merchants/${merchant.id}/tokens`;
  assert.equal((await admin("POST", path, {}, bAdmin)).status, 404);
  assert.equal((await admin("POST", path, {}, aSupport)).status, 403);
  assert.equal(
    (await admin("GET", `/tokens?principal=merchant:${merchant.id}`, undefined, bAdmin)).status,
    404,
  );
});

Deno.test("disabling a POS takes effect at once on this instance, despite the token cache", async () => {
  assert.equal((await pos(token1, "/me")).status, 200);
  await admin("PATCH", `/pos/${pos1.id}`, { status: "disabled" });
  assert.equal((await pos(token1, "/me")).status, 401);
  await admin("PATCH", `/pos/${pos1.id}`, { status: "active" });
  assert.equal((await pos(token1, "/me")).status, 200);
});

Deno.test("every POS endpoint with a body answers bad input with a 4xx problem, writing nothing", async () => {
  const doc = await (await t.request("/openapi.json")).json();
  const withBody = Object.entries(doc.paths as Record<string, Record<string, object>>)
    .filter(([path]) => path.startsWith("/api/pos/"))
    .flatMap(([path, ops]) =>
      Object.entries(ops).filter(([, op]) => "requestBody" in op).map(([m]) => ({ path, m }))
    );
  assert.ok(withBody.length >= 1);
  const before = (await t.db.selectFrom("customers").select("id").execute()).length;
  const bodies: [string, string, string, number][] = [
    ["malformed JSON", '{"name": ', "application/json", 400],
    ["wrong types", JSON.stringify({ name: 5, categories: "GOLD" }), "application/json", 422],
    ["an array", "[]", "application/json", 422],
    ["oversize", JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) }), "application/json", 413],
    ["not JSON", "name=x", "application/x-www-form-urlencoded", 415],
  ];
  for (const { path, m } of withBody) {
    for (const [name, body, type, status] of bodies) {
      // A path parameter gets a well-formed value: the body is what is under test.
      const res = await t.request(path.replaceAll(/\{[^}]+\}/g, "X2"), {
        method: m.toUpperCase(),
        headers: {
          Authorization: `Bearer ${token1}`,
          "Content-Type": type,
          "Idempotency-Key": crypto.randomUUID(),
        },
        body,
      });
      assert.equal(res.status, status, `${m} ${path}: ${name}`);
      assert.match(res.headers.get("Content-Type") ?? "", /problem\+json/, `${path}: ${name}`);
      await res.body?.cancel();
    }
  }
  const after = (await t.db.selectFrom("customers").select("id").execute()).length;
  assert.equal(after, before);
});

Deno.test({ name: "close the test app", fn: () => t.close() });
