/**
 * The shape of an evaluation trace, for the rule simulator: per rule whether it fired, and per
 * condition leaf what the engine saw. Types only, so a browser island can render traces
 * without importing the engine.
 */
import type { Evaluation } from "./awards.ts";
import type { EventType } from "./schema.ts";

export interface LeafTrace {
  fact: string;
  params?: unknown;
  path?: string;
  operator: string;
  /** The value the rule compares with. */
  value: unknown;
  /** The fact's value the operator saw (after `path`); absent when not evaluated. */
  factValue?: unknown;
  /** Absent when the engine did not evaluate this leaf (its group was already decided). */
  result?: boolean;
}

export type ConditionTrace =
  | LeafTrace
  | { all: ConditionTrace[]; result?: boolean }
  | { any: ConditionTrace[]; result?: boolean }
  | { not: ConditionTrace; result?: boolean };

export interface RuleTrace {
  ruleId: string;
  name: string;
  type: EventType;
  priority: number;
  /** `disabled`: `enabled` is false, so the rule was not evaluated at all. */
  status: "fired" | "not-fired" | "disabled";
  /**
   * The system conditions the programme settings put before the rule's own (rules/gate.ts):
   * e.g. `nonLoyalty equal false`. Empty for a disabled rule.
   */
  gate: ConditionTrace[];
  /** The rule's own conditions; without results for a disabled rule. */
  conditions: ConditionTrace;
}

export type TracedEvaluation = Evaluation & {
  /** One entry per rule, in the order of the rule set. */
  trace: RuleTrace[];
};
