/**
 * The earning base (rules/earning_base.ts): with `pointsEarnedOnPartPaidWithPoints` off, the
 * part of a sale paid with points earns nothing — basic, item and basket points per unit are
 * earned on the nets less the points tender, apportioned by net — and both evaluators agree.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { earningBases, pointsPaid } from "../../rules/earning_base.ts";
import { evaluate } from "../../rules/evaluate.ts";
import { evaluatePlain } from "../../rules/plain.ts";
import type { Settings } from "../../rules/settings.ts";
import { basketArb, ruleSetArb, settingsArb } from "./arbitraries.ts";
import { basket, both, doc, line, parseSet, SETTINGS } from "./helpers.ts";

const OFF: Settings = { ...SETTINGS, pointsEarnedOnPartPaidWithPoints: false };
const ON: Settings = { ...SETTINGS, pointsEarnedOnPartPaidWithPoints: true };
const tenders = (...t: [string, number][]) => ({
  tenders: t.map(([type, amount]) => ({ type, amount })),
});

Deno.test("earning bases: the points tender comes off the nets in proportion, integer-exact", () => {
  const paid = tenders(["CASH", 2000], ["POINTS", 1000]);
  assert.deepEqual(earningBases([1000, 3000], paid, OFF), [750, 2250]);
  assert.deepEqual(earningBases([1000, 3000], paid, ON), [1000, 3000]);
  // 1000 over 1 : 1 : 1 by largest remainder, ties to the lower index: 334, 333, 333.
  assert.deepEqual(earningBases([500, 500, 500], paid, OFF), [166, 167, 167]);
  assert.deepEqual(earningBases([0, 400], paid, OFF), [0, 0], "points pay it all, no more");
  assert.deepEqual(earningBases([1000, 3000], tenders(["CASH", 4000]), OFF), [1000, 3000]);
  assert.deepEqual(earningBases([], paid, OFF), []);
  assert.equal(pointsPaid(tenders(["POINTS", 300], ["POINTS", -50], ["points", 70])), 300);
  // Absent is off: an older settings object earns nothing on the part paid with points.
  const { pointsEarnedOnPartPaidWithPoints: _, ...older } = OFF;
  assert.deepEqual(earningBases([1000, 3000], paid, older as Settings), [750, 2250]);
});

Deno.test("basic, item and basket points per unit are earned on the base; per item and fixed are not", async () => {
  const rules = parseSet([
    doc("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }),
    doc("shoes", {
      type: "item-points",
      params: { selector: { categories: ["SHOES"] }, pointsPerUnit: 2 },
    }),
    doc("socks", { type: "item-points", params: { selector: { skus: ["B1"] }, perItem: 5 } }),
    doc("basket", { type: "basket-points", params: { pointsPerUnit: 1 } }),
    doc("visit", { type: "basket-points", params: { points: 10 } }),
    doc("paid-in-points", {
      type: "tender-points",
      params: { tenderTypes: ["POINTS"], pointsPerUnit: 1 },
    }),
  ]);
  // 12.34 of shoes and 5.00 of socks; 8.67 of it paid with points: half the base.
  const b = basket({
    lines: [line("A1", "SHOES", 1, 1234), line("B1", "SOCKS", 2, 250)],
    ...tenders(["VISA", 867], ["POINTS", 867]),
  });
  const byRule = async (settings: Settings) =>
    Object.fromEntries((await both(rules, b, settings)).awards.map((a) => [a.ruleId, a.points]));
  assert.deepEqual(await byRule(ON), {
    basic: 1734,
    shoes: 2468,
    socks: 1000,
    basket: 1734,
    visit: 1000,
    "paid-in-points": 867,
  });
  // Shoes' base 12.34 − 6.17 = 6.17, socks' 5.00 − 2.50 = 2.50: 8.67 in all.
  assert.deepEqual(await byRule(OFF), {
    basic: 867,
    shoes: 1234,
    socks: 1000,
    basket: 867,
    visit: 1000,
    "paid-in-points": 867,
  });
  const off = await both(rules, b, OFF);
  assert.equal(off.total, 1734, "the sale's total is what was sold, whatever paid for it");
  assert.deepEqual(off.awards.find((a) => a.ruleId === "basic")!.lines, [
    { index: 0, points: 617 },
    { index: 1, points: 250 },
  ]);
});

const randomCase = fc.record({
  docs: ruleSetArb(10),
  basket: basketArb,
  settings: settingsArb,
});

Deno.test("property: off never earns more than on, equal without a points tender; engine = oracle", async () => {
  await fc.assert(
    fc.asyncProperty(randomCase, async (c) => {
      const rules = parseSet(c.docs);
      const on = { ...c.settings, pointsEarnedOnPartPaidWithPoints: true };
      const off = { ...c.settings, pointsEarnedOnPartPaidWithPoints: false };
      const [engineOn, engineOff] = [
        await evaluate(rules, c.basket, on),
        await evaluate(rules, c.basket, off),
      ];
      assert.deepEqual(engineOn, evaluatePlain(rules, c.basket, on));
      assert.deepEqual(engineOff, evaluatePlain(rules, c.basket, off));
      engineOff.awards.forEach((a, i) =>
        assert.ok(a.points <= engineOn.awards[i].points, a.ruleId)
      );
      if (pointsPaid(c.basket) === 0) assert.deepEqual(engineOff, engineOn);
    }),
    { numRuns: 200 },
  );
});

Deno.test("property: the bases sum to the nets less the points paid (at most all), each within its net", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 1e9 }), { maxLength: 20 }),
      fc.integer({ min: -1000, max: 2e10 }),
      (nets, paid) => {
        const bases = earningBases(nets, tenders(["POINTS", paid]), OFF);
        const total = nets.reduce((a, n) => a + n, 0);
        assert.equal(
          bases.reduce((a, n) => a + n, 0),
          total - Math.min(Math.max(paid, 0), total),
        );
        bases.forEach((b, i) => assert.ok(b >= 0 && b <= nets[i]));
      },
    ),
  );
});
