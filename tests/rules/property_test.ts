/** Properties over random rule sets and baskets: exact attribution, engine = oracle. */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Evaluation } from "../../rules/awards.ts";
import { evaluate } from "../../rules/evaluate.ts";
import { compare, evaluatePlain } from "../../rules/plain.ts";
import type { Rule } from "../../rules/schema.ts";
import type { ConditionTrace } from "../../rules/trace.ts";
import { basketArb, ruleSetArb, settingsArb } from "./arbitraries.ts";
import { basket, line, parseSet, SETTINGS } from "./helpers.ts";
import { lineNets } from "../../rules/basket.ts";

const randomCase = fc.record({
  docs: ruleSetArb(10),
  basket: basketArb,
  settings: settingsArb,
});

function assertAttribution(e: Evaluation, lineCount: number) {
  for (const a of e.awards) {
    assert.ok(Number.isSafeInteger(a.points) && a.points >= 0, `${a.ruleId} points`);
    assert.equal(a.lines.reduce((s, l) => s + l.points, 0), a.points, `${a.ruleId} lines`);
    a.lines.forEach((l, i) => {
      assert.ok(l.points > 0 && l.index >= 0 && l.index < lineCount);
      if (i > 0) assert.ok(a.lines[i - 1].index < l.index, "by index, once each");
    });
  }
  assert.equal(e.points, e.awards.reduce((s, a) => s + a.points, 0));
  assert.deepEqual(e.lines.map((l) => l.index), [...Array(lineCount).keys()]);
  assert.equal(e.lines.reduce((s, l) => s + l.points, 0), e.points, "basket lines sum to total");
}

Deno.test("property: line attribution sums exactly to each rule's points and to the total", async () => {
  await fc.assert(
    fc.asyncProperty(randomCase, async (c) => {
      const e = await evaluate(parseSet(c.docs), c.basket, c.settings);
      assertAttribution(e, c.basket.lines.length);
      const nets = lineNets(c.basket);
      assert.equal(nets.reduce((a, b) => a + b, 0), e.total);
      const seen = new Set<number>();
      for (const d of e.discounts) {
        assert.ok(!seen.has(d.lineIndex), "one staff discount per line");
        seen.add(d.lineIndex);
        assert.ok(d.amount > 0 && d.amount <= nets[d.lineIndex], "never below zero");
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: json-rules-engine and the plain oracle agree exactly", async () => {
  await fc.assert(
    fc.asyncProperty(randomCase, async (c) => {
      const rules = parseSet(c.docs);
      const engine = await evaluate(rules, c.basket, c.settings);
      assert.deepEqual(engine, evaluatePlain(rules, c.basket, c.settings));
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: multipliers never change the other rules' awards", () => {
  fc.assert(
    fc.property(randomCase, (c) => {
      const rules = parseSet(c.docs);
      const without = rules.filter((r) => r.event.type !== "multiplier");
      const all = evaluatePlain(rules, c.basket, c.settings);
      const base = evaluatePlain(without, c.basket, c.settings);
      assert.deepEqual(all.awards.filter((a) => a.type !== "multiplier"), base.awards);
      assert.ok(all.points >= base.points);
      assert.deepEqual(all.discounts, base.discounts);
    }),
    { numRuns: 200 },
  );
});

Deno.test("property: the published answer (one shared engine) equals the trace's (an engine per evaluation)", async () => {
  const cases = fc.record({
    docs: ruleSetArb(25),
    baskets: fc.array(basketArb, { minLength: 1, maxLength: 4 }),
    settings: settingsArb,
  });
  await fc.assert(
    fc.asyncProperty(cases, async (c) => {
      const rules = parseSet(c.docs);
      // Several baskets on the same rule set: the second and later reuse its engine.
      for (const b of c.baskets) {
        const published = await evaluate(rules, b, c.settings);
        const { trace: _, ...traced } = await evaluate(rules, b, c.settings, { trace: true });
        assert.deepEqual(published, traced);
      }
    }),
    { numRuns: 200 },
  );
});

/** Every evaluated leaf's result is the operator applied to the value it reports. */
function assertLeaves(c: ConditionTrace): void {
  if ("all" in c) return c.all.forEach(assertLeaves);
  if ("any" in c) return c.any.forEach(assertLeaves);
  if ("not" in c) return assertLeaves(c.not);
  if (c.result !== undefined) assert.equal(compare(c.operator, c.factValue, c.value), c.result);
}

Deno.test("property: the trace agrees with the answer and with each leaf's values", async () => {
  await fc.assert(
    fc.asyncProperty(randomCase, async (c) => {
      const rules: Rule[] = parseSet(c.docs);
      const { trace, ...e } = await evaluate(rules, c.basket, c.settings, { trace: true });
      const awarded = new Set(e.awards.map((a) => a.ruleId));
      const discounting = new Set(e.discounts.map((d) => d.ruleId));
      trace.forEach((t, i) => {
        const rule = rules[i];
        assert.equal(t.ruleId, rule.id);
        if (!rule.enabled) assert.equal(t.status, "disabled");
        if (rule.event.type !== "staff-discount") {
          assert.equal(t.status === "fired", awarded.has(rule.id), rule.id);
        } else if (discounting.has(rule.id)) assert.equal(t.status, "fired");
        for (const g of t.gate) assertLeaves(g);
        assertLeaves(t.conditions);
      });
    }),
    { numRuns: 150 },
  );
});

Deno.test("50 concurrent evaluations with mixed priorities all return complete results", async () => {
  // Every rule fires for this basket, so each run must return all of them (issue 303 drops some).
  const rules = parseSet(Array.from({ length: 12 }, (_, i) => ({
    id: `r${i}`,
    name: `r${i}`,
    enabled: true,
    priority: 1 + ((i * 37) % 100),
    conditions: { all: [{ fact: "basketTotal", operator: "greaterThanInclusive", value: i }] },
    event: { type: "basic-points", params: { pointsPerUnit: 1 + i / 4 } },
  })));
  const baskets = Array.from(
    { length: 50 },
    (_, i) => basket({ lines: [line("A1", "SHOES", 1 + (i % 3), 100 + i)] }),
  );
  const results = await Promise.all(baskets.map((b) => evaluate(rules, b, SETTINGS)));
  results.forEach((r, i) => {
    assert.equal(r.awards.length, rules.length);
    assert.deepEqual(r, evaluatePlain(rules, baskets[i], SETTINGS));
  });
});
