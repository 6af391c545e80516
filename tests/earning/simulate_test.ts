/**
 * POST /api/admin/v1/merchant-groups/{id}/rules/simulate: the draft (or rules sent along)
 * against a typed basket, with the trace that says why a rule did or did not fire.
 */
import assert from "node:assert/strict";
import { upsertItems } from "../../catalogue/items.ts";
import { adminCall, createTestApp } from "../helpers/app.ts";
import { buildWorld } from "../helpers/world.ts";

const t = await createTestApp();
const w = await buildWorld(t, {
  name: "Simulate",
  store: { number: 7, timezone: "America/New_York" },
  member: { number: "M7", categories: ["GOLD", null, "NORTH"] as string[] },
  settings: { staffLoyaltyCategoryCodes: ["STAFF"] },
  staff: { "sim-support": "support" },
});
const other = await buildWorld(t, { name: "Simulate other" });
await upsertItems(t.db, w.group, [
  { sku: "SH1", name: "Shoe", category: "SHOES", prices: [1000, 1000, 1000, 1000, 1000] },
], w.owner);
const support = w.staff["sim-support"].token;

const tuesdayBonus = {
  id: "tuesday-bonus",
  name: "50 points on Tuesdays",
  enabled: true,
  priority: 20,
  conditions: { all: [{ fact: "dayOfWeek", operator: "equal", value: 2 }] },
  event: { type: "basket-points", params: { points: 50 } },
};
const basic = {
  id: "basic",
  name: "1 point per EUR",
  enabled: true,
  priority: 10,
  conditions: {
    all: [{ fact: "customerCategory", params: { index: 3 }, operator: "equal", value: "NORTH" }],
  },
  event: { type: "basic-points", params: { pointsPerUnit: 1 } },
};
const path = (g = w.group) => `/merchant-groups/${g.id}/rules/simulate`;
const simulate = (body: unknown, token = w.ownerToken, g = w.group) =>
  adminCall(t, token, "POST", path(g), body);
/** 03:00 on Wednesday in Paris is 21:00 on Tuesday in New York (store 7). */
const basket = (extra: Record<string, unknown> = {}) => ({
  currency: "EUR",
  storeNumber: 7,
  at: "2025-03-05T02:00:00Z",
  customer: { number: "M7" },
  lines: [{ sku: "SH1", quantity: 2, unitPrice: 1000 }],
  tenders: [{ type: "CASH", amount: 2000 }],
  ...extra,
});

const draft = await adminCall(
  t,
  w.ownerToken,
  "PUT",
  `/merchant-groups/${w.group.id}/rules/draft`,
  {
    version: 1,
    rules: [tuesdayBonus, basic],
  },
);
assert.equal(draft.status, 200);

Deno.test("the draft on a basket in the store's time zone: what fired and what it earned", async () => {
  const res = await simulate({ basket: basket() }, support);
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.equal(res.json.draftVersion, 2);
  assert.equal(res.json.rulesVersion, null);
  assert.deepEqual(res.json.storeTime, { dayOfWeek: 2, timeOfDay: "21:00", date: "2025-03-04" });
  assert.deepEqual(res.json.rules.map((r: { id: string; points: number }) => [r.id, r.points]), [
    ["tuesday-bonus", 50],
    ["basic", 20],
  ]);
  assert.equal(res.json.points, 70);
  assert.equal(res.json.basket.lines[0].category, "SHOES", "from the catalogue");
  assert.deepEqual(res.json.basket.customer.categories, ["GOLD", null, "NORTH"]);
  assert.equal(res.json.basket.timezone, "America/New_York");
  assert.deepEqual(res.json.trace.map((r: { status: string }) => r.status), ["fired", "fired"]);
});

Deno.test("the trace tells why a rule did not fire: the day of week the engine saw", async () => {
  const res = await simulate({ basket: basket({ timezone: "Europe/Paris" }) });
  assert.equal(res.status, 200);
  const bonus = res.json.trace.find((r: { ruleId: string }) => r.ruleId === "tuesday-bonus");
  assert.equal(bonus.status, "not-fired");
  assert.deepEqual(bonus.conditions.all[0], {
    fact: "dayOfWeek",
    operator: "equal",
    value: 2,
    factValue: 3,
    result: false,
  });
  assert.ok(bonus.gate.every((g: { result: boolean }) => g.result === true), "the gate passed");
  assert.deepEqual(res.json.rules.map((r: { id: string }) => r.id), ["basic"]);
});

Deno.test("rules sent along are simulated instead of the draft, validated like a save", async () => {
  const res = await simulate({
    rules: [{ ...basic, event: { type: "basic-points", params: { pointsPerUnit: 3 } } }],
    basket: basket(),
  });
  assert.equal(res.status, 200);
  assert.equal(res.json.draftVersion, null);
  assert.equal(res.json.points, 60);
  const bad = await simulate({
    rules: [{ ...basic, conditions: { all: [{ fact: "weather", operator: "equal", value: 1 }] } }],
    basket: basket(),
  });
  assert.equal(bad.status, 422);
  assert.ok(
    bad.json.errors.some((e: { field: string }) => e.field.startsWith("rules/0/conditions/all/0")),
    JSON.stringify(bad.json.errors),
  );
});

Deno.test("a made-up customer: categories, with no real customer behind them", async () => {
  const res = await simulate({
    basket: basket({ customer: { categories: ["staff", null, "north"], visitCount: 4 } }),
  });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.deepEqual([res.json.member, res.json.staff], [true, true]);
  assert.equal(res.json.basket.customer.visitCount, 4);
  assert.equal(res.json.rules.find((r: { id: string }) => r.id === "basic").points, 20);
  const anonymous = await simulate({ basket: basket({ customer: undefined }) });
  assert.deepEqual([anonymous.json.nonLoyalty, anonymous.json.points], [true, 0]);
  const notInProgramme = await simulate({
    basket: basket({ customer: { categories: ["GOLD"], member: false } }),
  });
  assert.deepEqual([notInProgramme.json.member, notInProgramme.json.points], [false, 0]);
});

Deno.test("bad baskets are 422s naming basket fields", async () => {
  const cases: [unknown, string][] = [
    [{ basket: basket({ customer: { number: "NOBODY" } }) }, "basket.customer.number"],
    [{ basket: basket({ customer: { number: "M7", categories: ["GOLD"] } }) }, "basket.customer"],
    [{ basket: basket({ customer: { card: "M7", visitCount: 2 } }) }, "basket.customer.visitCount"],
    [{ basket: basket({ storeNumber: 99 }) }, "basket.timezone"],
    [{ basket: basket({ timezone: "Mars/Olympus" }) }, "basket.timezone"],
    [
      { basket: basket({ lines: [{ sku: "NOPE", quantity: 1, unitPrice: 1 }] }) },
      "basket.lines.0.category",
    ],
    [
      {
        basket: basket({
          lines: [{
            sku: "SH1",
            quantity: 1,
            unitPrice: 1,
            discounts: [{ kind: "item", amount: 2 }],
          }],
        }),
      },
      "basket.lines.0.discounts",
    ],
    [{ basket: basket({ storeNumber: -1 }) }, "basket.storeNumber"],
    [{}, "basket"],
  ];
  for (const [body, field] of cases) {
    const res = await simulate(body);
    assert.equal(res.status, 422, `${field}: ${JSON.stringify(res.json)}`);
    assert.ok(
      res.json.errors.some((e: { field: string }) => e.field === field),
      `${field}: ${JSON.stringify(res.json.errors)}`,
    );
  }
  const elsewhere = await simulate({ basket: basket({ storeNumber: 99, timezone: "Asia/Tokyo" }) });
  assert.equal(elsewhere.status, 200, "any store, given a time zone");
});

Deno.test("simulating writes nothing and stays inside the organization", async () => {
  const before = (await t.db.selectFrom("audit_log").select("id").execute()).length;
  await simulate({ basket: basket() });
  assert.equal((await t.db.selectFrom("audit_log").select("id").execute()).length, before);
  assert.equal((await simulate({ basket: basket() }, support, other.group)).status, 404);
});

Deno.test("close", () => t.close());
