import assert from "node:assert/strict";
import fc from "fast-check";
import { type Basket, BasketSchema } from "../../rules/basket.ts";
import { evaluate, evaluatePlain, type Settings } from "../../rules/evaluate.ts";
import { doubleTuesdayGold, EXAMPLES, onePointPerUnit } from "../../rules/examples.ts";
import { parseRule, type Rule } from "../../rules/schema.ts";
import { basketArb, ruleDocArb, settingsArb } from "./arbitraries.ts";

function mustParse(doc: unknown): Rule {
  const r = parseRule(doc);
  if (!r.success) throw new Error(JSON.stringify(r.error.issues));
  return r.data;
}

const SETTINGS: Settings = {
  roundingRule: "none",
  calcPointsOnDiscountedItems: false,
  nonLoyaltyCategoryCodes: ["CASH"],
};

/** 12.34 EUR of SHOES, 5.00 of SOCKS, GOLD member, Tuesday 2025-03-04 in Paris. */
function basket(overrides: Partial<Basket> = {}): Basket {
  return BasketSchema.parse({
    currency: "EUR",
    storeNumber: 1,
    posNumber: 2,
    channel: "pos",
    at: "2025-03-04T10:00:00Z",
    timezone: "Europe/Paris",
    customer: { categories: ["GOLD"], member: true, staff: false, visitCount: 1 },
    lines: [
      { sku: "A1", category: "SHOES", quantity: 1, unitPrice: 1234, discounts: [] },
      { sku: "B1", category: "SOCKS", quantity: 2, unitPrice: 250, discounts: [] },
    ],
    tenders: [{ type: "VISA", amount: 1734 }],
    ...overrides,
  });
}

const onePoint = mustParse(onePointPerUnit);
const tuesday = mustParse(doubleTuesdayGold);

Deno.test("a member earns per rule; rounding applies per rule, never to the sum", async () => {
  const result = await evaluate([onePoint, tuesday], basket(), SETTINGS);
  // priority 20 (Tuesday, rounded up) comes first; 17.34 → 18.00 and 17.34 unrounded
  assert.deepEqual(result, {
    awards: [
      { rule: "Double points on Tuesday for GOLD", type: "basic-points", points: 1800 },
      { rule: "1 point per EUR", type: "basic-points", points: 1734 },
    ],
    totalPoints: 3534,
  });
});

Deno.test("non-members, non-loyalty customer types and anonymous baskets earn nothing", async () => {
  const rules = [
    mustParse({
      ...onePointPerUnit,
      conditions: { all: [{ fact: "visitCount", operator: "greaterThanInclusive", value: 0 }] },
    }),
  ];
  const none = { awards: [], totalPoints: 0 };
  const nonMember = basket({
    customer: { categories: ["GOLD"], member: false, staff: false, visitCount: 1 },
  });
  const cash = basket({
    customer: { categories: ["CASH"], member: true, staff: false, visitCount: 1 },
  });
  const anonymous = basket({ customer: undefined });
  for (const b of [nonMember, cash, anonymous]) {
    assert.deepEqual(await evaluate(rules, b, SETTINGS), none);
    assert.deepEqual(evaluatePlain(rules, b, SETTINGS), none);
  }
  assert.equal((await evaluate(rules, basket(), SETTINGS)).totalPoints, 1734);
});

Deno.test("with calcPointsOnDiscountedItems off, any discount means no points", async () => {
  const discounted = basket({
    lines: [
      { sku: "A1", category: "SHOES", quantity: 1, unitPrice: 1234, discounts: [] },
      {
        sku: "B1",
        category: "SOCKS",
        quantity: 2,
        unitPrice: 250,
        discounts: [{ kind: "tender", amount: 50 }],
      },
    ],
  });
  assert.deepEqual(await evaluate([onePoint], discounted, SETTINGS), {
    awards: [],
    totalPoints: 0,
  });
  const on = { ...SETTINGS, calcPointsOnDiscountedItems: true };
  // On: earns on the net spend 12.34 + 4.50
  assert.equal((await evaluate([onePoint], discounted, on)).totalPoints, 1684);
});

Deno.test("a rule's rounding overrides the programme setting", async () => {
  const down = { ...SETTINGS, roundingRule: "down" as const };
  const plain = await evaluate([onePoint], basket(), down);
  assert.equal(plain.totalPoints, 1700);
  const up = mustParse({ ...onePointPerUnit, rounding: "up" });
  assert.equal((await evaluate([up], basket(), down)).totalPoints, 1800);
  const none = mustParse({ ...onePointPerUnit, rounding: "none" });
  assert.equal((await evaluate([none], basket(), down)).totalPoints, 1734);
});

Deno.test("day of week is the STORE's: Tuesday in UTC is Wednesday in Auckland", async () => {
  const at = "2025-03-04T12:00:00Z"; // Tue 12:00 UTC = Wed 01:00 NZDT
  const utc = await evaluate([tuesday], basket({ at, timezone: "UTC" }), SETTINGS);
  assert.equal(utc.awards.length, 1);
  const nz = await evaluate([tuesday], basket({ at, timezone: "Pacific/Auckland" }), SETTINGS);
  assert.equal(nz.awards.length, 0);
  // And the other way: Monday 20:00 UTC is Tuesday 09:00 in Auckland.
  const mondayUtc = "2025-03-03T20:00:00Z";
  const nzTue = await evaluate(
    [tuesday],
    basket({ at: mondayUtc, timezone: "Pacific/Auckland" }),
    SETTINGS,
  );
  assert.equal(nzTue.awards.length, 1);
  assert.equal(
    (await evaluate([tuesday], basket({ at: mondayUtc, timezone: "UTC" }), SETTINGS)).awards.length,
    0,
  );
});

Deno.test("eligible spend selectors and JPY minor units", async () => {
  const shoes = mustParse(EXAMPLES[2]); // ≥ 50.00 of undiscounted SHOES, 2 points per unit
  const b = basket({
    lines: [
      { sku: "A1", category: "SHOES", quantity: 5, unitPrice: 1000, discounts: [] },
      {
        sku: "A2",
        category: "SHOES",
        quantity: 1,
        unitPrice: 9999,
        discounts: [{ kind: "item", amount: 1 }],
      },
    ],
  });
  const on = { ...SETTINGS, calcPointsOnDiscountedItems: true };
  assert.equal((await evaluate([shoes], b, on)).totalPoints, 10000);
  const yen = basket({
    currency: "JPY",
    lines: [{ sku: "A1", category: "SHOES", quantity: 1, unitPrice: 1234, discounts: [] }],
  });
  assert.equal((await evaluate([onePoint], yen, SETTINGS)).totalPoints, 123400);
});

const randomCase = fc.record({
  rules: fc.array(ruleDocArb, { maxLength: 8 }),
  basket: basketArb,
  settings: settingsArb,
});

Deno.test("property: the engine and the plain evaluator agree on random baskets", async () => {
  await fc.assert(
    fc.asyncProperty(randomCase, async (c) => {
      const rules = c.rules.map(mustParse);
      const engine = await evaluate(rules, c.basket, c.settings);
      assert.deepEqual(engine, evaluatePlain(rules, c.basket, c.settings));
      for (const a of engine.awards) assert.ok(Number.isSafeInteger(a.points) && a.points >= 0);
    }),
    { numRuns: 300 },
  );
});

Deno.test("50 concurrent evaluations with mixed priorities all return complete results", async () => {
  // Every rule fires for this basket, so each run must return all of them (issue 303 drops some).
  const rules = Array.from({ length: 12 }, (_, i) =>
    mustParse({
      name: `r${i}`,
      priority: 1 + ((i * 37) % 100),
      conditions: {
        all: [{ fact: "basketTotal", operator: "greaterThanInclusive", value: i }],
      },
      event: { type: "basic-points", params: { pointsPerUnit: 1 + i / 4 } },
    }));
  const baskets = Array.from({ length: 50 }, (_, i) =>
    basket({
      lines: [{
        sku: "A1",
        category: "SHOES",
        quantity: 1 + (i % 3),
        unitPrice: 100 + i,
        discounts: [],
      }],
    }));
  const results = await Promise.all(baskets.map((b) => evaluate(rules, b, SETTINGS)));
  results.forEach((r, i) => {
    assert.equal(r.awards.length, rules.length);
    assert.deepEqual(r, evaluatePlain(rules, baskets[i], SETTINGS));
  });
});
