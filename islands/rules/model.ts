/**
 * The rule editor's model, without any UI: rule documents as plain JSON edited by path, the
 * catalogue and vocabulary types the page hands over, where a validation issue is shown, new
 * rules from a type, and the rule-by-rule diff shown before publishing. Browser-safe.
 */
import type {
  catalogueJson,
  draftJson,
  simulationJson,
  summaryJson,
  vocabularyJson,
} from "../../earning/earning_json.ts";

/** Rule documents as the editor holds them: JSON that may not (yet) be a valid rule. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = { [k: string]: Json };
/** A place in the rule set: the rule's index first, as validation issues and 422s name it. */
export type Path = (string | number)[];

export type Catalogue = ReturnType<typeof catalogueJson>;
export type FactInfo = Catalogue["facts"][number];
type EventInfo = Catalogue["events"][number];
export type Vocabulary = ReturnType<typeof vocabularyJson>;
export type DraftJson = ReturnType<typeof draftJson>;
export type SummaryJson = ReturnType<typeof summaryJson>;
export type Simulation = ReturnType<typeof simulationJson>;

export const isObj = (v: unknown): v is Obj =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The key of a path in the issue map and in element ids: `0/conditions/all/1/value`. */
export const pathKey = (path: Path) => path.join("/");

export function getIn(root: Json | undefined, path: Path): Json | undefined {
  let node = root;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === "number") node = node[key];
    else if (isObj(node) && typeof key === "string" && Object.hasOwn(node, key)) node = node[key];
    else return undefined;
  }
  return node;
}

/**
 * A copy of `root` with `value` at `path` (objects on the way created as needed); `undefined`
 * removes an object's key, so an emptied optional field leaves the document.
 */
export function setIn(root: Json | undefined, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const [key, ...rest] = path;
  if (typeof key === "number") {
    const list = Array.isArray(root) ? [...root] : [];
    list[key] = setIn(list[key], rest, value);
    return list;
  }
  const obj: Obj = isObj(root) ? { ...root } : {};
  const next = rest.length === 0 ? value : setIn(obj[key], rest, value);
  if (next === undefined) delete obj[key];
  else obj[key] = next;
  return obj;
}

/** Removes item `index` of the list at `path`. */
export function removeAt(root: Json, path: Path, index: number): Json {
  const list = getIn(root, path);
  return Array.isArray(list) ? setIn(root, path, list.filter((_, i) => i !== index)) : root;
}

export const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

// ---- condition groups ----

export type GroupKind = "all" | "any" | "not";
const GROUP_KINDS: GroupKind[] = ["all", "any", "not"];

export function groupKind(node: Json | undefined): GroupKind | null {
  if (!isObj(node)) return null;
  return GROUP_KINDS.find((k) => Object.hasOwn(node, k)) ?? null;
}

/** The children of a group, in order (`not` has one). */
export function groupChildren(node: Obj, kind: GroupKind): Json[] {
  const inner = node[kind];
  if (kind === "not") return inner === undefined ? [] : [inner];
  return Array.isArray(inner) ? inner : [];
}

/** The group rewritten as another kind, keeping its conditions (`not` of several: of all). */
export function convertGroup(node: Obj, from: GroupKind, to: GroupKind): Obj {
  const children = groupChildren(node, from);
  if (to === "not") return { not: children.length === 1 ? children[0] : { all: children } };
  return { [to]: children };
}

/** A new condition on `fact`: its first operator and a value of its kind. */
export function newLeaf(fact: FactInfo, vocabulary: Vocabulary): Obj {
  const leaf: Obj = { fact: fact.name, operator: fact.operators[0], value: null };
  if (fact.name === "customerCategory") leaf.params = { index: 1 };
  if (fact.name === "tenderAmount") leaf.params = { types: [] };
  leaf.value = defaultValue(fact, vocabulary);
  return leaf;
}

/** The value a fresh condition on `fact` compares with: something valid where possible. */
function defaultValue(fact: FactInfo, vocabulary: Vocabulary): Json {
  switch (fact.kind) {
    case "boolean":
      return true;
    case "weekday":
      return 1;
    case "time":
      return "12:00";
    case "date":
      return new Date().toISOString().slice(0, 10);
    case "channel":
      return "pos";
    case "code":
      return fact.name === "cardSeries" ? vocabulary.cardSeries[0]?.prefix ?? "" : "";
    default:
      // A store is chosen, never assumed: the only store, else none yet.
      if (fact.name === "storeNumber") {
        return vocabulary.stores.length === 1 ? vocabulary.stores[0].number : null;
      }
      return 0;
  }
}

const UNLISTED_WHY = {
  "no-merchant": () => "linked to no merchant",
  "other-group": (merchants: string[]) =>
    `its merchant ${merchants.join(", ")} is in another group`,
  "merchant-without-group": (merchants: string[]) =>
    `its merchant ${merchants.join(", ")} is in no group yet`,
};

/**
 * Why the organization's other stores are not offered, in words; null when every registered
 * store is the programme's: "Not offered: 7 · Depot (linked to no merchant)".
 */
export function unlistedStoresText(vocabulary: Vocabulary): string | null {
  const list = vocabulary.unlistedStores;
  if (list.length === 0) return null;
  const shown = list.slice(0, 10).map((s) =>
    `${s.number} · ${s.name} (${UNLISTED_WHY[s.reason](s.merchants)})`
  );
  const more = list.length > shown.length ? `; and ${list.length - shown.length} more` : "";
  return `Not offered: ${shown.join("; ")}${more}. Link a store to a merchant of this group ` +
    "on the Merchants page.";
}

/** The value kept when the operator switches between one value and a list. */
export function valueForOperator(value: Json | undefined, list: boolean): Json {
  if (list) {
    return Array.isArray(value) ? value : value === undefined || value === "" ? [] : [value];
  }
  return Array.isArray(value) ? value[0] ?? "" : value ?? "";
}

// ---- where an issue is shown ----

const RULE_FIELDS = new Set(["id", "name", "enabled", "priority", "rounding", "reference"]);
/** Leaf params the form has a field for (the rest are shown on the params as a whole). */
const LEAF_PARAM_FIELDS = new Set(["index", "skus", "categories", "excludeDiscounted", "types"]);

/**
 * The field an issue belongs next to: the form has a field for every rule property, every
 * condition group and leaf (fact, operator, value, params), every event param and the keys of
 * a line selector; an issue deeper than a field (an item of a list) goes to the field.
 */
export function anchorOf(path: Path, rules: Json[]): string {
  if (path.length < 2 || typeof path[0] !== "number") return pathKey(path);
  const [index, head] = path;
  const at = (...rest: Path) => pathKey([index, ...rest]);
  if (typeof head === "string" && RULE_FIELDS.has(head)) return at(head);
  if (head === "event") {
    const [, , params, key, sub] = path;
    if (params !== "params") return at("event");
    if (typeof key !== "string") return at("event", "params");
    return typeof sub === "string" ? at("event", "params", key, sub) : at("event", "params", key);
  }
  if (head !== "conditions") return at();
  const where: Path = [index, "conditions"];
  let node = getIn(rules, where);
  let i = 2;
  while (true) {
    const kind = groupKind(node);
    if (kind === null) break;
    const step = path[i];
    const next: Path = step === "not" ? ["not"] : [step, path[i + 1]];
    const child = getIn(rules, [...where, ...next]);
    const into = kind === "not" ? step === "not" : step === kind && typeof path[i + 1] === "number";
    // Past the group only into a condition it has: the form shows no others.
    if (!into || child === undefined) return pathKey(where);
    where.push(...next);
    i += next.length;
    node = child;
  }
  const field = path[i];
  if (!isObj(node) || !("fact" in node)) return pathKey(where);
  if (field === "fact" || field === "operator" || field === "value") {
    return pathKey([...where, field]);
  }
  if (field === "params") {
    const key = path[i + 1];
    return typeof key === "string" && LEAF_PARAM_FIELDS.has(key)
      ? pathKey([...where, "params", key])
      : pathKey([...where, "params"]);
  }
  return pathKey(where);
}

// ---- new rules ----

const TEMPLATES: Record<string, Obj> = {
  "basic-points": { pointsPerUnit: 1 },
  "item-points": { selector: {}, perItem: 1 },
  "basket-points": { points: 10 },
  "tender-points": { tenderTypes: ["GIFT"], pointsPerUnit: 1 },
  multiplier: { factor: 2 },
  "staff-discount": { percent: 10 },
};

/** Event types that earn points of their own: what a multiplier can name in `ruleIds`. */
export const EARNING_TYPES = new Set([
  "basic-points",
  "item-points",
  "basket-points",
  "tender-points",
]);

/** `base`, or `base-2`, `base-3`… : the first id no rule of the set has. */
function freeId(rules: Json[], base: string): string {
  const taken = new Set(rules.map((r) => isObj(r) ? r.id : null));
  if (!taken.has(base)) return base;
  for (let n = 2;; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** The params an event of `type` starts with: valid, so a new rule is valid at once. */
export const eventParams = (type: string): Obj => structuredClone(TEMPLATES[type] ?? {});

/** A rule id from a name: "Double points on Tuesdays!" → `double-points-on-tuesdays`. */
export function slugOf(name: string): string {
  const slug = name.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+/, "").slice(0, 56).replace(/-+$/, "");
  return slug || "rule";
}

/** The id rule `index` gets from `name`: its slug, made unique among the other rules. */
export function idFromName(rules: Json[], index: number, name: string): string {
  return freeId(rules.filter((_, i) => i !== index), slugOf(name));
}

/**
 * Renames rule `index`; its id follows the name while it is the one derived from the old name
 * and the rule is new (not in `kept`, the ids of the saved draft and the published version):
 * a multiplier's `ruleIds` and the ledger's awards name rules by id, so a kept id stays.
 */
export function renameRule(rules: Json[], index: number, name: string, kept: Set<string>): Json[] {
  const rule = rules[index];
  if (!isObj(rule)) return rules;
  const next: Obj = { ...rule, name };
  const old = typeof rule.name === "string" ? rule.name : "";
  const follows = typeof rule.id === "string" && !kept.has(rule.id) &&
    (rule.id === "" || rule.id === idFromName(rules, index, old));
  if (follows) next.id = idFromName(rules, index, name);
  return rules.map((r, i) => i === index ? next : r);
}

/** A new enabled rule of the event type: members only (any valid group needs a condition). */
export function newRule(rules: Json[], event: EventInfo): Obj {
  const conditions = event.type === "staff-discount"
    ? { all: [{ fact: "staff", operator: "equal", value: true }] }
    : { all: [{ fact: "member", operator: "equal", value: true }] };
  return {
    id: freeId(rules, slugOf(event.label)),
    name: event.label,
    enabled: true,
    priority: event.type === "multiplier" ? 50 : 10,
    conditions,
    event: { type: event.type, params: eventParams(event.type) },
  };
}

/** A copy of rule `index` under a free id, for the author to change. */
export function duplicateRule(rules: Json[], index: number): Obj {
  const rule = rules[index];
  const copy: Obj = isObj(rule) ? structuredClone(rule) : {};
  const id = typeof copy.id === "string" && copy.id ? copy.id : "rule";
  copy.id = freeId(rules, `${id}-copy`);
  copy.name = `${typeof copy.name === "string" ? copy.name : "Rule"} (copy)`;
  return copy;
}

// ---- multipliers that stack ----

export interface Stacking {
  /** Indexes of the two multipliers in the rule set. */
  a: number;
  b: number;
  /** What they make together on an earning rule both multiply: 1 + Σ(factor − 1). */
  combined: number;
  /** The words shown: "×2 and ×2 make ×3 of the base". */
  text: string;
}

const factorOf = (rule: Obj) => {
  const params = isObj(rule.event) && isObj(rule.event.params) ? rule.event.params : {};
  return typeof params.factor === "number" ? params.factor : null;
};
const targetsOf = (rule: Obj): Set<string> | null => {
  const params = isObj(rule.event) && isObj(rule.event.params) ? rule.event.params : {};
  return Array.isArray(params.ruleIds)
    ? new Set(params.ruleIds.filter((id): id is string => typeof id === "string"))
    : null;
};
const times = (n: number) => `×${Number(n.toFixed(2))}`;

/** "×2 and ×2 make ×3 of the base": extras add, they do not multiply. */
export function stackText(factors: number[]): string {
  const combined = 1 + factors.reduce((s, f) => s + (f - 1), 0);
  const list = factors.map(times);
  return `${list.slice(0, -1).join(", ")} and ${list.at(-1)} make ${times(combined)} of the base`;
}

/**
 * Pairs of enabled multipliers that would both apply to one earning rule of the set (every
 * earning rule when `ruleIds` is absent) if both fire on the same basket: their extras add.
 * Among `fired` (rule ids) only, when given: what stacked on a simulated basket.
 */
export function stackingMultipliers(rules: Json[], fired?: Set<string>): Stacking[] {
  const earning = rules.filter((r) =>
    isObj(r) && isObj(r.event) && EARNING_TYPES.has(r.event.type as string)
  ).map(idOf);
  const multipliers = rules.flatMap((r, i) =>
    isObj(r) && r.enabled === true && isObj(r.event) && r.event.type === "multiplier" &&
      factorOf(r) !== null && (!fired || fired.has(idOf(r)))
      ? [{ i, factor: factorOf(r)!, targets: targetsOf(r) ?? new Set(earning) }]
      : []
  );
  const out: Stacking[] = [];
  for (const [k, m] of multipliers.entries()) {
    for (const n of multipliers.slice(k + 1)) {
      if (![...m.targets].some((id) => n.targets.has(id))) continue;
      out.push({
        a: m.i,
        b: n.i,
        combined: 1 + (m.factor - 1) + (n.factor - 1),
        text: stackText([m.factor, n.factor]),
      });
    }
  }
  return out;
}

// ---- the diff shown before publishing ----

export interface RuleChange {
  id: string;
  name: string;
  change: "added" | "removed" | "changed";
  /** For a changed rule: what changed, in the editor's words. */
  fields: string[];
}

const FIELD_WORDS: [string, string][] = [
  ["name", "name"],
  ["enabled", "on/off"],
  ["priority", "priority"],
  ["conditions", "conditions"],
  ["rounding", "rounding"],
  ["reference", "reference code"],
];

function changedFields(before: Obj, after: Obj): string[] {
  const fields = FIELD_WORDS.filter(([key]) => !sameJson(before[key], after[key]))
    .map(([, word]) => word);
  const [b, a] = [before.event, after.event];
  if (isObj(b) && isObj(a) && b.type === a.type) {
    const [bp, ap] = [isObj(b.params) ? b.params : {}, isObj(a.params) ? a.params : {}];
    const keys = [...new Set([...Object.keys(bp), ...Object.keys(ap)])];
    for (const key of keys) if (!sameJson(bp[key], ap[key])) fields.push(`points: ${key}`);
  } else if (!sameJson(b, a)) fields.push("points: type");
  for (const key of Object.keys(after)) {
    if (!["id", "event", ...FIELD_WORDS.map(([k]) => k)].includes(key)) {
      if (!sameJson(before[key], after[key])) fields.push(key);
    }
  }
  return fields;
}

const idOf = (r: Json) => isObj(r) && typeof r.id === "string" ? r.id : "";
const nameOf = (r: Json) => isObj(r) && typeof r.name === "string" ? r.name : idOf(r);

/**
 * What `after` changes in `before`, rule by rule (by id): added and changed rules in the order
 * of `after`, then removed ones. Unchanged rules are left out.
 */
export function diffRules(before: Json[], after: Json[]): RuleChange[] {
  const old = new Map(before.map((r) => [idOf(r), r]));
  const ids = new Set(after.map(idOf));
  const out: RuleChange[] = [];
  for (const rule of after) {
    const was = old.get(idOf(rule));
    if (was === undefined) {
      out.push({ id: idOf(rule), name: nameOf(rule), change: "added", fields: [] });
    } else if (!sameJson(was, rule)) {
      const fields = isObj(was) && isObj(rule) ? changedFields(was, rule) : [];
      out.push({ id: idOf(rule), name: nameOf(rule), change: "changed", fields });
    }
  }
  for (const rule of before) {
    if (!ids.has(idOf(rule))) {
      out.push({ id: idOf(rule), name: nameOf(rule), change: "removed", fields: [] });
    }
  }
  return out;
}

// ---- money ----

/** Minor units as the amount a person types, in the currency's units: 5000 → "50.00". */
export function formatMinor(minor: number, digits: number): string {
  const sign = minor < 0 ? "-" : "";
  const abs = String(Math.abs(minor)).padStart(digits + 1, "0");
  return digits === 0 ? sign + abs : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

/** A typed amount in minor units; null when it is not an amount with at most `digits` decimals. */
export function parseMinor(text: string, digits: number): number | null {
  const m = /^\s*(-?)(\d+)(?:[.,](\d*))?\s*$/.exec(text);
  if (!m || (m[3]?.length ?? 0) > digits) return null;
  const minor = Number(m[2] + (m[3] ?? "").padEnd(digits, "0"));
  if (!Number.isSafeInteger(minor)) return null;
  return m[1] ? -minor : minor;
}
