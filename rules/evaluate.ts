/**
 * Evaluation with json-rules-engine: the engine decides WHICH rules fire (their own
 * conditions behind the settings' gate, rules/gate.ts); the points are integer arithmetic in
 * plain TypeScript afterwards (rules/awards.ts). An answer comes from the rule set's one shared
 * engine (rules/engine.ts). A trace, for the simulator and the replay's comparison, comes from
 * an engine built for that evaluation from the rules as written (their params, their
 * priorities), whose results carry what each leaf saw: slower, and a second opinion the
 * property tests hold the shared engine to. Server-side only: the browser gets rules/schema.ts
 * and rules/facts.ts.
 */
import { Engine, type RuleResult, type TopLevelCondition } from "json-rules-engine";
import { type Evaluation, evaluationOf } from "./awards.ts";
import type { Basket } from "./basket.ts";
import { type Context, prepare } from "./context.ts";
import { engineFor, runEngine } from "./engine.ts";
import { FACT_NAMES, FACTS } from "./facts.ts";
import { type EngineCondition, gateOf, SYSTEM_FACTS } from "./gate.ts";
import { pathResolver } from "./path.ts";
import type { Rule } from "./schema.ts";
import type { Settings } from "./settings.ts";
import type { ConditionTrace, RuleTrace, TracedEvaluation } from "./trace.ts";

export interface EvaluateOptions {
  /** Also return, per rule, whether it fired and what each condition leaf saw. */
  trace?: boolean;
}

/**
 * Evaluates `rules` (validated by `parseRuleSet`) against `basket` (parsed by `BasketSchema`)
 * under the programme `settings`. Disabled rules never fire.
 */
export function evaluate(
  rules: readonly Rule[],
  basket: Basket,
  settings: Settings,
): Promise<Evaluation>;
export function evaluate(
  rules: readonly Rule[],
  basket: Basket,
  settings: Settings,
  options: EvaluateOptions & { trace: true },
): Promise<TracedEvaluation>;
export function evaluate(
  rules: readonly Rule[],
  basket: Basket,
  settings: Settings,
  options?: EvaluateOptions,
): Promise<Evaluation | TracedEvaluation>;
export async function evaluate(
  rules: readonly Rule[],
  basket: Basket,
  settings: Settings,
  options: EvaluateOptions = {},
): Promise<Evaluation | TracedEvaluation> {
  const ctx = prepare(basket, settings);
  if (!options.trace) return evaluationOf(rules, await firedRules(rules, ctx), ctx);
  const { results, failureResults } = await runTracingEngine(rules, ctx);
  const evaluation = evaluationOf(rules, results.map(ruleIndex), ctx);

  const byIndex = new Map<number, RuleResult>();
  for (const r of [...results, ...failureResults]) byIndex.set(ruleIndex(r), r);
  const trace = rules.map((rule, index): RuleTrace => {
    const base = {
      ruleId: rule.id,
      name: rule.name,
      type: rule.event.type,
      priority: rule.priority,
    };
    const result = byIndex.get(index);
    if (!result) {
      return { ...base, status: "disabled", gate: [], conditions: traceOf(rule.conditions) };
    }
    const all = (result.conditions as unknown as { all: EngineResultCondition[] }).all;
    return {
      ...base,
      status: result.result === true ? "fired" : "not-fired",
      gate: all.slice(0, -1).map(traceOf),
      conditions: traceOf(all[all.length - 1]),
    };
  });
  return { ...evaluation, trace };
}

/** A run of an engine built for it over `rules` in the prepared context: results with values. */
async function runTracingEngine(rules: readonly Rule[], ctx: Context) {
  const engine = new Engine([], { allowUndefinedFacts: false, pathResolver });
  for (const name of FACT_NAMES) {
    const def = FACTS[name];
    engine.addFact(name, (params) => def.compute(ctx, params));
  }
  for (const [name, fact] of Object.entries(SYSTEM_FACTS)) engine.addFact(name, fact(ctx));
  rules.forEach((rule, index) => {
    if (!rule.enabled) return;
    const all: EngineCondition[] = [...gateOf(rule), rule.conditions];
    engine.addRule({
      name: rule.id,
      priority: rule.priority,
      // EngineCondition is structurally the engine's condition type, minus its index signature.
      conditions: { all } as unknown as TopLevelCondition,
      event: { type: "fired", params: { index } },
    });
  });
  return await engine.run();
}

/**
 * Indices (into `rules`) of the rules the engine fires in a context already prepared: what
 * `evaluate` decides before the points arithmetic, for a replay that asks about some rules.
 */
export async function firedRules(rules: readonly Rule[], ctx: Context): Promise<number[]> {
  // A group with nothing published quotes with a new empty array each time: no engine for it.
  if (rules.length === 0) return [];
  return await runEngine(engineFor(rules), ctx);
}

function ruleIndex(result: RuleResult): number {
  const index: unknown = result.event?.params?.index;
  if (typeof index !== "number") throw new Error("engine returned an unknown rule");
  return index;
}

/** A condition as the engine leaves it after a run: ours plus `result` and `factResult`. */
type EngineResultCondition = {
  all?: EngineResultCondition[];
  any?: EngineResultCondition[];
  not?: EngineResultCondition;
  fact?: string;
  params?: unknown;
  path?: string;
  operator?: string;
  value?: unknown;
  factResult?: unknown;
  result?: boolean;
};

/** Our trace shape from an engine result condition (or an unevaluated rule condition). */
function traceOf(c: EngineResultCondition): ConditionTrace {
  const result = typeof c.result === "boolean" ? { result: c.result } : {};
  if (c.all) return { all: c.all.map(traceOf), ...result };
  if (c.any) return { any: c.any.map(traceOf), ...result };
  if (c.not) return { not: traceOf(c.not), ...result };
  return {
    fact: c.fact ?? "",
    ...(c.params === undefined ? {} : { params: c.params }),
    ...(c.path === undefined ? {} : { path: c.path }),
    operator: c.operator ?? "",
    value: c.value,
    ...("factResult" in c && c.result !== undefined ? { factValue: c.factResult } : {}),
    ...result,
  };
}
