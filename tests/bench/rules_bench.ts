/**
 * Engine cost vs the same decisions and arithmetic in plain TypeScript, per evaluation of
 * N rules against a 20-line basket. The plain evaluator is the baseline of each group, so the
 * report prints the engine's overhead as a ratio.
 */
import { type Basket, BasketSchema } from "../../rules/basket.ts";
import { evaluate, evaluatePlain, type Settings } from "../../rules/evaluate.ts";
import { EXAMPLES } from "../../rules/examples.ts";
import { parseRule, type Rule } from "../../rules/schema.ts";

const CATEGORIES = ["SHOES", "SOCKS", "HATS", "BAGS"];

const basket: Basket = BasketSchema.parse({
  currency: "EUR",
  storeNumber: 2,
  posNumber: 1,
  channel: "pos",
  at: "2025-03-04T09:15:00Z",
  timezone: "Europe/Paris",
  customer: { categories: ["GOLD", "NEWS"], member: true, staff: false, visitCount: 12 },
  lines: Array.from({ length: 20 }, (_, i) => ({
    sku: `SKU${i}`,
    category: CATEGORIES[i % CATEGORIES.length],
    quantity: 1 + (i % 3),
    unitPrice: 199 + i * 250,
    discounts: i % 7 === 0 ? [{ kind: "sale", amount: 50 }] : [],
  })),
  tenders: [{ type: "VISA", amount: 60000 }, { type: "CASH", amount: 1234 }],
});

const settings: Settings = {
  roundingRule: "nearest",
  calcPointsOnDiscountedItems: true,
  nonLoyaltyCategoryCodes: ["CASH"],
};

/** N rules: the documented examples plus category/tender/time variants, mixed priorities. */
function rules(n: number): Rule[] {
  const docs: unknown[] = [];
  for (let i = 0; docs.length < n; i++) {
    const category = CATEGORIES[i % CATEGORIES.length];
    docs.push(
      i < EXAMPLES.length ? { ...EXAMPLES[i], name: `example ${i}` } : {
        name: `rule ${i}`,
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
        event: {
          type: "basic-points",
          params: { pointsPerUnit: 1 + (i % 5) / 4, basis: { categories: [category] } },
        },
        rounding: i % 3 === 0 ? "up" : undefined,
      },
    );
  }
  return docs.map((doc) => {
    const r = parseRule(JSON.parse(JSON.stringify(doc)));
    if (!r.success) throw new Error(JSON.stringify(r.error.issues));
    return r.data;
  });
}

for (const n of [10, 25, 50]) {
  const set = rules(n);
  // Sanity: both evaluators give the same answer before anything is timed.
  const a = JSON.stringify(await evaluate(set, basket, settings));
  const b = JSON.stringify(evaluatePlain(set, basket, settings));
  if (a !== b) throw new Error(`evaluators disagree at ${n} rules`);

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
}
