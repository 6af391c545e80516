/**
 * The rule editor's model without a browser: paths into the rule set, where each validation
 * issue is shown, new rules and their templates, the diff before publishing, amounts, and the
 * simulator's "why not" read from a real trace.
 */
import assert from "node:assert/strict";
import { catalogueJson } from "../../earning/earning_json.ts";
import {
  anchorOf,
  convertGroup,
  diffRules,
  duplicateRule,
  formatMinor,
  getIn,
  type Json,
  newLeaf,
  newRule,
  type Obj,
  parseMinor,
  renameRule,
  setIn,
  slugOf,
  stackingMultipliers,
  stackText,
  unlistedStoresText,
  valueForOperator,
  type Vocabulary,
} from "../../islands/rules/model.ts";
import { selectorWords, whyNot, whyNothing } from "../../islands/rules/simulator.tsx";
import { DEFAULT_SETTINGS } from "../../programme/settings_schema.ts";
import { BasketSchema } from "../../rules/basket.ts";
import { evaluate } from "../../rules/evaluate.ts";
import { parseRuleSet, type Rule } from "../../rules/schema.ts";

const catalogue = catalogueJson();
const vocabulary: Vocabulary = {
  categoryNames: ["Customer type", "Category 2", "Category 3", "Category 4", "Category 5"],
  itemCategories: ["SHOES", "SOCKS"],
  categoryCodes: [["GOLD", "MEMBER"], [], [], [], []],
  stores: [{ number: 12, name: "Opéra", timezone: "Europe/Paris" }],
  unlistedStores: [{ number: 7, name: "Depot", reason: "no-merchant", merchants: [] }],
  cardSeries: [],
  keyLineTotalReference: "",
};
const fact = (name: string) => catalogue.facts.find((f) => f.name === name)!;

const double: Obj = {
  id: "double-tuesday-gold",
  name: "Double points on Tuesdays for GOLD",
  enabled: true,
  priority: 50,
  conditions: {
    all: [
      { fact: "dayOfWeek", operator: "equal", value: 2 },
      { not: { fact: "storeNumber", operator: "in", value: [40, 41] } },
      { fact: "customerCategory", params: { index: 1 }, operator: "equal", value: "GOLD" },
    ],
  },
  event: { type: "multiplier", params: { factor: 2 } },
};
const isMember: Obj = { fact: "member", operator: "equal", value: true };
const basic: Obj = {
  id: "basic",
  name: "1 point per EUR",
  enabled: true,
  priority: 10,
  conditions: { all: [isMember] },
  event: { type: "basic-points", params: { pointsPerUnit: 1 } },
};

Deno.test("edits by path copy what they change and drop emptied optional keys", () => {
  const rules: Json[] = [structuredClone(double)];
  const changed = setIn(rules, [0, "event", "params", "factor"], 3) as Json[];
  assert.equal(getIn(changed, [0, "event", "params", "factor"]), 3);
  assert.equal(getIn(rules, [0, "event", "params", "factor"]), 2, "the original is untouched");
  assert.equal(getIn(changed, [0, "conditions"]), getIn(rules, [0, "conditions"]), "shared");
  const made = setIn(rules, [0, "event", "params", "selector", "categories"], ["SHOES"]);
  assert.deepEqual(getIn(made, [0, "event", "params", "selector"]), { categories: ["SHOES"] });
  const dropped = setIn(made, [0, "event", "params", "selector"], undefined);
  assert.deepEqual(getIn(dropped, [0, "event", "params"]), { factor: 2 });
  assert.equal(getIn(rules, [3, "id"]), undefined);
});

Deno.test("every issue of a rule set lands on a field the form shows", () => {
  const bad = structuredClone(double) as Record<string, unknown>;
  bad.priority = 0;
  bad.reference = "onbo";
  bad.conditions = {
    all: [
      { fact: "dayOfWeek", operator: "equal", value: 9 },
      { not: { fact: "storeNumber", operator: "in", value: [40, "x"] } },
      { fact: "customerCategory", params: { index: 7 }, operator: "lessThan", value: "GOLD" },
      { any: [] },
      { fact: "tenderAmount", params: { types: [""] }, operator: "greaterThan", value: 0 },
    ],
  };
  bad.event = { type: "multiplier", params: { factor: 1, ruleIds: ["basic", "basic"] } };
  const rules = [basic, bad] as Json[];
  const parsed = parseRuleSet(rules);
  assert.ok(!parsed.success);
  const anchors = new Set(
    parsed.error.issues.map((i) => anchorOf(i.path as (string | number)[], rules)),
  );
  assert.deepEqual([...anchors].sort(), [
    "1/conditions/all/0/value",
    "1/conditions/all/1/not/value",
    "1/conditions/all/2/operator",
    "1/conditions/all/2/params/index",
    "1/conditions/all/3",
    "1/conditions/all/4/params/types",
    "1/event/params/factor",
    "1/event/params/ruleIds",
    "1/priority",
    "1/reference",
  ]);
  // A 422's `rules/N/…` field goes through the same function; so does a set-level issue.
  assert.equal(anchorOf([1, "event", "type"], rules), "1/event");
  assert.equal(anchorOf([1, "conditions", "all", 9, "value"], rules), "1/conditions");
  assert.equal(anchorOf([], rules), "");
});

Deno.test("a new rule of every kind is valid at once; a copy takes a free id", () => {
  let rules: Json[] = [];
  for (const event of catalogue.events) rules = [...rules, newRule(rules, event)];
  rules = [...rules, newRule(rules, catalogue.events[0])];
  const parsed = parseRuleSet(rules);
  assert.ok(parsed.success, JSON.stringify(!parsed.success && parsed.error.issues));
  assert.equal((rules.at(-1) as Rule).id, "basic-points-2");
  const copy = duplicateRule(rules, 0);
  assert.deepEqual([copy.id, copy.name], ["basic-points-copy", "Basic points (copy)"]);
  assert.ok(parseRuleSet([...rules, copy]).success);
});

Deno.test("a fresh condition of each fact, and its value when the operator takes a list", () => {
  assert.deepEqual(newLeaf(fact("storeNumber"), vocabulary), {
    fact: "storeNumber",
    operator: "equal",
    value: 12,
  });
  assert.deepEqual(newLeaf(fact("customerCategory"), vocabulary), {
    fact: "customerCategory",
    operator: "equal",
    value: "",
    params: { index: 1 },
  });
  for (const f of catalogue.facts) {
    const leaf = newLeaf(f, vocabulary);
    const ok = parseRuleSet([{ ...basic, conditions: { all: [leaf] } }]).success;
    // Codes and tender types are typed in: those start empty, and say so.
    assert.equal(ok, !["customerCategory", "cardSeries", "tenderAmount"].includes(f.name), f.name);
  }
  assert.deepEqual(valueForOperator(2, true), [2]);
  assert.deepEqual(valueForOperator([2, 3], false), 2);
  assert.deepEqual(valueForOperator("", true), []);
  assert.deepEqual(convertGroup({ all: [isMember] }, "all", "not"), { not: isMember });
  assert.deepEqual(convertGroup({ any: [1, 2] }, "any", "not"), { not: { all: [1, 2] } });
  assert.deepEqual(convertGroup({ not: 1 }, "not", "any"), { any: [1] });
});

Deno.test("the diff before publishing: added, removed and changed rules with their fields", () => {
  const before = [basic, { ...double, id: "gone", name: "Gone" }];
  const after = [
    { ...basic, priority: 20, event: { type: "basic-points", params: { pointsPerUnit: 2 } } },
    double,
  ];
  assert.deepEqual(diffRules(before, after), [
    {
      id: "basic",
      name: "1 point per EUR",
      change: "changed",
      fields: ["priority", "points: pointsPerUnit"],
    },
    { id: "double-tuesday-gold", name: double.name, change: "added", fields: [] },
    { id: "gone", name: "Gone", change: "removed", fields: [] },
  ]);
  assert.deepEqual(diffRules(after, after), []);
  const retyped = { ...basic, event: { type: "basket-points", params: { points: 5 } } };
  assert.deepEqual(diffRules([basic], [retyped])[0].fields, ["points: type"]);
});

Deno.test("amounts typed in the currency's units are kept in minor units", () => {
  assert.equal(formatMinor(6500, 2), "65.00");
  assert.equal(formatMinor(5, 2), "0.05");
  assert.equal(formatMinor(-1234, 2), "-12.34");
  assert.equal(formatMinor(1500, 0), "1500");
  assert.equal(parseMinor("65", 2), 6500);
  assert.equal(parseMinor(" 12,5 ", 2), 1250);
  assert.equal(parseMinor("0.05", 2), 5);
  assert.equal(parseMinor("1.234", 2), null, "more decimals than the currency has");
  assert.equal(parseMinor("12.5", 0), null);
  assert.equal(parseMinor("abc", 2), null);
});

Deno.test("why a rule did not fire, from the engine's trace: the condition and what it saw", async () => {
  const rules = parseRuleSet([basic, double]);
  assert.ok(rules.success);
  const basket = (at: string, categories: string[], storeNumber = 12, member = true) =>
    BasketSchema.parse({
      currency: "EUR",
      at,
      storeNumber,
      posNumber: 1,
      timezone: "Europe/Paris",
      customer: { categories, member, visitCount: 0 },
      channel: "pos",
      lines: [{ sku: "SH1", category: "SHOES", quantity: 1, unitPrice: 1000, discounts: [] }],
      discounts: [],
      tenders: [{ type: "CASH", amount: 1000 }],
    });
  const why = async (b: ReturnType<typeof basket>) => {
    const { trace } = await evaluate(rules.data, b, DEFAULT_SETTINGS, { trace: true });
    return whyNot(trace[1], catalogue, 2, "EUR");
  };
  assert.deepEqual(await why(basket("2025-03-05T10:00:00Z", ["GOLD"])), [
    "Day of week is Tuesday — it was Wednesday",
  ]);
  assert.deepEqual(await why(basket("2025-03-04T10:00:00Z", ["GOLD"], 40)), [
    "Store number is one of 40, 41 must not hold, and it did (40)",
  ]);
  assert.deepEqual(await why(basket("2025-03-04T10:00:00Z", ["SILVER"])), [
    "Customer category 1 is GOLD — it was SILVER",
  ]);
  assert.deepEqual(await why(basket("2025-03-04T10:00:00Z", ["GOLD"], 12, false)), [
    "the customer is not a member (no customer, or a non-loyalty customer type)",
  ]);
});

Deno.test("a rule's id comes from its name, unique in the set, and a saved id stays", () => {
  assert.equal(slugOf("Double points on Tuesdays for GOLD!"), "double-points-on-tuesdays-for-gold");
  assert.equal(slugOf("Étoile · 2×"), "etoile-2");
  assert.equal(slugOf("***"), "rule");
  const multiplier = catalogue.events.find((e) => e.type === "multiplier")!;
  let rules: Json[] = [basic];
  rules = [...rules, newRule(rules, multiplier)];
  const kept = new Set(["basic"]);
  const typed = (name: string) => rules = renameRule(rules, 1, name, kept);
  typed("D");
  typed("Double Tuesdays");
  assert.equal((rules[1] as Obj).id, "double-tuesdays", "the id follows the name as typed");
  rules = setIn(rules, [0, "id"], "1-point-per-eur") as Json[];
  typed("1 point per EUR");
  assert.equal((rules[1] as Obj).id, "1-point-per-eur-2", "unique in the set");
  rules = setIn(rules, [1, "id"], "my-own") as Json[];
  typed("Triple");
  assert.equal((rules[1] as Obj).id, "my-own", "an id typed by hand stays");
  rules = renameRule(rules, 0, "Basic, renamed", new Set(["1-point-per-eur"]));
  assert.equal((rules[0] as Obj).id, "1-point-per-eur", "a saved rule keeps its id");
  assert.ok(parseRuleSet(rules).success);
});

Deno.test("multipliers that stack on one basket are flagged: their extras add", () => {
  const m = (id: string, factor: number, ruleIds?: string[], enabled = true): Obj => ({
    ...double,
    id,
    name: id,
    enabled,
    event: { type: "multiplier", params: { factor, ...(ruleIds ? { ruleIds } : {}) } },
  });
  const other: Obj = { ...basic, id: "other" };
  assert.equal(stackText([2, 2]), "×2 and ×2 make ×3 of the base");
  assert.equal(stackText([2, 3, 1.5]), "×2, ×3 and ×1.5 make ×4.5 of the base");
  const set = [basic, other, m("a", 2), m("b", 2), m("c", 3, ["other"]), m("d", 2, ["basic"])];
  assert.deepEqual(stackingMultipliers(set).map((s) => [s.a, s.b, s.text]), [
    [2, 3, "×2 and ×2 make ×3 of the base"],
    [2, 4, "×2 and ×3 make ×4 of the base"],
    [2, 5, "×2 and ×2 make ×3 of the base"],
    [3, 4, "×2 and ×3 make ×4 of the base"],
    [3, 5, "×2 and ×2 make ×3 of the base"],
  ], "c and d multiply different rules: no stacking between them");
  assert.deepEqual(stackingMultipliers([basic, m("a", 2), m("b", 2, undefined, false)]), []);
  assert.deepEqual(
    stackingMultipliers(set, new Set(["a", "c"])).map((s) => [s.a, s.b]),
    [[2, 4]],
    "in a simulation: only those that fired",
  );
});

Deno.test("the store picker never assumes a store, and says why a registered one is missing", () => {
  const two: Vocabulary = {
    ...vocabulary,
    stores: [...vocabulary.stores, { number: 14, name: "Gare", timezone: "Europe/Paris" }],
    unlistedStores: [
      { number: 7, name: "Depot", reason: "no-merchant", merchants: [] },
      { number: 9, name: "Outlet", reason: "other-group", merchants: ["Outlet shop"] },
      { number: 11, name: "Kiosk", reason: "merchant-without-group", merchants: ["Kiosk Ltd"] },
    ],
  };
  assert.deepEqual(newLeaf(fact("storeNumber"), two).value, null, "two stores: none chosen");
  assert.equal(
    unlistedStoresText(two),
    "Not offered: 7 · Depot (linked to no merchant); 9 · Outlet (its merchant Outlet shop is " +
      "in another group); 11 · Kiosk (its merchant Kiosk Ltd is in no group yet). Link a store " +
      "to a merchant of this group on the Merchants page.",
  );
  assert.equal(unlistedStoresText({ ...two, unlistedStores: [] }), null);
});

Deno.test("a trace names the selector it counted; a rule that earned 0 says what it found", async () => {
  assert.equal(
    selectorWords({ categories: ["COATS"], excludeDiscounted: true }),
    "lines that are COATS at full price",
  );
  assert.equal(selectorWords({ skus: ["A1", "B2"] }), "lines of SKU A1 or B2");
  assert.equal(selectorWords({}), "every line");
  const coats: Obj = {
    id: "coats",
    name: "Coats at full price",
    enabled: true,
    priority: 30,
    conditions: {
      all: [{
        fact: "eligibleQuantity",
        params: { categories: ["COATS"], excludeDiscounted: true },
        operator: "greaterThan",
        value: 0,
      }],
    },
    event: {
      type: "item-points",
      params: { selector: { categories: ["COATS"], excludeDiscounted: true }, perItem: 5 },
    },
  };
  const rules = parseRuleSet([coats]);
  assert.ok(rules.success);
  const basket = BasketSchema.parse({
    currency: "EUR",
    at: "2025-03-05T10:00:00Z",
    storeNumber: 12,
    posNumber: 1,
    timezone: "Europe/Paris",
    customer: { categories: ["GOLD"], member: true, visitCount: 0 },
    channel: "pos",
    lines: [{
      sku: "C1",
      category: "COATS",
      quantity: 1,
      unitPrice: 10000,
      discounts: [{ kind: "sale", amount: 2000 }],
    }],
    discounts: [],
    tenders: [{ type: "CASH", amount: 8000 }],
  });
  const { trace } = await evaluate(rules.data, basket, DEFAULT_SETTINGS, { trace: true });
  assert.deepEqual(whyNot(trace[0], catalogue, 2, "EUR"), [
    "Quantity of lines is more than 0 — lines that are COATS at full price: 0",
  ]);
  const words = { catalogue, digits: 2, currency: "EUR" };
  assert.equal(whyNothing(coats, basket, words), "lines that are COATS at full price: 0");
  assert.equal(
    whyNothing(
      { event: { type: "basket-points", params: { points: 5, minTotal: 15000 } } },
      basket,
      words,
    ),
    "the net total is under 150.00 EUR",
  );
});
