/** The shared engine of a rule set (rules/engine.ts): reused, concurrent, and left unchanged. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { evaluationOf } from "../../rules/awards.ts";
import type { Basket } from "../../rules/basket.ts";
import { prepare } from "../../rules/context.ts";
import { buildEngine, engineFor, runEngine } from "../../rules/engine.ts";
import { evaluate } from "../../rules/evaluate.ts";
import { evaluatePlain } from "../../rules/plain.ts";
import type { Settings } from "../../rules/settings.ts";
import { basketArb, ruleSetArb, settingsArb } from "./arbitraries.ts";
import { parseSet } from "./helpers.ts";

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

type Doc = { id: string; event: { type: string; params: { ruleIds?: string[] } } };

/** Random rule sets joined into one (ids prefixed per set): mixed priorities, 20 rules or so. */
function ruleSet(seed: number) {
  const sets = fc.sample(ruleSetArb(10), { seed, numRuns: 4 }) as unknown as Doc[][];
  return parseSet(sets.flatMap((docs, k) =>
    docs.map((d) => {
      const ruleIds = d.event.params.ruleIds?.map((id) => `${k}-${id}`);
      const params = ruleIds ? { ...d.event.params, ruleIds } : d.event.params;
      return { ...d, id: `${k}-${d.id}`, event: { ...d.event, params } };
    })
  ));
}

/** Waits a number of microtask turns, and a macrotask on some: runs start and end interleaved. */
async function stagger(i: number): Promise<void> {
  for (let k = 0; k < i % 13; k++) await Promise.resolve();
  if (i % 5 === 0) await new Promise((resolve) => setTimeout(resolve, i % 3));
}

Deno.test("1,000 concurrent evaluations of different baskets on ONE engine each equal a fresh engine's", async () => {
  const rules = ruleSet(21);
  assert.ok(rules.length >= 15, `${rules.length} rules`);
  const baskets: Basket[] = fc.sample(basketArb, { seed: 4, numRuns: 1000 });
  const [settings]: Settings[] = fc.sample(settingsArb, { seed: 7, numRuns: 1 });
  const shared = engineFor(rules);

  const concurrent = await Promise.all(baskets.map(async (b, i) => {
    await stagger(i);
    return await runEngine(shared, prepare(b, settings));
  }));

  let firedSome = 0;
  for (const [i, b] of baskets.entries()) {
    const ctx = prepare(b, settings);
    const fresh = await runEngine(buildEngine(rules), ctx);
    assert.deepEqual(sorted(concurrent[i]), sorted(fresh), `basket ${i}`);
    assert.deepEqual(
      evaluationOf(rules, concurrent[i], ctx),
      evaluatePlain(rules, b, settings),
      `basket ${i} against the oracle`,
    );
    if (fresh.length > 0) firedSome++;
  }
  // The comparison means something only if rules fire on some baskets and not on others.
  assert.ok(firedSome > 50 && firedSome < 1000, `${firedSome} baskets fired a rule`);
});

Deno.test("the engine is built once per rule set and a run leaves it as it was", async () => {
  const rules = ruleSet(5);
  const shared = engineFor(rules);
  assert.equal(engineFor(rules), shared, "the same array: the same engine");
  assert.notEqual(engineFor([...rules]), shared, "another array: another engine");

  // Each rule reads its conditions through an object whose prototype is the shared tree.
  type Tree = { toJSON(stringify: false): unknown };
  const rulesOf = (shared.engine as unknown as { rules: { conditions: object }[] }).rules;
  const snapshot = () =>
    JSON.stringify(rulesOf.map((r) => (Object.getPrototypeOf(r.conditions) as Tree).toJSON(false)));
  const before = snapshot();
  const baskets = fc.sample(basketArb, { seed: 9, numRuns: 50 });
  const [settings] = fc.sample(settingsArb, { seed: 2, numRuns: 1 });
  await Promise.all(baskets.map((b) => evaluate(rules, b, settings)));
  assert.equal(snapshot(), before, "no run result is kept on the shared conditions");
  assert.match(before, /"fact":"gate"/);
  assert.doesNotMatch(before, /"result"|factResult/);
});
