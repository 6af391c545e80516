/**
 * The plain-TypeScript evaluator: the same decisions as the engine (rules/evaluate.ts)
 * without it, walking the condition trees directly with fact values memoised per evaluation
 * as the engine's almanac does. It is the oracle of the property tests and the baseline of
 * the benchmark; the POS answer comes from the engine.
 */
import { type Evaluation, evaluationOf } from "./awards.ts";
import type { Basket } from "./basket.ts";
import { type Context, prepare } from "./context.ts";
import { FACTS, isFactName } from "./facts.ts";
import { type EngineCondition, gateOf, SYSTEM_FACTS } from "./gate.ts";
import { pathResolver } from "./path.ts";
import type { Rule } from "./schema.ts";
import type { Settings } from "./settings.ts";

/** json-rules-engine's numeric-operator guard, reproduced so both evaluators agree. */
function numeric(v: unknown): boolean {
  if (typeof v === "number") return !Number.isNaN(v); // what parseFloat(String(v)) gives
  return Number.parseFloat(String(v)).toString() !== "NaN";
}

/** JSON of params objects: rule sets are parsed once and evaluated many times. */
const paramsJson = new WeakMap<object, string>();

function memoKey(fact: string, params: unknown): string {
  if (params === null || typeof params !== "object") return fact;
  let json = paramsJson.get(params);
  if (json === undefined) paramsJson.set(params, json = JSON.stringify(params));
  return fact + json;
}

/** json-rules-engine's default operators. */
export function compare(operator: string, a: unknown, b: unknown): boolean {
  switch (operator) {
    case "equal":
      return a === b;
    case "notEqual":
      return a !== b;
    case "in":
      return (b as unknown[]).includes(a);
    case "notIn":
      return !(b as unknown[]).includes(a);
    case "contains":
      return Array.isArray(a) && a.includes(b);
    case "doesNotContain":
      return Array.isArray(a) && !a.includes(b);
    case "lessThan":
      return numeric(a) && (a as number) < (b as number);
    case "lessThanInclusive":
      return numeric(a) && (a as number) <= (b as number);
    case "greaterThan":
      return numeric(a) && (a as number) > (b as number);
    case "greaterThanInclusive":
      return numeric(a) && (a as number) >= (b as number);
  }
  throw new Error(`unknown operator ${operator}`);
}

/**
 * A fact's value in `ctx` as a leaf sees it (after `path`), memoised per reader as the
 * engine's almanac memoises: catalogue facts from their `compute`, system facts from the gate.
 */
export function factReader(
  ctx: Context,
): (fact: string, params: unknown, path: string | undefined) => unknown {
  const cache = new Map<string, unknown>();
  return (fact, params, path) => {
    const key = memoKey(fact, params);
    let v = cache.get(key);
    if (v === undefined && !cache.has(key)) {
      if (Object.hasOwn(SYSTEM_FACTS, fact)) v = SYSTEM_FACTS[fact](ctx);
      else if (isFactName(fact)) v = FACTS[fact].compute(ctx, params);
      else throw new Error(`Undefined fact: ${fact}`);
      cache.set(key, v);
    }
    if (path && v !== null && typeof v === "object") return pathResolver(v, path);
    return v;
  };
}

/** Evaluates `rules` (validated by `parseRuleSet`) against `basket` without the engine. */
export function evaluatePlain(
  rules: readonly Rule[],
  basket: Basket,
  settings: Settings,
): Evaluation {
  const ctx = prepare(basket, settings);
  const factValue = factReader(ctx);
  const test = (c: EngineCondition): boolean => {
    if ("all" in c) return c.all.every(test);
    if ("any" in c) return c.any.some(test);
    if ("not" in c) return !test(c.not);
    return compare(c.operator, factValue(c.fact, c.params, c.path), c.value);
  };
  const fired: number[] = [];
  rules.forEach((rule, i) => {
    if (rule.enabled && gateOf(rule).every(test) && test(rule.conditions)) fired.push(i);
  });
  return evaluationOf(rules, fired, ctx);
}
