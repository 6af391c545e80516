/**
 * The engine of a rule set: json-rules-engine built ONCE per rule set and shared by every
 * evaluation, concurrent ones included. A parsed rule set is immutable, and the programme cache
 * holds it per published version (earning/rule_sets.ts), so the engine is kept beside it (a
 * WeakMap on the array) and goes when the version does. What a run costs and why it is safe:
 *
 * - Each run has its own almanac (`BasketAlmanac`: the basket's prepared context and its fact
 *   values). The engine's `status` is pinned to RUNNING: a run that finishes sets it to
 *   FINISHED, and a concurrent run still going then skips its remaining rules (upstream issue
 *   303: tests/rules/engine_test.ts fails so when the rules keep their priorities and the pin
 *   is taken away); nothing here stops an engine, so RUNNING is always the truth.
 * - The condition trees are immutable and shared by every run. The engine deep-copies a rule's
 *   conditions on each run (its RuleResult, with the `clone` package: about a microsecond per
 *   object, more than the whole plain evaluation) only so that it can write each node's result
 *   into the copy; an answer reads none of them (the trace comes from an engine of its own,
 *   rules/evaluate.ts). So each node's `result`, `factResult` and `valueResult` are setters
 *   that keep nothing, the nodes are frozen, and the rule is given an object whose prototype is
 *   the tree's root: `clone` copies no property its prototype owns, so the copy is one empty
 *   object that reads the shared tree (the rule's event likewise). Were a later engine to copy it in full, or to read a
 *   node's result back, the answers stay exact or the tests comparing it with a fresh engine and
 *   with the plain oracle fail.
 * - Every rule at one priority: rules never read each other's results, so the order the engine
 *   takes them in changes nothing (`evaluationOf` orders awards by the rules' own priorities),
 *   and one pass spares a promise chain per distinct priority. Nested groups of one kind are
 *   merged (`all` in `all`, `any` in `any`): fewer promises, the same decision.
 * - Each distinct leaf fact (name and params) is a slot, numbered when the engine is built, its
 *   params validated then; the leaf carries the slot number as its params. A run computes a
 *   slot at most once (the almanac's own cache, which hashes the params of every leaf on every
 *   run, is off). The ordering operators are the engine's own with a guard that allocates
 *   nothing (the default one formats the number as a string on every comparison).
 */
import {
  Almanac,
  Engine,
  Operator,
  Rule as EngineRule,
  type TopLevelCondition,
} from "json-rules-engine";
import type { Context } from "./context.ts";
import { FACTS, isFactName, type Scalar } from "./facts.ts";
import { type EngineCondition, type GateName, gatePartsOf, GATES, SYSTEM_FACTS } from "./gate.ts";
import { pathResolver } from "./path.ts";
import type { Rule } from "./schema.ts";

/** A leaf fact of the rule set, its params validated once, read in a run's almanac. */
type Slot = (almanac: BasketAlmanac) => Scalar;

/** An engine built from a rule set, with the slots its leaves name. */
export interface BuiltEngine {
  readonly engine: Engine;
  readonly slots: readonly Slot[];
}

const UNSET = Symbol("unset");

/** One run's almanac: the basket's context, its open gates, the slot values computed so far. */
class BasketAlmanac extends Almanac {
  readonly ctx: Context;
  readonly open: ReadonlySet<string>;
  readonly #slots: readonly Slot[];
  readonly #values: unknown[];

  constructor(ctx: Context, slots: readonly Slot[], open: ReadonlySet<string>) {
    super({ allowUndefinedFacts: false, pathResolver });
    this.ctx = ctx;
    this.open = open;
    this.#slots = slots;
    this.#values = new Array(slots.length).fill(UNSET);
  }

  slotValue(slot: number): unknown {
    let value = this.#values[slot];
    if (value === UNSET) value = this.#values[slot] = this.#slots[slot](this);
    return value;
  }
}

/** Every fact of a built engine: the leaf's params are its slot number. */
function readSlot(slot: unknown, almanac: Almanac): unknown {
  return (almanac as BasketAlmanac).slotValue(slot as number);
}

/** The fact a rule's shared gate is to the rule set's engine: whether the gate engine opened it. */
const GATE_FACT = "gate";

function slotOf(fact: string, params: unknown): Slot {
  if (fact === GATE_FACT) return (almanac) => almanac.open.has(params as GateName);
  const compute = Object.hasOwn(SYSTEM_FACTS, fact)
    ? SYSTEM_FACTS[fact]
    : isFactName(fact)
    ? FACTS[fact].bind(params)
    : null;
  if (!compute) throw new Error(`Undefined fact: ${fact}`);
  return (almanac) => compute(almanac.ctx);
}

/** json-rules-engine's guard of its ordering operators, `parseFloat(v).toString() !== "NaN"`. */
function numeric(v: unknown): boolean {
  return !Number.isNaN(typeof v === "number" ? v : Number.parseFloat(v as string));
}

const ORDERING = {
  lessThan: (a: number, b: number) => a < b,
  lessThanInclusive: (a: number, b: number) => a <= b,
  greaterThan: (a: number, b: number) => a > b,
  greaterThanInclusive: (a: number, b: number) => a >= b,
};

/** A condition as the built engine is given it: leaves name slots. */
type BuiltCondition =
  | { fact: string; operator: string; value: unknown; params: number; path?: string }
  | { all: BuiltCondition[] }
  | { any: BuiltCondition[] }
  | { not: BuiltCondition };

/** A group's members, with a group of the same kind merged into them. */
function merged(kind: "all" | "any", c: BuiltCondition): BuiltCondition[] {
  return kind in c ? (c as Record<typeof kind, BuiltCondition[]>)[kind] : [c];
}

/**
 * What a rule is given for `value` (its conditions, its event): an object of no own properties
 * whose prototype is `value`, frozen, its keys not enumerable. Its per-run copy by `clone`
 * (RuleResult) then copies nothing and reads the shared value.
 */
function readThrough<T extends object>(value: T): T {
  for (const key of Object.keys(value)) Object.defineProperty(value, key, { enumerable: false });
  return Object.create(Object.freeze(value));
}

const FIRED = readThrough({ type: "fired" });

/** A node's run results: the engine writes them, an answer never reads them. */
const KEEP_NOTHING: PropertyDescriptor = { get: () => undefined, set: () => {} };

/** Freezes the nodes under an engine condition, their run results kept nowhere. */
function freezeMembers(node: Record<string, unknown>): void {
  for (const kind of ["all", "any"]) {
    const members = node[kind];
    if (Array.isArray(members)) Object.freeze(members).forEach(freezeNode);
  }
  if (node.not) freezeNode(node.not as Record<string, unknown>);
}

function freezeNode(node: Record<string, unknown>): void {
  freezeMembers(node);
  Object.defineProperties(node, {
    result: KEEP_NOTHING,
    factResult: KEEP_NOTHING,
    valueResult: KEEP_NOTHING,
  });
  Object.freeze(node);
}

/** An engine deciding, per entry, whether its conditions hold; `name` is what a run returns. */
function engineOf(entries: readonly { name: string; conditions: EngineCondition }[]): BuiltEngine {
  const engine = new Engine([], { allowUndefinedFacts: false, pathResolver });
  Object.defineProperty(engine, "status", { get: () => "RUNNING", set: () => {} });
  for (const [name, cb] of Object.entries(ORDERING)) {
    engine.addOperator(new Operator(name, cb, numeric));
  }
  const slots: Slot[] = [];
  const slotByKey = new Map<string, number>();
  const facts = new Set<string>();
  const compile = (c: EngineCondition): BuiltCondition => {
    if ("all" in c) return { all: c.all.flatMap((x) => merged("all", compile(x))) };
    if ("any" in c) return { any: c.any.flatMap((x) => merged("any", compile(x))) };
    if ("not" in c) return { not: compile(c.not) };
    const key = JSON.stringify([c.fact, c.params ?? null]);
    let slot = slotByKey.get(key);
    if (slot === undefined) {
      slot = slots.push(slotOf(c.fact, c.params)) - 1;
      slotByKey.set(key, slot);
    }
    facts.add(c.fact);
    return { ...c, params: slot };
  };
  for (const { name, conditions } of entries) {
    const rule = new EngineRule({
      name,
      priority: 1,
      // BuiltCondition is structurally the engine's condition type, minus its index signature.
      conditions: compile(conditions) as TopLevelCondition,
      event: { type: "fired" },
    });
    freezeMembers(rule.conditions as unknown as Record<string, unknown>);
    rule.conditions = readThrough(rule.conditions);
    rule.event = rule.ruleEvent = FIRED;
    engine.addRule(rule);
  }
  for (const fact of facts) engine.addFact(fact, readSlot, { cache: false });
  return { engine, slots };
}

/** The engine of the shared gates, the same for every rule set. */
const GATE_ENGINE = engineOf(
  Object.entries(GATES).map(([name, gate]) => ({ name, conditions: { all: [...gate] } })),
);

/** A new engine for `rules` (validated by `parseRuleSet`); disabled rules are left out. */
export function buildEngine(rules: readonly Rule[]): BuiltEngine {
  return engineOf(rules.flatMap((rule, index) => {
    if (!rule.enabled) return [];
    const { shared, own } = gatePartsOf(rule);
    const gate: EngineCondition = {
      fact: GATE_FACT,
      params: shared,
      operator: "equal",
      value: true,
    };
    return [{ name: String(index), conditions: { all: [gate, ...own, rule.conditions] } }];
  }));
}

const built = new WeakMap<readonly Rule[], BuiltEngine>();

/** The engine of `rules`, built on the first call for this array and kept as long as it is. */
export function engineFor(rules: readonly Rule[]): BuiltEngine {
  let engine = built.get(rules);
  if (!engine) built.set(rules, engine = buildEngine(rules));
  return engine;
}

/** Names of the entries whose conditions hold, in one run of `built`. */
async function holding(built: BuiltEngine, almanac: BasketAlmanac): Promise<string[]> {
  return (await built.engine.run({}, { almanac })).results.map((r) => r.name);
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Indices (into the rule set) of the rules `built` fires in a prepared context: the gate
 * engine decides the shared gates, then the rule set's engine its rules behind them.
 */
export async function runEngine(built: BuiltEngine, ctx: Context): Promise<number[]> {
  const open = new Set(await holding(GATE_ENGINE, new BasketAlmanac(ctx, GATE_ENGINE.slots, NONE)));
  return (await holding(built, new BasketAlmanac(ctx, built.slots, open))).map(Number);
}
