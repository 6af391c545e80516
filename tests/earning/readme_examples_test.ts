/**
 * The README's "Writing earning rules" examples, read from the README itself: each rule is
 * valid and the basket earns what the text says it earns.
 */
import assert from "node:assert/strict";
import { BasketSchema } from "../../rules/basket.ts";
import { evaluate } from "../../rules/evaluate.ts";
import { hundredthsToNumber } from "../../rules/points.ts";
import { validateRuleSet } from "../../rules/validation.ts";
import { DEFAULT_SETTINGS } from "../../programme/settings_schema.ts";

const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
const section = readme.slice(
  readme.indexOf("## Writing earning rules"),
  readme.indexOf("## Load benchmark"),
);
const blocks = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
const [basic, request, double, socks] = blocks;
const settings = { ...DEFAULT_SETTINGS, roundingRule: "down" as const };

async function earn(rules: unknown[], at = request.at) {
  const parsed = await validateRuleSet(rules);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues));
  const basket = BasketSchema.parse({
    ...request,
    at,
    customer: { categories: ["GOLD"], member: true, visitCount: 0 },
    storeNumber: 1,
    posNumber: 1,
    channel: "pos",
    timezone: "Europe/Paris",
    lines: request.lines.map((l: object) => ({ discounts: [], ...l })),
  });
  const e = await evaluate(parsed.data, basket, settings);
  return {
    points: hundredthsToNumber(e.points),
    rules: Object.fromEntries(e.awards.map((a) => [a.ruleId, hundredthsToNumber(a.points)])),
    lines: e.lines.map((l) => hundredthsToNumber(l.points)),
  };
}

Deno.test("README example 1: basic points, rounded down, attributed to lines", async () => {
  assert.deepEqual(await earn([basic]), {
    points: 68,
    rules: { basic: 68 },
    lines: [49.27, 14.79, 3.94],
  });
});

Deno.test("README example 2: double points on Tuesdays, rounded once after the multiplier", async () => {
  assert.equal((await earn([basic, double])).points, 68, "Wednesday: no multiplier");
  const tuesday = await earn([basic, double], "2025-03-04T10:00:00Z");
  assert.deepEqual(tuesday.rules, { basic: 68, "double-tuesday-gold": 69 });
  assert.equal(tuesday.points, 137);
});

Deno.test("README example 3: item points only on socks without a discount", async () => {
  const e = await earn([basic, socks]);
  assert.deepEqual([e.rules.socks, e.points], [15, 83]);
});
