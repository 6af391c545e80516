/**
 * The STRICT schema of a rule document and of a rule set. json-rules-engine itself accepts
 * typos, unknown keys, `__proto__`, empty groups and string priorities, and one bad condition
 * rejects a whole run; so nothing reaches the engine that has not passed this schema (and,
 * before saving, the smoke run in rules/validation.ts).
 *
 * Browser-safe: imports neither the engine nor rules/evaluate.ts, so the rule editor can
 * validate as the author types. Issues carry zod paths into the document; for a rule set the
 * rule's index comes first (`2.conditions.all.0.value` → report `rules/2/conditions/all/0/value`).
 *
 * A rule document:
 *
 *     {
 *       "id": "double-tuesday-gold",          // ^[a-z0-9][a-z0-9-]{0,63}$, unique in its set
 *       "name": "Double points on Tuesdays for GOLD",
 *       "enabled": true,                      // false: never fires, shown as disabled in traces
 *       "priority": 20,                       // 1..100; higher is listed first
 *       "conditions": { "all": [ { "fact": "dayOfWeek", "operator": "equal", "value": 2 } ] },
 *       "event": { "type": "multiplier", "params": { "factor": 2 } },
 *       "rounding": "up",                     // optional, overrides the programme's roundingRule
 *       "reference": "SALE"                   // optional ledger reference code, default SALE
 *     }
 *
 * Events (points per unit are per 1.00 of the currency; points have at most two decimals):
 * - `basic-points`  `{pointsPerUnit, basis?: selector}`: on the net total, or the basis lines.
 * - `item-points`   `{selector, perItem | pointsPerUnit}`: per unit of quantity, or per 1.00, of
 *                   the matched lines that carry no discount of any kind.
 * - `basket-points` `{points | pointsPerUnit, minTotal?}`: fixed, or per 1.00 of the net total;
 *                   only when the net total ≥ `minTotal` (minor units).
 * - `tender-points` `{tenderTypes, pointsPerUnit}`: per 1.00 paid with those tender types.
 * - `multiplier`    `{factor, ruleIds?, selector?}`: extra (factor − 1) × the points of the named
 *                   earning rules (all when absent), of the selected lines only with a selector.
 *                   See rules/awards.ts for how it is rounded and reported.
 * - `staff-discount` `{percent, selector?}`: a discount per line for staff at the staff default
 *                   location; no points.
 */
import * as z from "zod";
import {
  CustomerCategoryParams,
  type FactDef,
  FACTS,
  type Scalar,
  TenderAmountParams,
} from "./facts.ts";
import { isPlainPath, MAX_PATH_LENGTH } from "./path.ts";
import { hasAtMostTwoDecimals, RoundingSchema } from "./points.ts";
import { LineSelector } from "./selector.ts";

export const OPERATORS = [
  "equal",
  "notEqual",
  "lessThan",
  "lessThanInclusive",
  "greaterThan",
  "greaterThanInclusive",
  "in",
  "notIn",
  "contains",
  "doesNotContain",
] as const;
export type Operator = (typeof OPERATORS)[number];

const ORDERING: ReadonlySet<Operator> = new Set([
  "lessThan",
  "lessThanInclusive",
  "greaterThan",
  "greaterThanInclusive",
]);

/** Keys that could reach an object's prototype if some consumer merges the document. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  "__proto__",
  "constructor",
  "prototype",
]);
/** Nesting of all/any/not groups; deeper documents are neither useful nor cheap. */
export const MAX_GROUP_DEPTH = 8;
const MAX_JSON_DEPTH = 64;

// ---- leaves ----

const Primitive = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);
const Value = z.union([Primitive, z.array(Primitive).max(500)], {
  error: "a string, number, boolean or null, or an array of them",
});
const Path = z.string().max(MAX_PATH_LENGTH).refine(
  isPlainPath,
  "path must be plain dotted property names (no brackets, parentheses, wildcards or '..')",
);

const leafBase = {
  operator: z.enum(OPERATORS),
  value: Value,
  path: Path.optional(),
};

/** Checks the value against the fact's value type and the operator's shape. */
function checkLeaf(
  leaf: { fact: keyof typeof FACTS; operator: Operator; value: Scalar | Scalar[] },
  ctx: z.core.$RefinementCtx,
): void {
  const def: FactDef = FACTS[leaf.fact];
  const { operator, value } = leaf;
  const issue = (message: string, path: PropertyKey[] = ["value"]) =>
    ctx.addIssue({ code: "custom", message, path });
  if (operator === "contains" || operator === "doesNotContain") {
    // The engine's contains needs an array-valued fact; every catalogue fact is a scalar,
    // so such a condition could never be true.
    issue(`operator ${operator} needs an array-valued fact; ${leaf.fact} is a scalar`, [
      "operator",
    ]);
    return;
  }
  if (ORDERING.has(operator) && !def.ordered) {
    issue(`operator ${operator} is not meaningful for fact ${leaf.fact}`, ["operator"]);
    return;
  }
  const isList = operator === "in" || operator === "notIn";
  if (isList !== Array.isArray(value)) {
    issue(
      isList ? `operator ${operator} needs a non-empty array value` : "value must not be an array",
    );
    return;
  }
  const items = Array.isArray(value) ? value : [value];
  if (isList && items.length === 0) issue(`operator ${operator} needs a non-empty array value`);
  items.forEach((item, i) => {
    const r = def.value.safeParse(item);
    if (!r.success) {
      const where = isList ? ["value", i] : ["value"];
      issue(`bad value for fact ${leaf.fact}: ${r.error.issues[0]?.message ?? "invalid"}`, where);
    }
  });
}

function leaf<F extends keyof typeof FACTS>(fact: F) {
  return z.strictObject({ fact: z.literal(fact), ...leafBase }).superRefine(checkLeaf);
}

function leafWithParams<F extends keyof typeof FACTS, P extends z.ZodType>(fact: F, params: P) {
  return z.strictObject({ fact: z.literal(fact), ...leafBase, params }).superRefine(checkLeaf);
}

/** One leaf schema per catalogue fact, so params are validated by THAT fact's schema. */
export const LeafSchema = z.discriminatedUnion("fact", [
  leafWithParams("customerCategory", CustomerCategoryParams),
  leaf("member"),
  leaf("staff"),
  leaf("cardSeries"),
  leaf("storeNumber"),
  leaf("posNumber"),
  leaf("channel"),
  leaf("dayOfWeek"),
  leaf("timeOfDay"),
  leaf("date"),
  leaf("basketTotal"),
  leafWithParams("eligibleSpend", LineSelector.optional()),
  leafWithParams("eligibleQuantity", LineSelector.optional()),
  leafWithParams("tenderAmount", TenderAmountParams),
  leaf("visitCount"),
]);
export type Leaf = z.infer<typeof LeafSchema>;

// ---- groups (recursive via getters; depth is bounded by the raw pre-check) ----

export const AllSchema = z.strictObject({
  get all() {
    return z.array(ConditionSchema).min(1, "a group needs at least one condition").max(50);
  },
});
export const AnySchema = z.strictObject({
  get any() {
    return z.array(ConditionSchema).min(1, "a group needs at least one condition").max(50);
  },
});
export const NotSchema = z.strictObject({
  get not() {
    return ConditionSchema;
  },
});

/** Order matters: `simplifyIssues` picks a branch by the keys of the input. */
export const ConditionSchema: z.ZodType<Condition> = z.union([
  LeafSchema,
  AllSchema,
  AnySchema,
  NotSchema,
  // Named, so that JSON Schema and OpenAPI documents refer to it instead of recursing forever.
]).meta({ id: "RuleCondition" });
export type Condition = Leaf | { all: Condition[] } | { any: Condition[] } | { not: Condition };

export const TopConditionSchema = z.union([AllSchema, AnySchema, NotSchema]);
export type TopCondition = z.infer<typeof TopConditionSchema>;

// ---- events ----

const twoDecimals = "at most two decimals";
const PointsPerUnit = z.number().positive().max(10000).refine(hasAtMostTwoDecimals, twoDecimals);
/** A fixed number of points (per item, or per basket). */
const Points = z.number().positive().max(1_000_000).refine(hasAtMostTwoDecimals, twoDecimals);
const Factor = z.number().gt(1).max(100).refine(hasAtMostTwoDecimals, twoDecimals);
const Percent = z.number().positive().max(100).refine(hasAtMostTwoDecimals, twoDecimals);
const Code = z.string().min(1).max(64);

export const RULE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const RuleIdSchema = z.string().regex(RULE_ID, "lower-case letters, digits and '-', 1-64");

/** Adds an issue on the params object unless exactly one of the two keys is present. */
function exactlyOne(a: string, b: string) {
  return (params: Record<string, unknown>, ctx: z.core.$RefinementCtx) => {
    if ((params[a] === undefined) === (params[b] === undefined)) {
      ctx.addIssue({ code: "custom", message: `give exactly one of ${a} or ${b}`, path: [] });
    }
  };
}

export const BasicPointsEvent = z.strictObject({
  type: z.literal("basic-points"),
  params: z.strictObject({
    pointsPerUnit: PointsPerUnit.describe("Points per 1.00 of net spend (two decimals at most)"),
    /** Which lines' net spend earns; all lines when absent. */
    basis: LineSelector.optional().describe("Lines whose net spend earns; every line when absent"),
  }),
});

export const ItemPointsEvent = z.strictObject({
  type: z.literal("item-points"),
  params: z.strictObject({
    selector: LineSelector.describe("Lines that earn (only those carrying no discount do)"),
    /** Points per unit of quantity. */
    perItem: Points.optional().describe("Points per unit of quantity; or give pointsPerUnit"),
    /** Points per 1.00 of the line's net amount. */
    pointsPerUnit: PointsPerUnit.optional().describe("Points per 1.00 of the line; or perItem"),
  }).superRefine(exactlyOne("perItem", "pointsPerUnit")),
});

export const BasketPointsEvent = z.strictObject({
  type: z.literal("basket-points"),
  params: z.strictObject({
    points: Points.optional().describe("Fixed points for the basket; or give pointsPerUnit"),
    pointsPerUnit: PointsPerUnit.optional().describe("Points per 1.00 of the net total; or points"),
    /** Minor units; the rule fires only when the net total is at least this. */
    minTotal: z.int().nonnegative().max(1e15).optional()
      .describe("Fires only when the net total is at least this (minor units)"),
  }).superRefine(exactlyOne("points", "pointsPerUnit")),
});

export const TenderPointsEvent = z.strictObject({
  type: z.literal("tender-points"),
  params: z.strictObject({
    tenderTypes: z.array(Code).min(1).max(20).describe("Tender type codes, e.g. GIFT"),
    pointsPerUnit: PointsPerUnit.describe("Points per 1.00 paid with those tenders"),
  }),
});

export const MultiplierEvent = z.strictObject({
  type: z.literal("multiplier"),
  params: z.strictObject({
    /** Total factor: 2 doubles, i.e. adds 1 × the base points. */
    factor: Factor.describe("Total factor: 2 doubles the points (more than 1, at most 100)"),
    /** Earning rules multiplied; every earning rule when absent. Checked by `parseRuleSet`. */
    ruleIds: z.array(RuleIdSchema).min(1).max(200).optional().superRefine((ids, ctx) => {
      ids?.forEach((id, i) => {
        if (ids.indexOf(id) < i) {
          ctx.addIssue({ code: "custom", message: "listed twice", path: [i] });
        }
      });
    }).describe("Ids of the earning rules multiplied; every earning rule when absent"),
    /** Multiplies only the points those rules earned on the selected lines. */
    selector: LineSelector.optional().describe("Multiplies only what the selected lines earned"),
  }),
});

export const StaffDiscountEvent = z.strictObject({
  type: z.literal("staff-discount"),
  params: z.strictObject({
    /** Percent off each selected line's net amount. */
    percent: Percent.describe("Percent off each selected line's net amount"),
    /** Lines discounted; every line when absent. */
    selector: LineSelector.optional().describe("Lines discounted; every line when absent"),
  }),
});

export const EventSchema = z.discriminatedUnion("type", [
  BasicPointsEvent,
  ItemPointsEvent,
  BasketPointsEvent,
  TenderPointsEvent,
  MultiplierEvent,
  StaffDiscountEvent,
]);
export type RuleEvent = z.infer<typeof EventSchema>;
export type EventType = RuleEvent["type"];

/** Event types that earn points of their own (what a multiplier can multiply). */
export const EARNING_TYPES = [
  "basic-points",
  "item-points",
  "basket-points",
  "tender-points",
] as const;
export type EarningType = typeof EARNING_TYPES[number];

export function isEarningType(type: EventType): type is EarningType {
  return (EARNING_TYPES as readonly string[]).includes(type);
}

// ---- the rule ----

export const DEFAULT_REFERENCE = "SALE";
const Reference = z.string().regex(/^[A-Z][A-Z0-9_-]{0,19}$/, "upper-case code, e.g. ONBO");

export const RuleSchema = z.strictObject({
  id: RuleIdSchema,
  name: z.string().min(1).max(100),
  /** A disabled rule never fires. */
  enabled: z.boolean(),
  priority: z.int().min(1).max(100),
  conditions: TopConditionSchema,
  event: EventSchema,
  /** Overrides the programme's rounding rule for this rule's points (and its multipliers'). */
  rounding: RoundingSchema.optional(),
  /** Ledger reference code of the points this rule earns; `DEFAULT_REFERENCE` when absent. */
  reference: Reference.optional(),
}).superRefine((rule, ctx) => {
  const type = rule.event.type;
  if (type === "multiplier" && rule.rounding !== undefined) {
    ctx.addIssue({
      code: "custom",
      message: "a multiplier's points are rounded with the rule it multiplies",
      path: ["rounding"],
    });
  }
  if (type === "staff-discount") {
    for (const key of ["rounding", "reference"] as const) {
      if (rule[key] !== undefined) {
        ctx.addIssue({ code: "custom", message: "a staff discount earns no points", path: [key] });
      }
    }
  }
});
export type Rule = z.infer<typeof RuleSchema>;

// ---- raw pre-check ----

type Issue = z.core.$ZodIssue;

/**
 * Walks the raw input before zod: rejects prototype keys anywhere (JSON.parse creates an OWN
 * `__proto__` key, which zod's object parsing would not necessarily report as such) and
 * documents nested deeper than the engine needs.
 */
function precheck(input: unknown): Issue[] {
  const issues: Issue[] = [];
  const walk = (node: unknown, path: PropertyKey[], depth: number, groups: number) => {
    if (node === null || typeof node !== "object") return;
    if (depth > MAX_JSON_DEPTH) {
      issues.push({ code: "custom", message: "document nested too deeply", path, input: node });
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, [...path, i], depth + 1, groups));
      return;
    }
    for (const key of Object.keys(node)) {
      const here = [...path, key];
      if (FORBIDDEN_KEYS.has(key)) {
        issues.push({
          code: "custom",
          message: `forbidden key ${JSON.stringify(key)}`,
          path: here,
        });
        continue;
      }
      let g = groups;
      if (key === "all" || key === "any" || key === "not") {
        g += 1;
        if (g > MAX_GROUP_DEPTH) {
          issues.push({
            code: "custom",
            message: `conditions nested deeper than ${MAX_GROUP_DEPTH} groups`,
            path: here,
          });
          continue;
        }
      }
      walk((node as Record<string, unknown>)[key], here, depth + 1, g);
    }
  };
  walk(input, [], 0, 0);
  return issues;
}

// ---- readable issues ----

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input;
  for (const key of path) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Where a condition union sits: `conditions`, `….not`, `….all.N`, `….any.N`. */
function conditionUnionAt(path: readonly PropertyKey[]): "top" | "nested" | null {
  const last = path.at(-1);
  if (last === "conditions" && path.length === 1) return "top";
  if (last === "not") return "nested";
  const parent = path.at(-2);
  return typeof last === "number" && (parent === "all" || parent === "any") ? "nested" : null;
}

/**
 * A failed zod union reports every branch. Condition unions are keyed by shape (`fact`,
 * `all`, `any` or `not`), so keep only the branch the author evidently meant.
 */
function simplifyIssues(issues: readonly Issue[], input: unknown, base: PropertyKey[]): Issue[] {
  const out: Issue[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    const at = issue.code === "invalid_union" ? conditionUnionAt(path) : null;
    if (issue.code !== "invalid_union" || at === null || issue.errors.length < 2) {
      out.push({ ...issue, path });
      continue;
    }
    const order = at === "nested" ? ["fact", "all", "any", "not"] : ["all", "any", "not"];
    const raw = valueAt(input, path);
    let branch = raw !== null && typeof raw === "object" && !Array.isArray(raw)
      ? order.findIndex((k) => Object.hasOwn(raw, k))
      : -1;
    if (branch < 0 && order.length === 4) branch = 0;
    if (branch < 0) {
      out.push({
        code: "custom",
        message: "expected a condition group: {all: [...]}, {any: [...]} or {not: {...}}",
        path,
        input: raw,
      });
    } else {
      out.push(...simplifyIssues(issue.errors[branch], input, path));
    }
  }
  return out;
}

export type ParseResult = z.ZodSafeParseResult<Rule>;

function failure(issues: Issue[]): ParseResult {
  // The type parameter of ZodError is phantom: it only labels what was being parsed.
  return { success: false, error: new z.ZodError(issues) as z.ZodError<Rule> };
}

/** Parses a rule document (already JSON-decoded). Issues carry paths into the document. */
export function parseRule(input: unknown): ParseResult {
  const pre = precheck(input);
  if (pre.length > 0) return failure(pre);
  const result = RuleSchema.safeParse(input);
  if (result.success) return result;
  return failure(simplifyIssues(result.error.issues, input, []));
}

// ---- rule sets ----

export const MAX_RULES = 200;

export type RuleSetParseResult = z.ZodSafeParseResult<Rule[]>;

function setFailure(issues: Issue[]): RuleSetParseResult {
  return { success: false, error: new z.ZodError(issues) as z.ZodError<Rule[]> };
}

/**
 * Parses a rule set: every rule as `parseRule` does (issue paths prefixed by the rule's
 * index), ids unique, and each multiplier's `ruleIds` naming earning rules of the set.
 */
export function parseRuleSet(input: unknown): RuleSetParseResult {
  if (!Array.isArray(input)) {
    return setFailure([{ code: "custom", message: "expected an array of rules", path: [], input }]);
  }
  if (input.length > MAX_RULES) {
    return setFailure([{ code: "custom", message: `at most ${MAX_RULES} rules`, path: [] }]);
  }
  const issues: Issue[] = [];
  const parsed: (Rule | undefined)[] = input.map((doc, i) => {
    const r = parseRule(doc);
    if (r.success) return r.data;
    for (const issue of r.error.issues) issues.push({ ...issue, path: [i, ...issue.path] });
    return undefined;
  });
  // Ids as written, so a reference to a rule that has other errors is not reported twice.
  const firstIndex = new Map<unknown, number>();
  input.forEach((doc: unknown, i) => {
    const id = doc !== null && typeof doc === "object" && Object.hasOwn(doc, "id")
      ? (doc as { id: unknown }).id
      : undefined;
    if (typeof id !== "string") return;
    const first = firstIndex.get(id);
    if (first === undefined) firstIndex.set(id, i);
    else {
      issues.push({ code: "custom", message: `rule ${first} has the same id`, path: [i, "id"] });
    }
  });
  parsed.forEach((rule, i) => {
    if (rule?.event.type !== "multiplier") return;
    rule.event.params.ruleIds?.forEach((id, j) => {
      const at = firstIndex.get(id);
      const target = at === undefined ? undefined : parsed[at];
      const path = [i, "event", "params", "ruleIds", j];
      if (at === undefined) {
        issues.push({ code: "custom", message: `no rule has id ${id}`, path });
      } else if (target && !isEarningType(target.event.type)) {
        issues.push({
          code: "custom",
          message:
            `rule ${id} is a ${target.event.type} rule; a multiplier multiplies earning rules`,
          path,
        });
      }
    });
  });
  if (issues.length > 0) return setFailure(issues);
  return { success: true, data: parsed as Rule[] };
}
