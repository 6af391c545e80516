/**
 * Evaluation: the engine decides WHICH rules fire; the points are integer arithmetic in
 * plain TypeScript afterwards. A new json-rules-engine `Engine` is built per evaluation,
 * because one engine shared by concurrent runs drops rules when priorities differ (upstream
 * issue 303).
 */
import { Engine, type TopLevelCondition } from "json-rules-engine";
import { z } from "zod";
import { type Basket, minorUnitDigits } from "./basket.ts";
import { eligibleSpend, FACT_NAMES, FACTS, hasAnyDiscount, type Scalar } from "./facts.ts";
import { pathResolver } from "./path.ts";
import { basicPoints, ROUNDING_MODES, toHundredths } from "./points.ts";
import type { Condition, Rule, RuleEvent } from "./schema.ts";

/** Programme settings (seed 004) that take part in evaluation. */
export const RoundingSchema = z.enum(ROUNDING_MODES);

export const SettingsSchema = z.strictObject({
  roundingRule: RoundingSchema,
  calcPointsOnDiscountedItems: z.boolean(),
  /** Category-1 codes of plain customers (not members): they earn nothing. */
  nonLoyaltyCategoryCodes: z.array(z.string()),
});
export type Settings = z.infer<typeof SettingsSchema>;

export interface Award {
  rule: string;
  type: RuleEvent["type"];
  /** Integer hundredths of a point, rounded per rule. */
  points: number;
}

export interface Evaluation {
  awards: Award[];
  /** Sum of the already-rounded award points (hundredths); never rounded again. */
  totalPoints: number;
}

// ---- settings as facts ----

/**
 * True when the basket earns nothing by programme rules: no customer, not a member, or the
 * customer type (category 1) is one of the non-loyalty codes.
 */
export function isNonLoyalty(basket: Basket, settings: Settings): boolean {
  const c = basket.customer;
  return !c || !c.member || settings.nonLoyaltyCategoryCodes.includes(c.categories[0]);
}

/** Facts the engine sees besides the catalogue; rule authors cannot name them. */
function systemFacts(basket: Basket, settings: Settings): Record<string, Scalar> {
  return {
    nonLoyalty: isNonLoyalty(basket, settings),
    calcPointsOnDiscountedItems: settings.calcPointsOnDiscountedItems,
    hasDiscount: hasAnyDiscount(basket),
  };
}

/**
 * Prepended to every rule's conditions: loyalty customers only, and with "calc points on
 * discounted items" off, a transaction carrying any discount earns nothing.
 */
const GATE: Condition[] = [
  { fact: "nonLoyalty", operator: "equal", value: false },
  {
    any: [
      { fact: "calcPointsOnDiscountedItems", operator: "equal", value: true },
      { fact: "hasDiscount", operator: "equal", value: false },
    ],
  },
] as unknown as Condition[]; // system facts are outside the catalogue type on purpose

// ---- points, shared by both evaluators ----

function award(rule: Rule, basket: Basket, settings: Settings): Award {
  const rounding = rule.rounding ?? settings.roundingRule;
  switch (rule.event.type) {
    case "basic-points": {
      const { pointsPerUnit, basis } = rule.event.params;
      const spend = eligibleSpend(basket, basis ?? {});
      const points = basicPoints(
        spend,
        minorUnitDigits(basket.currency),
        toHundredths(pointsPerUnit),
        rounding,
      );
      return { rule: rule.name, type: rule.event.type, points };
    }
  }
}

/** Awards in a stable order: priority descending, then position in the rule list. */
function result(rules: readonly Rule[], fired: number[], basket: Basket, s: Settings): Evaluation {
  fired.sort((a, b) => rules[b].priority - rules[a].priority || a - b);
  const awards = fired.map((i) => award(rules[i], basket, s));
  return { awards, totalPoints: awards.reduce((sum, a) => sum + a.points, 0) };
}

// ---- engine evaluator ----

/** Evaluates `rules` (already validated by `parseRule`) against `basket` with the engine. */
export async function evaluate(
  rules: readonly Rule[],
  basket: Basket,
  settings: Settings,
): Promise<Evaluation> {
  const engine = new Engine([], { allowUndefinedFacts: false, pathResolver });
  for (const name of FACT_NAMES) {
    const def = FACTS[name];
    engine.addFact(name, (params) => def.compute(basket, params));
  }
  for (const [name, value] of Object.entries(systemFacts(basket, settings))) {
    engine.addFact(name, value);
  }
  rules.forEach((rule, index) => {
    engine.addRule({
      name: rule.name,
      priority: rule.priority,
      // Condition is structurally the engine's condition type, minus its index signature.
      conditions: { all: [...GATE, rule.conditions] } as unknown as TopLevelCondition,
      event: { type: "fired", params: { index } },
    });
  });
  const { events } = await engine.run();
  const fired = events.map((e) => {
    const index: unknown = e.params?.index;
    if (typeof index !== "number") throw new Error("engine returned an unknown event");
    return index;
  });
  return result(rules, fired, basket, settings);
}

// ---- plain TypeScript evaluator (benchmark baseline) ----

/** json-rules-engine's numeric-operator guard, reproduced so both evaluators agree. */
function numeric(v: unknown): boolean {
  return Number.parseFloat(String(v)).toString() !== "NaN";
}

function compare(operator: string, a: unknown, b: unknown): boolean {
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

interface LeafLike {
  fact: string;
  operator: string;
  value: unknown;
  params?: unknown;
  path?: string;
}

/**
 * Same results as `evaluate` without the engine: walks the condition tree directly, with
 * fact values memoised per evaluation as the engine's almanac does. Used as the benchmark
 * baseline and as the oracle in property tests.
 */
export function evaluatePlain(
  rules: readonly Rule[],
  basket: Basket,
  settings: Settings,
): Evaluation {
  const system = systemFacts(basket, settings);
  const cache = new Map<string, unknown>();
  const factValue = (leaf: LeafLike): unknown => {
    const key = leaf.params === undefined ? leaf.fact : leaf.fact + JSON.stringify(leaf.params);
    let v = cache.get(key);
    if (v === undefined && !cache.has(key)) {
      if (Object.hasOwn(system, leaf.fact)) v = system[leaf.fact];
      else if (Object.hasOwn(FACTS, leaf.fact)) {
        v = FACTS[leaf.fact as keyof typeof FACTS].compute(basket, leaf.params);
      } else throw new Error(`Undefined fact: ${leaf.fact}`);
      cache.set(key, v);
    }
    if (leaf.path && v !== null && typeof v === "object") return pathResolver(v, leaf.path);
    return v;
  };
  const test = (c: Condition): boolean => {
    if ("all" in c) return c.all.every(test);
    if ("any" in c) return c.any.some(test);
    if ("not" in c) return !test(c.not);
    return compare(c.operator, factValue(c), c.value);
  };
  const fired: number[] = [];
  rules.forEach((rule, i) => {
    if (GATE.every(test) && test(rule.conditions)) fired.push(i);
  });
  return result(rules, fired, basket, settings);
}
