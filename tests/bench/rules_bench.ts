/**
 * Engine cost vs the same decisions and arithmetic in plain TypeScript, per evaluation of
 * N rules of every event type against a 20-line basket. The plain evaluator is the baseline
 * of each group, so the report prints the engine's overhead as a ratio: the published answer
 * (the rule set's one shared engine, rules/engine.ts; target ≤ 3×) and the simulator's trace
 * (an engine built for the evaluation, as every answer was before). docs/rules_engine.md.
 */
import { type Basket, BasketSchema } from "../../rules/basket.ts";
import { evaluate } from "../../rules/evaluate.ts";
import { EXAMPLES } from "../../rules/examples.ts";
import { evaluatePlain } from "../../rules/plain.ts";
import { parseRuleSet, type Rule } from "../../rules/schema.ts";
import type { Settings } from "../../rules/settings.ts";

const CATEGORIES = ["SHOES", "SOCKS", "HATS", "BAGS"];

/** A GOLD member on a Tuesday at store 12: the examples' double points and staff rule fire. */
const basket: Basket = BasketSchema.parse({
  currency: "EUR",
  storeNumber: 12,
  posNumber: 1,
  channel: "pos",
  at: "2025-03-04T09:15:00Z",
  timezone: "Europe/Paris",
  customer: { categories: ["GOLD", "NEWS"], member: true, visitCount: 12, cardSeries: "LOY" },
  lines: Array.from({ length: 20 }, (_, i) => ({
    sku: i === 3 ? "X1" : `SKU${i}`,
    category: CATEGORIES[i % CATEGORIES.length],
    quantity: 1 + (i % 3),
    unitPrice: 199 + i * 250,
    discounts: i % 7 === 0 ? [{ kind: "sale", amount: 50 }] : [],
  })),
  discounts: [{ kind: "offer", amount: 500 }],
  tenders: [{ type: "VISA", amount: 60000 }, { type: "GIFT", amount: 1234 }],
});

const settings: Settings = {
  roundingRule: "nearest",
  calcPointsOnDiscountedItems: true,
  nonLoyaltyCategoryCodes: ["CASH"],
  staffLoyaltyCategoryCodes: ["GOLD"],
  staffLoyaltyDefaultLocation: 12,
};

/** The i-th generated rule's event: every type in turn, multipliers of earlier rules. */
function event(i: number, category: string): unknown {
  const selector = { categories: [category], excludeDiscounted: i % 2 === 0 };
  switch (i % 6) {
    case 0:
      return { type: "basic-points", params: { pointsPerUnit: 1 + (i % 5) / 4, basis: selector } };
    case 1:
      return i % 4 === 1
        ? { type: "item-points", params: { selector, perItem: 5 } }
        : { type: "item-points", params: { selector, pointsPerUnit: 2.5 } };
    case 2:
      return i % 4 === 2
        ? { type: "basket-points", params: { points: 25, minTotal: 100 * i } }
        : { type: "basket-points", params: { pointsPerUnit: 0.25 } };
    case 3:
      return { type: "tender-points", params: { tenderTypes: ["VISA", "GIFT"], pointsPerUnit: 1 } };
    case 4:
      return {
        type: "multiplier",
        params: i % 3 === 0
          ? { factor: 1.5, ruleIds: [`rule-${i - 4}`, `rule-${i - 3}`] }
          : { factor: 2, selector: { categories: [category] } },
      };
    default:
      return { type: "staff-discount", params: { percent: 5 + (i % 10), selector } };
  }
}

/** N rules: the documented examples, then generated rules of every type, mixed priorities. */
function rules(n: number): Rule[] {
  const docs: unknown[] = EXAMPLES.slice(0, n);
  for (let i = 0; docs.length < n; i++) {
    const category = CATEGORIES[i % CATEGORIES.length];
    docs.push({
      id: `rule-${i}`,
      name: `rule ${i}`,
      enabled: true,
      priority: 1 + ((i * 37) % 100),
      conditions: {
        all: [
          { fact: "customerCategory", params: { index: 1 }, operator: "in", value: ["GOLD"] },
          { fact: "timeOfDay", operator: "greaterThan", value: `0${i % 10}:00` },
          {
            any: [
              {
                fact: "eligibleSpend",
                params: { categories: [category], excludeDiscounted: i % 2 === 0 },
                operator: "greaterThan",
                value: 100 * i,
              },
              {
                fact: "tenderAmount",
                params: { types: ["VISA"] },
                operator: "greaterThan",
                value: i,
              },
            ],
          },
        ],
      },
      event: event(i, category),
      ...(i % 3 === 0 && i % 6 < 4 ? { rounding: "up" } : {}),
    });
  }
  const r = parseRuleSet(JSON.parse(JSON.stringify(docs)));
  if (!r.success) throw new Error(JSON.stringify(r.error.issues));
  return r.data;
}

for (const n of [10, 25, 50]) {
  const set = rules(n);
  // Sanity: both evaluators give the same answer before anything is timed.
  const a = JSON.stringify(await evaluate(set, basket, settings));
  const b = JSON.stringify(evaluatePlain(set, basket, settings));
  const { trace: _, ...traced } = await evaluate(set, basket, settings, { trace: true });
  if (a !== b || a !== JSON.stringify(traced)) throw new Error(`evaluators disagree at ${n} rules`);

  Deno.bench({
    name: `plain TypeScript, ${n} rules`,
    group: `${n} rules × 20 lines`,
    baseline: true,
    fn: () => {
      evaluatePlain(set, basket, settings);
    },
  });
  Deno.bench({
    name: `json-rules-engine, ${n} rules`,
    group: `${n} rules × 20 lines`,
    fn: async () => {
      await evaluate(set, basket, settings);
    },
  });
  Deno.bench({
    name: `json-rules-engine per evaluation, trace, ${n} rules`,
    group: `${n} rules × 20 lines`,
    fn: async () => {
      await evaluate(set, basket, settings, { trace: true });
    },
  });
}
