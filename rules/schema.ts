/**
 * The STRICT schema of a rule document. json-rules-engine itself accepts typos, unknown keys,
 * `__proto__`, empty groups and string priorities, and one bad condition rejects a whole run;
 * so nothing reaches the engine that has not passed this schema (and, before saving, the smoke
 * run in `validateRule`).
 */
import { z } from "zod";
import {
  CustomerCategoryParams,
  type FactDef,
  FACTS,
  LineSelector,
  type Scalar,
  TenderAmountParams,
} from "./facts.ts";
import { isPlainPath, MAX_PATH_LENGTH } from "./path.ts";
import { hasAtMostTwoDecimals } from "./points.ts";
import type { Basket } from "./basket.ts";
import { evaluate, RoundingSchema, type Settings } from "./evaluate.ts";

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
const Value = z.union([Primitive, z.array(Primitive).max(500)]);
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
  leaf("storeNumber"),
  leaf("posNumber"),
  leaf("channel"),
  leaf("dayOfWeek"),
  leaf("timeOfDay"),
  leaf("date"),
  leaf("basketTotal"),
  leafWithParams("eligibleSpend", LineSelector.optional()),
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
]);
export type Condition = Leaf | { all: Condition[] } | { any: Condition[] } | { not: Condition };

export const TopConditionSchema = z.union([AllSchema, AnySchema, NotSchema]);
export type TopCondition = z.infer<typeof TopConditionSchema>;

// ---- events ----

const PointsPerUnit = z.number().positive().max(10000).refine(
  hasAtMostTwoDecimals,
  "at most two decimals",
);

export const BasicPointsEvent = z.strictObject({
  type: z.literal("basic-points"),
  params: z.strictObject({
    pointsPerUnit: PointsPerUnit,
    /** Which lines' net spend earns; all lines when absent. */
    basis: LineSelector.optional(),
  }),
});

/** Discriminated on `type`; item/basket/tender points join here. */
export const EventSchema = z.discriminatedUnion("type", [BasicPointsEvent]);
export type RuleEvent = z.infer<typeof EventSchema>;

// ---- the rule ----

export const RuleSchema = z.strictObject({
  name: z.string().min(1).max(100),
  priority: z.int().min(1).max(100),
  conditions: TopConditionSchema,
  event: EventSchema,
  /** Overrides the programme's rounding rule for this rule's points. */
  rounding: RoundingSchema.optional(),
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

/**
 * A failed zod union reports every branch. Condition unions are keyed by shape (`fact`,
 * `all`, `any` or `not`), so keep only the branch the author evidently meant.
 */
function simplifyIssues(issues: readonly Issue[], input: unknown, base: PropertyKey[]): Issue[] {
  const out: Issue[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code !== "invalid_union" || issue.errors.length < 2) {
      out.push({ ...issue, path });
      continue;
    }
    const order = issue.errors.length === 4 ? ["fact", "all", "any", "not"] : ["all", "any", "not"];
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

// ---- smoke run ----

/** Baskets every rule is run against before it can be saved (one member, one anonymous). */
export const FIXTURE_BASKETS: readonly Basket[] = [
  {
    currency: "EUR",
    storeNumber: 1,
    posNumber: 1,
    channel: "pos",
    at: "2025-03-04T10:30:00Z",
    timezone: "Europe/Paris",
    customer: { categories: ["GOLD", "X"], member: true, staff: false, visitCount: 3 },
    lines: [
      { sku: "A1", category: "SHOES", quantity: 2, unitPrice: 4999, discounts: [] },
      {
        sku: "B2",
        category: "SOCKS",
        quantity: 1,
        unitPrice: 500,
        discounts: [{ kind: "sale", amount: 100 }],
      },
    ],
    tenders: [{ type: "CASH", amount: 10398 }],
  },
  {
    currency: "JPY",
    storeNumber: 2,
    posNumber: 7,
    channel: "web",
    at: "2025-03-05T23:59:00+09:00",
    timezone: "Asia/Tokyo",
    lines: [],
    tenders: [],
  },
];

const SMOKE_SETTINGS: Settings = {
  roundingRule: "none",
  calcPointsOnDiscountedItems: true,
  nonLoyaltyCategoryCodes: [],
};

/**
 * Schema + smoke run: the rule is evaluated by the real engine on the fixture baskets, so a
 * document that would throw at the POS is rejected before it can be saved.
 */
export async function validateRule(input: unknown): Promise<ParseResult> {
  const parsed = parseRule(input);
  if (!parsed.success) return parsed;
  for (const basket of FIXTURE_BASKETS) {
    try {
      await evaluate([parsed.data], basket, SMOKE_SETTINGS);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return failure([{
        code: "custom",
        message: `rule fails in the engine: ${message}`,
        path: [],
      }]);
    }
  }
  return parsed;
}
