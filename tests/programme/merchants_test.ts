import assert from "node:assert/strict";
import { addMember, adminCall, bearerFor, createTestApp, type TestApp } from "../helpers/app.ts";
import { buildRegistry } from "../helpers/world.ts";

const t: TestApp = await createTestApp();

/** Acme: stores 1, 2 and 3; Bolt: store 1. Each store has POS 1 and 2; no merchant yet. */
const A = await buildRegistry(t, {
  name: "Acme",
  morePos: [2],
  moreStores: [{ number: 2, pos: [1, 2] }, { number: 3, pos: [1, 2] }],
});
const B = await buildRegistry(t, { name: "Bolt", morePos: [2] });
const owner = A.ownerToken;

const call = (token: string | null, method: string, path: string, body?: unknown) =>
  adminCall(t, token, method, path, body);

Deno.test("a merchant group starts with the default settings at version 1", async () => {
  const group = await call(owner, "POST", "/merchant-groups", {
    organizationId: A.org.id,
    name: "Acme Rewards",
  });
  assert.equal(group.status, 201);
  const row = await t.db.selectFrom("loyalty_settings").selectAll()
    .where("group_id", "=", group.json.id).executeTakeFirstOrThrow();
  assert.equal(row.version, 1);
  assert.equal((row.settings as { roundingRule: string }).roundingRule, "none");
});

Deno.test("a merchant links only to registered stores of its own organization", async () => {
  const foreign = await call(owner, "POST", "/merchants", {
    organizationId: A.org.id,
    name: "Sneaky",
    storeIds: [A.stores[0].id, B.stores[0].id],
  });
  assert.equal(foreign.status, 422);
  assert.deepEqual(foreign.json.errors.map((e: { field: string }) => e.field), ["storeIds.1"]);
  const unknown = await call(owner, "POST", "/merchants", {
    organizationId: A.org.id,
    name: "Ghost",
    storeIds: ["not-a-store"],
  });
  assert.equal(unknown.status, 422);
  const none = await call(owner, "POST", "/merchants", {
    organizationId: A.org.id,
    name: "Empty",
    storeIds: [],
  });
  assert.equal(none.status, 422);
  assert.equal(none.json.errors[0].field, "storeIds");
  const merchants = await t.db.selectFrom("merchants").select("id").execute();
  assert.equal(merchants.length, 0, "nothing written");

  const ok = await call(owner, "POST", "/merchants", {
    organizationId: A.org.id,
    name: "Acme Paris",
    storeIds: [A.stores[0].id, A.stores[1].id],
  });
  assert.equal(ok.status, 201);
  assert.equal(ok.json.merchantGroupId, null);
  const taken = await call(owner, "POST", "/merchants", {
    organizationId: A.org.id,
    name: "Acme Again",
    storeIds: [A.stores[2].id, A.stores[1].id],
  });
  assert.equal(taken.status, 409);
  assert.equal(taken.json.errors[0].field, "storeIds.1");

  const detail = await call(owner, "GET", `/merchants/${ok.json.id}`);
  assert.equal(detail.status, 200);
  assert.deepEqual(detail.json.stores.map((s: { number: number }) => s.number), [1, 2]);
  assert.deepEqual(
    detail.json.stores[0].pos.map((p: { number: number }) => p.number),
    [1, 2],
    "the detail lists every POS of the merchant's stores",
  );
});

Deno.test("joining a group: once, audited, and never across organizations", async () => {
  const group = (await call(owner, "POST", "/merchant-groups", {
    organizationId: A.org.id,
    name: "Acme Club",
  })).json;
  const other = (await call(owner, "POST", "/merchant-groups", {
    organizationId: A.org.id,
    name: "Acme Other",
  })).json;
  const merchant = (await call(owner, "POST", "/merchants", {
    organizationId: A.org.id,
    name: "Acme Lyon",
    storeIds: [A.stores[2].id],
  })).json;
  const bGroup = (await call(owner, "POST", "/merchant-groups", {
    organizationId: B.org.id,
    name: "Bolt Club",
  })).json;

  const cross = await call(owner, "POST", `/merchant-groups/${bGroup.id}/merchants`, {
    merchantId: merchant.id,
  });
  assert.equal(cross.status, 404, "a merchant of A cannot join B's group");

  const joined = await call(owner, "POST", `/merchant-groups/${group.id}/merchants`, {
    merchantId: merchant.id,
  });
  assert.equal(joined.status, 200);
  assert.equal(joined.json.merchantGroupId, group.id);
  const again = await call(owner, "POST", `/merchant-groups/${group.id}/merchants`, {
    merchantId: merchant.id,
  });
  assert.equal(again.status, 200, "joining the same group again is a no-op");
  const moved = await call(owner, "POST", `/merchant-groups/${other.id}/merchants`, {
    merchantId: merchant.id,
  });
  assert.equal(moved.status, 409);

  const audit = await t.db.selectFrom("audit_log").select(["action", "entity"])
    .where("entity_id", "=", merchant.id).orderBy("at").execute();
  assert.deepEqual(audit.map((a) => a.action), ["create", "join-group"]);

  const withMerchants = await call(owner, "GET", `/merchant-groups/${group.id}`);
  assert.deepEqual(withMerchants.json.merchants.map((m: { id: string }) => m.id), [merchant.id]);
});

Deno.test("tenant isolation and roles for groups and merchants", async () => {
  await addMember(t, B.org.id, "admin", "b-admin@example.com");
  await addMember(t, A.org.id, "marketing", "a-marketing@example.com");
  const bAdmin = await bearerFor(t, "b-admin@example.com");
  const aMarketing = await bearerFor(t, "a-marketing@example.com");
  const aGroup = (await call(owner, "GET", `/merchant-groups?organizationId=${A.org.id}`)).json
    .items[0];
  const aMerchant = (await call(owner, "GET", `/merchants?organizationId=${A.org.id}`)).json
    .items[0];

  assert.equal((await call(bAdmin, "GET", `/merchant-groups/${aGroup.id}`)).status, 404);
  assert.equal((await call(bAdmin, "GET", `/merchants/${aMerchant.id}`)).status, 404);
  assert.equal(
    (await call(bAdmin, "POST", "/merchant-groups", { organizationId: A.org.id, name: "X" }))
      .status,
    404,
  );
  const bLists = (await call(bAdmin, "GET", "/merchant-groups")).json.items;
  assert.ok(bLists.every((g: { organizationId: string }) => g.organizationId === B.org.id));
  const filtered = await call(bAdmin, "GET", `/merchants?organizationId=${A.org.id}`);
  assert.deepEqual(filtered.json.items, []);

  assert.equal((await call(aMarketing, "GET", `/merchant-groups/${aGroup.id}`)).status, 200);
  const refused = await call(aMarketing, "POST", "/merchants", {
    organizationId: A.org.id,
    name: "Nope",
    storeIds: [A.stores[0].id],
  });
  assert.equal(refused.status, 403);
});

Deno.test("group and merchant lists page with a cursor", async () => {
  for (let i = 0; i < 5; i++) {
    await call(owner, "POST", "/merchant-groups", { organizationId: B.org.id, name: `G${i}` });
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `/merchant-groups?organizationId=${B.org.id}&limit=2` +
      (cursor ? `&cursor=${cursor}` : "");
    const res = await call(owner, "GET", query);
    assert.ok(res.json.items.length <= 2);
    seen.push(...res.json.items.map((g: { name: string }) => g.name));
    cursor = res.json.nextCursor;
  } while (cursor);
  assert.deepEqual(seen, [...seen].sort());
  assert.equal(new Set(seen).size, seen.length);
  assert.ok(seen.length >= 6);
  const bad = await call(owner, "GET", "/merchant-groups?cursor=garbage");
  assert.equal(bad.status, 422);
  assert.equal(bad.json.errors[0].field, "cursor");
});

Deno.test({ name: "close the test app", fn: () => t.close() });
