/**
 * The programme settings as inputs the engine sees. The settings become SYSTEM facts (rule
 * authors cannot name them: they are outside the catalogue) and every rule's conditions are
 * prefixed with the gate of its event type, so the engine itself decides that a non-loyalty
 * customer earns nothing, that a discounted sale earns nothing when the programme says so,
 * and that staff discounts go to staff at the staff default location. Both evaluators
 * (rules/evaluate.ts and rules/plain.ts) use these same conditions; a rule set's shared engine
 * (rules/engine.ts) has the shared part of each gate decided once per basket.
 */
import type { Context } from "./context.ts";
import type { Scalar } from "./facts.ts";
import type { Operator, Rule } from "./schema.ts";

/** A condition as either evaluator walks it: catalogue leaves, or leaves over system facts. */
export type EngineCondition =
  | { fact: string; operator: Operator; value: unknown; params?: unknown; path?: string }
  | { all: EngineCondition[] }
  | { any: EngineCondition[] }
  | { not: EngineCondition };

/** The system facts, each read from the prepared context. */
export const SYSTEM_FACTS: Readonly<Record<string, (ctx: Context) => Scalar>> = {
  nonLoyalty: (ctx) => ctx.status.nonLoyalty,
  calcPointsOnDiscountedItems: (ctx) => ctx.settings.calcPointsOnDiscountedItems,
  hasDiscount: (ctx) => ctx.hasDiscount,
  atStaffLocation: (ctx) => ctx.atStaffLocation,
};

/** Earning rules and multipliers: members only; a discounted sale only when the setting is on. */
const EARN_GATE: readonly EngineCondition[] = [
  { fact: "nonLoyalty", operator: "equal", value: false },
  {
    any: [
      { fact: "calcPointsOnDiscountedItems", operator: "equal", value: true },
      { fact: "hasDiscount", operator: "equal", value: false },
    ],
  },
];

/** Staff discounts: staff customer types, at the staff default location (any when unset). */
const STAFF_GATE: readonly EngineCondition[] = [
  { fact: "staff", operator: "equal", value: true },
  { fact: "atStaffLocation", operator: "equal", value: true },
];

/** The gates many rules share, by name: a shared engine decides each once per basket. */
export const GATES = { earn: EARN_GATE, staff: STAFF_GATE } as const;
export type GateName = keyof typeof GATES;

/** A rule's gate in two parts: the shared gate it stands behind, and conditions of its own. */
export function gatePartsOf(rule: Rule): { shared: GateName; own: EngineCondition[] } {
  const event = rule.event;
  if (event.type === "staff-discount") return { shared: "staff", own: [] };
  if (event.type === "basket-points" && event.params.minTotal !== undefined) {
    // The threshold is a condition too, so a trace shows why the rule did not fire.
    const threshold: EngineCondition = {
      fact: "basketTotal",
      operator: "greaterThanInclusive",
      value: event.params.minTotal,
    };
    return { shared: "earn", own: [threshold] };
  }
  return { shared: "earn", own: [] };
}

/** The conditions prepended to a rule's own; the trace reports them apart. */
export function gateOf(rule: Rule): readonly EngineCondition[] {
  const { shared, own } = gatePartsOf(rule);
  return own.length === 0 ? GATES[shared] : [...GATES[shared], ...own];
}
