/**
 * Where a wholesale order's sale goes (wholesale/till.ts), as a service: the lowest active POS
 * of the location, else the default till of the settings, else a 422 naming each missing
 * setting.
 */
import assert from "node:assert/strict";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { buildWorld } from "../helpers/world.ts";
import { ProblemError } from "../../errors/problem.ts";
import { addMerchantToGroup, createMerchant } from "../../programme/merchants.ts";
import { getSettings } from "../../programme/settings.ts";
import type { LoyaltySettings } from "../../programme/settings_schema.ts";
import { updatePos } from "../../registry/pos.ts";
import { programmeStores, wholesaleTill } from "../../wholesale/till.ts";

const t: TestApp = await createTestApp();
const w = await buildWorld(t, {
  name: "Acme",
  posNumber: 4,
  morePos: [1, 2],
  moreStores: [{ number: 2, pos: [] }, { number: 900, pos: [1245] }],
});
const linked = await createMerchant(t.db, {
  orgId: w.org.id,
  name: "Warehouse",
  storeIds: [w.stores[1].id, w.stores[2].id],
  actor: w.owner,
});
await addMerchantToGroup(t.db, w.group, linked, w.owner);
const { settings } = await getSettings(t.db, w.group);
const stores = await programmeStores(t.db, w.group);
const store = (n: number) => stores.find((s) => s.number === n)!;
const withDefaults = (change: Partial<LoyaltySettings["wholesale"]>): LoyaltySettings => ({
  ...settings,
  wholesale: {
    location: 900,
    tillCode: "TILL1",
    tillNumber: 1245,
    operatorNumber: 99,
    priceLevel: 1,
    ...change,
  },
});

Deno.test("the programme's stores, by number", () => {
  assert.deepEqual(stores.map((s) => s.number), [1, 2, 900]);
});

Deno.test("the lowest active POS of the location; a disabled one is skipped", async () => {
  const first = await wholesaleTill(t.db, w.group, store(1), withDefaults({}));
  assert.equal(first.source, "location");
  assert.equal(first.till.posId, w.posAt(1, 1).id);
  assert.deepEqual(first.recordedAs, { tillCode: null, operatorNumber: 99 });
  await updatePos(t.db, w.posAt(1, 1), { status: "disabled" }, w.owner);
  const next = await wholesaleTill(t.db, w.group, store(1), withDefaults({ operatorNumber: null }));
  assert.equal(next.till.posId, w.posAt(1, 2).id);
  assert.deepEqual(next.recordedAs, { tillCode: null, operatorNumber: null });
  await updatePos(t.db, w.posAt(1, 1), { status: "active" }, w.owner);
});

Deno.test("a location without a till: the default till, with its code and operator", async () => {
  const till = await wholesaleTill(t.db, w.group, store(2), withDefaults({}));
  assert.equal(till.source, "defaults");
  assert.deepEqual(
    [till.till.storeNumber, till.till.posNumber, till.till.posId],
    [900, 1245, w.posAt(900, 1245).id],
  );
  assert.deepEqual(till.recordedAs, { tillCode: "TILL1", operatorNumber: 99 });
});

Deno.test("neither: a 422 naming each missing setting", async () => {
  const refusal = async (change: Partial<LoyaltySettings["wholesale"]>) => {
    const err = await wholesaleTill(t.db, w.group, store(2), withDefaults(change))
      .then(() => null, (e) => e);
    assert.ok(err instanceof ProblemError);
    assert.equal(err.status, 422);
    assert.equal(err.slug, "wholesale-till-missing");
    return err.extra.errors!.map((e) => e.field);
  };
  assert.deepEqual(
    await refusal({ location: null, tillCode: null, tillNumber: null, operatorNumber: null }),
    [
      "wholesale.location",
      "wholesale.tillCode",
      "wholesale.tillNumber",
      "wholesale.operatorNumber",
    ],
  );
  assert.deepEqual(await refusal({ tillNumber: null }), ["wholesale.tillNumber"]);
  assert.deepEqual(await refusal({ location: 3 }), ["wholesale.location"]);
  assert.deepEqual(await refusal({ tillNumber: 1 }), ["wholesale.tillNumber"]);
});

Deno.test({ name: "close the test app", fn: () => t.close() });
