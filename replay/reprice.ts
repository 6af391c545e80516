/**
 * Re-pricing a recorded sale with a version of the rules, exactly as `evaluate` would
 * (rules/evaluate.ts), without asking the engine what it already answered:
 *
 * - A rule fires on a basket or not from its switch, its gate and its conditions alone (rules
 *   never read each other's results). So a rule whose `enabled`, gate and conditions are the
 *   same in the version that priced the sale fires as it did then: the sale recorded which
 *   rules fired (sales/recorded_pricing.ts).
 * - Any other rule is decided by the engine, asked once per distinct set of the values its
 *   leaves read (gate facts included): the engine's answer is a function of those values, so
 *   two sales that show a rule the same values get the same answer.
 * - Staff discounts earn no points: they are never asked.
 *
 * Then the points are the plain arithmetic of `evaluationOf` (rules/awards.ts) over the rules
 * that fired, in the context `prepare` makes of the recorded basket and settings: the same
 * code path as the till. tests/replay/exactness_test.ts proves it equal to a full `evaluate`.
 */
import { type Evaluation, evaluationOf } from "../rules/awards.ts";
import type { Context } from "../rules/context.ts";
import { firedRules } from "../rules/evaluate.ts";
import { type EngineCondition, gateOf } from "../rules/gate.ts";
import { factReader } from "../rules/plain.ts";
import { isEarningType, type Rule } from "../rules/schema.ts";

/** The recorded version of a sale: null when nothing was published yet (no rule fired). */
export type RecordedVersion = number | null;

type Read = ReturnType<typeof factReader>;

/** What decides whether a rule fires. */
const firingOf = (rule: Rule) => JSON.stringify([rule.enabled, gateOf(rule), rule.conditions]);

/** Rules whose firing can change points: earning rules and multipliers. */
const earnsPoints = (rule: Rule) =>
  isEarningType(rule.event.type) || rule.event.type === "multiplier";

type Leaf = { fact: string; params?: unknown; path?: string };

function leavesOf(c: EngineCondition, out: Leaf[] = []): Leaf[] {
  if ("all" in c) c.all.forEach((x) => leavesOf(x, out));
  else if ("any" in c) c.any.forEach((x) => leavesOf(x, out));
  else if ("not" in c) leavesOf(c.not, out);
  else out.push(c);
  return out;
}

/** A rule the engine is asked about, with its answers by the values its leaves read. */
interface Asked {
  index: number;
  rule: Rule;
  leaves: Leaf[];
  answers: Map<string, boolean>;
}

// Bounded, so a rule reading a value that differs on every sale (a total) cannot grow it.
const MAX_ANSWERS = 50_000;

/** Counts of what the shortcuts spared, for the benchmark and the docs. */
export interface RepriceStats {
  /** Rule decisions taken from the recorded firing. */
  recorded: number;
  /** Rule decisions answered from an earlier engine answer on the same values. */
  remembered: number;
  /** Engine runs. */
  engine: number;
}

/** One version of the rules, re-pricing sales recorded under other versions. */
export class Repricer {
  readonly stats: RepriceStats = { recorded: 0, remembered: 0, engine: 0 };
  readonly #rules: readonly Rule[];
  readonly #recorded: ReadonlyMap<RecordedVersion, readonly Rule[]>;
  readonly #plans = new Map<RecordedVersion, { stands: number[]; asked: Asked[] }>();
  readonly #asked = new Map<number, Asked>();

  /** `recorded`: the rules of every version the sales to re-price were priced with. */
  constructor(rules: readonly Rule[], recorded: ReadonlyMap<RecordedVersion, readonly Rule[]>) {
    this.#rules = rules;
    this.#recorded = recorded;
  }

  #plan(version: RecordedVersion) {
    let plan = this.#plans.get(version);
    if (plan) return plan;
    const then = new Map((this.#recorded.get(version) ?? []).map((r) => [r.id, r]));
    plan = { stands: [], asked: [] };
    this.#rules.forEach((rule, index) => {
      if (!rule.enabled || !earnsPoints(rule)) return;
      const before = then.get(rule.id);
      if (before && earnsPoints(before) && firingOf(before) === firingOf(rule)) {
        plan!.stands.push(index);
        return;
      }
      let asked = this.#asked.get(index);
      if (!asked) {
        const leaves = leavesOf({ all: [...gateOf(rule), rule.conditions] });
        asked = { index, rule, leaves, answers: new Map() };
        this.#asked.set(index, asked);
      }
      plan!.asked.push(asked);
    });
    this.#plans.set(version, plan);
    return plan;
  }

  /** Whether the engine fires `asked.rule` in `ctx`, asking it only for values it has not seen. */
  async #fires(asked: Asked, ctx: Context, read: Read): Promise<boolean> {
    const key = JSON.stringify(
      asked.leaves.map((l) => read(l.fact, l.params, l.path)),
      (_, v) => v === undefined ? "\u0000undefined" : v,
    );
    const known = asked.answers.get(key);
    if (known !== undefined) {
      this.stats.remembered++;
      return known;
    }
    this.stats.engine++;
    const fires = (await firedRules([asked.rule], ctx)).length > 0;
    if (asked.answers.size >= MAX_ANSWERS) asked.answers.clear();
    asked.answers.set(key, fires);
    return fires;
  }

  /**
   * The evaluation these rules give a sale recorded under `version`, whose recorded firing is
   * `fired` (rule ids), in its prepared context with its fact reader.
   */
  async reprice(
    ctx: Context,
    read: Read,
    version: RecordedVersion,
    fired: ReadonlySet<string>,
  ): Promise<Evaluation> {
    const plan = this.#plan(version);
    const out: number[] = [];
    for (const i of plan.stands) if (fired.has(this.#rules[i].id)) out.push(i);
    this.stats.recorded += plan.stands.length;
    for (const asked of plan.asked) if (await this.#fires(asked, ctx, read)) out.push(asked.index);
    return evaluationOf(this.#rules, out, ctx);
  }
}
