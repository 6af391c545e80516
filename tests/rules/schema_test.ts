import assert from "node:assert/strict";
import fc from "fast-check";
import { EXAMPLES } from "../../rules/examples.ts";
import { FACT_NAMES, FACTS } from "../../rules/facts.ts";
import { parseRule, parseRuleSet } from "../../rules/schema.ts";
import { validateRule, validateRuleSet } from "../../rules/validation.ts";
import { ruleDocArb, ruleSetArb } from "./arbitraries.ts";

const memberLeaf = { fact: "member", operator: "equal", value: true };

/** A valid rule whose first condition (or conditions) can be swapped out. */
function rule(conditions: unknown = { all: [memberLeaf] }, extra: Record<string, unknown> = {}) {
  return {
    id: "r",
    name: "r",
    enabled: true,
    priority: 10,
    conditions,
    event: { type: "basic-points", params: { pointsPerUnit: 1 } },
    ...extra,
  };
}

/** Asserts failure and that some issue sits at `path` (joined with dots). */
function assertRejected(
  result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } },
  path: string,
  message?: RegExp,
) {
  assert.equal(result.success, false, "expected the rule to be rejected");
  const issues = result.error?.issues ?? [];
  const hit = issues.find((i) => i.path.join(".") === path);
  assert.ok(hit, `no issue at ${path}: ${JSON.stringify(issues.map((i) => [i.path, i.message]))}`);
  if (message) assert.match(hit.message, message);
}

Deno.test("documented examples are accepted (schema and smoke run), alone and as a set", async () => {
  for (const doc of EXAMPLES) {
    const result = await validateRule(doc);
    assert.ok(result.success, JSON.stringify(result.error?.issues));
  }
  const set = await validateRuleSet(EXAMPLES);
  assert.ok(set.success, JSON.stringify(set.error?.issues));
  const types = new Set(EXAMPLES.map((d) => d.event.type));
  assert.equal(types.size, 6, "an example of every event type");
});

Deno.test("examples survive a JSON round trip", () => {
  for (const doc of EXAMPLES) assert.ok(parseRule(JSON.parse(JSON.stringify(doc))).success);
});

Deno.test("rejects an unknown fact", () => {
  assertRejected(
    parseRule(rule({ all: [{ ...memberLeaf, fact: "memberz" }] })),
    "conditions.all.0.fact",
  );
});

Deno.test("rejects an unknown operator", () => {
  assertRejected(
    parseRule(rule({ all: [{ ...memberLeaf, operator: "regex" }] })),
    "conditions.all.0.operator",
  );
  // Engine operator decorators are not on the allow-list either.
  assertRejected(
    parseRule(rule({ all: [{ ...memberLeaf, operator: "everyFact:equal" }] })),
    "conditions.all.0.operator",
  );
});

Deno.test("rejects a __proto__ key coming from JSON.parse", () => {
  const text = JSON.stringify(rule()).replace(
    '"fact":"member"',
    '"__proto__":{"polluted":true},"fact":"member"',
  );
  const doc = JSON.parse(text);
  assert.ok(Object.hasOwn(doc.conditions.all[0], "__proto__"), "JSON.parse makes an own key");
  assertRejected(parseRule(doc), "conditions.all.0.__proto__", /forbidden/);
  // And at the top level.
  assertRejected(parseRule(JSON.parse('{"__proto__":{"x":1},"name":"r"}')), "__proto__");
});

Deno.test("rejects constructor and prototype keys anywhere", () => {
  assertRejected(
    parseRule(rule(undefined, { event: { type: "basic-points", params: { constructor: {} } } })),
    "event.params.constructor",
    /forbidden/,
  );
  assertRejected(
    parseRule(
      rule({
        all: [{ fact: "eligibleSpend", params: { prototype: 1 }, operator: "equal", value: 1 }],
      }),
    ),
    "conditions.all.0.params.prototype",
  );
});

Deno.test("rejects empty all and empty any groups, nested too", () => {
  assertRejected(parseRule(rule({ all: [] })), "conditions.all", /at least one/);
  assertRejected(parseRule(rule({ any: [] })), "conditions.any", /at least one/);
  assertRejected(parseRule(rule({ all: [memberLeaf, { any: [] }] })), "conditions.all.1.any");
});

Deno.test("rejects a bare leaf at the top and over-deep nesting", () => {
  assertRejected(parseRule(rule(memberLeaf)), "conditions", /condition group/);
  let deep: unknown = memberLeaf;
  for (let i = 0; i < 12; i++) deep = { not: deep };
  assert.equal(parseRule(rule(deep)).success, false);
});

Deno.test("rejects paths with brackets, parentheses, wildcards or ..", () => {
  for (const path of ["$.a[0]", "$['a']", "$.a.length()", "$..a", "$.*", "a.__proto__"]) {
    assertRejected(parseRule(rule({ all: [{ ...memberLeaf, path }] })), "conditions.all.0.path");
  }
  assert.ok(parseRule(rule({ all: [{ ...memberLeaf, path: "$.a.b_c" }] })).success);
  assert.ok(parseRule(rule({ all: [{ ...memberLeaf, path: "a.b" }] })).success);
});

Deno.test("rejects a string priority and out-of-range priorities", () => {
  assertRejected(parseRule(rule(undefined, { priority: "10" })), "priority");
  assertRejected(parseRule(rule(undefined, { priority: 0 })), "priority");
  assertRejected(parseRule(rule(undefined, { priority: 1.5 })), "priority");
});

Deno.test("rejects unknown keys on a leaf, a group, the event and the rule", () => {
  assertRejected(
    parseRule(rule({ all: [{ ...memberLeaf, priority: 1 }] })),
    "conditions.all.0",
    /Unrecognized key/,
  );
  assertRejected(parseRule(rule({ all: [memberLeaf], name: "x" })), "conditions", /Unrecognized/);
  assertRejected(parseRule(rule(undefined, { onSuccess: "x" })), "", /Unrecognized/);
  // A fact without params takes no params key.
  assertRejected(
    parseRule(rule({ all: [{ ...memberLeaf, params: {} }] })),
    "conditions.all.0",
    /Unrecognized/,
  );
});

Deno.test("rejects bad params for a fact", () => {
  const cat = { fact: "customerCategory", operator: "equal", value: "GOLD" };
  assertRejected(parseRule(rule({ all: [cat] })), "conditions.all.0.params");
  assertRejected(
    parseRule(rule({ all: [{ ...cat, params: { index: 6 } }] })),
    "conditions.all.0.params.index",
  );
  assertRejected(
    parseRule(rule({ all: [{ ...cat, params: { index: "1" } }] })),
    "conditions.all.0.params.index",
  );
  assertRejected(
    parseRule(
      rule({ all: [{ fact: "tenderAmount", params: { types: [] }, operator: "equal", value: 1 }] }),
    ),
    "conditions.all.0.params.types",
  );
  assertRejected(
    parseRule(
      rule({
        all: [{ fact: "eligibleSpend", params: { sku: ["A"] }, operator: "equal", value: 1 }],
      }),
    ),
    "conditions.all.0.params",
    /Unrecognized/,
  );
});

Deno.test("rejects values of the wrong type or shape for the fact and operator", () => {
  const bad: [unknown, string][] = [
    [{ fact: "dayOfWeek", operator: "equal", value: "Tuesday" }, "value"],
    [{ fact: "dayOfWeek", operator: "equal", value: 8 }, "value"],
    [{ fact: "dayOfWeek", operator: "in", value: 2 }, "value"],
    [{ fact: "dayOfWeek", operator: "in", value: [] }, "value"],
    [{ fact: "dayOfWeek", operator: "equal", value: [2] }, "value"],
    [{ fact: "timeOfDay", operator: "lessThan", value: "9:00" }, "value"],
    [{ fact: "member", operator: "greaterThan", value: true }, "operator"],
    [{ fact: "member", operator: "contains", value: true }, "operator"],
    [{ fact: "basketTotal", operator: "greaterThan", value: 10.5 }, "value"],
    [{ fact: "basketTotal", operator: "greaterThan", value: { fact: "visitCount" } }, "value"],
    [{ fact: "cardSeries", operator: "lessThan", value: "LOY" }, "operator"],
    [{ fact: "eligibleQuantity", operator: "equal", value: -1 }, "value"],
  ];
  for (const [leaf, key] of bad) {
    assertRejected(parseRule(rule({ all: [leaf] })), `conditions.all.0.${key}`);
  }
  // A bad value is reported as a bad value, not as a malformed condition group.
  const r = parseRule(rule({ all: [{ fact: "basketTotal", operator: "equal", value: {} }] }));
  assert.ok(r.error?.issues.every((i) => !/condition group/.test(i.message)));
});

Deno.test("rejects bad events and rounding", () => {
  const ev = (params: unknown) => rule(undefined, { event: { type: "basic-points", params } });
  assertRejected(parseRule(ev({ pointsPerUnit: 1.005 })), "event.params.pointsPerUnit");
  assertRejected(parseRule(ev({ pointsPerUnit: 0 })), "event.params.pointsPerUnit");
  assertRejected(parseRule(ev({ pointsPerUnit: 10000.01 })), "event.params.pointsPerUnit");
  assertRejected(parseRule(ev({ pointsPerUnit: "1" })), "event.params.pointsPerUnit");
  assertRejected(
    parseRule(rule(undefined, { event: { type: "cashback", params: {} } })),
    "event.type",
  );
  assertRejected(parseRule(rule(undefined, { rounding: "half-even" })), "rounding");
  assert.ok(parseRule(ev({ pointsPerUnit: 10000 })).success);
  assert.ok(parseRule(ev({ pointsPerUnit: 0.01 })).success);
});

Deno.test("the leaf schema covers every catalogue fact", () => {
  for (const fact of FACT_NAMES) {
    const params = FACTS[fact].params === null
      ? undefined
      : fact === "customerCategory"
      ? { index: 1 }
      : fact === "tenderAmount"
      ? { types: ["CASH"] }
      : {};
    const leaf = { fact, operator: "notEqual", value: null, ...(params ? { params } : {}) };
    const result = parseRule(rule({ any: [leaf] }));
    // null only type-checks for nullable facts; what matters is that the fact itself is known.
    const factIssue = result.error?.issues.find((i) =>
      i.path.join(".") === "conditions.any.0.fact"
    );
    assert.equal(factIssue, undefined, fact);
  }
});

Deno.test("rejects a bad id, reference or enabled flag", () => {
  for (const id of ["", "Rule", "-r", "r_1", "a".repeat(65), 7]) {
    assertRejected(parseRule(rule(undefined, { id })), "id");
  }
  assert.ok(parseRule(rule(undefined, { id: "0-double-tuesday" })).success);
  for (const reference of ["onbo", "", "ON BO", "A".repeat(21)]) {
    assertRejected(parseRule(rule(undefined, { reference })), "reference");
  }
  assert.ok(parseRule(rule(undefined, { reference: "ONBO" })).success);
  assertRejected(parseRule(rule(undefined, { enabled: "yes" })), "enabled");
  const { enabled: _, ...withoutEnabled } = rule();
  assertRejected(parseRule(withoutEnabled), "enabled");
});

Deno.test("rejects events with both or neither of their alternatives", () => {
  const ev = (type: string, params: unknown) =>
    parseRule(rule(undefined, { event: { type, params } }));
  const sel = { categories: ["SOCKS"] };
  assertRejected(ev("item-points", { selector: sel }), "event.params", /exactly one/);
  assertRejected(
    ev("item-points", { selector: sel, perItem: 1, pointsPerUnit: 1 }),
    "event.params",
  );
  assert.ok(ev("item-points", { selector: sel, perItem: 1 }).success);
  assertRejected(ev("item-points", { perItem: 1 }), "event.params.selector");
  assertRejected(ev("basket-points", {}), "event.params", /exactly one/);
  assertRejected(ev("basket-points", { points: 1, pointsPerUnit: 1 }), "event.params");
  assertRejected(ev("basket-points", { points: 1, minTotal: 1.5 }), "event.params.minTotal");
  assert.ok(ev("basket-points", { pointsPerUnit: 1, minTotal: 0 }).success);
  assertRejected(
    ev("tender-points", { tenderTypes: [], pointsPerUnit: 1 }),
    "event.params.tenderTypes",
  );
  assertRejected(ev("tender-points", { tenderTypes: ["CASH"] }), "event.params.pointsPerUnit");
});

Deno.test("rejects bad multipliers and staff discounts", () => {
  const ev = (type: string, params: unknown, extra = {}) =>
    parseRule(rule(undefined, { event: { type, params }, ...extra }));
  assertRejected(ev("multiplier", { factor: 1 }), "event.params.factor");
  assertRejected(ev("multiplier", { factor: 2.005 }), "event.params.factor");
  assertRejected(ev("multiplier", { factor: 2, ruleIds: [] }), "event.params.ruleIds");
  assertRejected(ev("multiplier", { factor: 2, ruleIds: ["a", "a"] }), "event.params.ruleIds.1");
  assertRejected(ev("multiplier", { factor: 2 }, { rounding: "up" }), "rounding", /rounded with/);
  assert.ok(ev("multiplier", { factor: 1.5, ruleIds: ["a"], selector: { skus: ["X"] } }).success);
  assertRejected(ev("staff-discount", { percent: 0 }), "event.params.percent");
  assertRejected(ev("staff-discount", { percent: 100.01 }), "event.params.percent");
  assertRejected(ev("staff-discount", { percent: 10 }, { rounding: "up" }), "rounding");
  assertRejected(ev("staff-discount", { percent: 10 }, { reference: "STAFF" }), "reference");
  assert.ok(ev("staff-discount", { percent: 100 }).success);
});

Deno.test("rule sets: issue paths start with the rule's index", () => {
  const bad = rule({ all: [{ fact: "dayOfWeek", operator: "equal", value: 9 }] }, { id: "c" });
  assertRejected(
    parseRuleSet([rule(undefined, { id: "a" }), rule(undefined, { id: "b" }), bad]),
    "2.conditions.all.0.value",
  );
  assertRejected(parseRuleSet({ rules: [] }), "", /array/);
  assertRejected(
    parseRuleSet(Array.from({ length: 201 }, (_, i) => rule(undefined, { id: `r${i}` }))),
    "",
    /at most 200/,
  );
  assert.ok(parseRuleSet([]).success);
});

Deno.test("rule sets: ids are unique", () => {
  assertRejected(parseRuleSet([rule(), rule(undefined, { name: "other" })]), "1.id", /rule 0/);
});

Deno.test("rule sets: a multiplier's ruleIds name earning rules of the set", () => {
  const mult = (ruleIds: string[]) =>
    rule(undefined, { id: "m", event: { type: "multiplier", params: { factor: 2, ruleIds } } });
  const staff = rule(undefined, {
    id: "s",
    event: { type: "staff-discount", params: { percent: 5 } },
  });
  const other = { ...mult(["r"]), id: "m2" };
  assert.ok(parseRuleSet([rule(), mult(["r"])]).success);
  assertRejected(parseRuleSet([rule(), mult(["r", "x"])]), "1.event.params.ruleIds.1", /no rule/);
  assertRejected(parseRuleSet([rule(), staff, mult(["s"])]), "2.event.params.ruleIds.0", /earning/);
  assertRejected(
    parseRuleSet([rule(), other, mult(["m2"])]),
    "2.event.params.ruleIds.0",
    /earning/,
  );
  // A target with errors of its own is reported once, there.
  const broken = { ...rule(), priority: 0 };
  const r = parseRuleSet([broken, mult(["r"])]);
  assert.deepEqual(r.error?.issues.map((i) => i.path.join(".")), ["0.priority"]);
});

Deno.test("property: generated rule documents validate and pass the smoke run", async () => {
  await fc.assert(
    fc.asyncProperty(ruleDocArb, async (doc) => {
      const result = await validateRule(doc);
      assert.ok(result.success, JSON.stringify(result.error?.issues));
    }),
    { numRuns: 100 },
  );
});

Deno.test("property: generated rule sets validate and pass the smoke run", async () => {
  await fc.assert(
    fc.asyncProperty(ruleSetArb(10), async (docs) => {
      const result = await validateRuleSet(JSON.parse(JSON.stringify(docs)));
      assert.ok(result.success, JSON.stringify(result.error?.issues));
    }),
    { numRuns: 50 },
  );
});
