/** A store is linked to an existing merchant: once, by one merchant, audited. */
import assert from "node:assert/strict";
import { createMerchant } from "../../programme/merchants.ts";
import { createStore } from "../../registry/stores.ts";
import { adminCall, createTestApp, problemOf, type TestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { buildWorld } from "../helpers/world.ts";

const t: TestApp = await createTestApp();
const A = await buildWorld(t, { name: "Acme", staff: { "a-support": "support" } });
const B = await buildWorld(t, { name: "Bolt", staff: { "b-admin": "admin" } });
let n = 10;
const newStore = async () =>
  await createStore(t.db, A.site, { number: ++n, name: `Store ${n}`, timezone: "UTC" }, A.owner);
const link = (merchantId: string, storeId: string, token = A.ownerToken) =>
  adminCall(t, token, "POST", `/merchants/${merchantId}/stores`, { storeId });

Deno.test(`a store joins a merchant: listed with its stores, audited once (${testBackend})`, async () => {
  const store = await newStore();
  const answer = await link(A.merchant.id, store.id);
  assert.equal(answer.status, 201, JSON.stringify(answer.json));
  assert.ok(answer.json.stores.some((s: { id: string }) => s.id === store.id));
  const entries = await t.db.selectFrom("audit_log").select("action")
    .where("entity_id", "=", A.merchant.id).where("action", "=", "add-store").execute();
  assert.equal(entries.length, 1);
  const again = await link(A.merchant.id, store.id);
  assert.equal(again.status, 409);
  assert.equal((await problemOf(again)).errors[0].field, "storeId");
});

Deno.test(`refused: another organization's store, an unknown id, support, another tenant (${testBackend})`, async () => {
  const store = await newStore();
  assert.equal((await link(A.merchant.id, B.store.id)).status, 422);
  const unknown = await link(A.merchant.id, "not-an-id");
  assert.equal(unknown.status, 422);
  assert.equal((await problemOf(unknown)).errors[0].field, "storeId");
  assert.equal((await link(A.merchant.id, store.id, A.staff["a-support"].token)).status, 403);
  assert.equal((await link(A.merchant.id, store.id, B.staff["b-admin"].token)).status, 404);
  const links = await t.db.selectFrom("merchant_stores").select("store_id")
    .where("store_id", "=", store.id).execute();
  assert.equal(links.length, 0);
});

Deno.test(`two merchants taking one store at once: one gets it, the other a 409 (${testBackend})`, async () => {
  const store = await newStore();
  const other = await createMerchant(t.db, {
    orgId: A.org.id,
    name: "Second",
    storeIds: [],
    actor: A.owner,
  });
  const answers = await Promise.all([link(A.merchant.id, store.id), link(other.id, store.id)]);
  assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409]);
});

Deno.test({ name: "close the test app", fn: () => t.close() });
