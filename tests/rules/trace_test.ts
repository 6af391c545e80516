/** The simulator's trace: per rule fired or not, per leaf what the engine saw. */
import assert from "node:assert/strict";
import { evaluate } from "../../rules/evaluate.ts";
import { basket, doc, parseSet, SETTINGS } from "./helpers.ts";

const rules = parseSet([
  doc("shoes", { type: "basic-points", params: { pointsPerUnit: 1 } }, {
    conditions: {
      any: [
        {
          fact: "eligibleSpend",
          params: { categories: ["SHOES"] },
          operator: "greaterThan",
          value: 1000,
        },
        { not: { fact: "channel", operator: "equal", value: "pos" } },
      ],
    },
  }),
  doc("big", { type: "basket-points", params: { points: 5, minTotal: 5000 } }),
  doc("off", { type: "basic-points", params: { pointsPerUnit: 9 } }, { enabled: false }),
  doc("staff", { type: "staff-discount", params: { percent: 5 } }),
]);

Deno.test("trace: fired, not fired (and why), disabled", async () => {
  const e = await evaluate(rules, basket(), SETTINGS, { trace: true });
  const { trace, ...evaluation } = e;
  assert.deepEqual(evaluation, await evaluate(rules, basket(), SETTINGS), "same answer");
  assert.deepEqual(trace.map((t) => [t.ruleId, t.type, t.status]), [
    ["shoes", "basic-points", "fired"],
    ["big", "basket-points", "not-fired"],
    ["off", "basic-points", "disabled"],
    ["staff", "staff-discount", "not-fired"],
  ]);

  assert.deepEqual(trace[0].gate, [
    { fact: "nonLoyalty", operator: "equal", value: false, factValue: false, result: true },
    {
      any: [
        {
          fact: "calcPointsOnDiscountedItems",
          operator: "equal",
          value: true,
          factValue: true,
          result: true,
        },
        { fact: "hasDiscount", operator: "equal", value: false, factValue: false, result: true },
      ],
      result: true,
    },
  ]);
  assert.deepEqual(trace[0].conditions, {
    any: [
      {
        fact: "eligibleSpend",
        params: { categories: ["SHOES"] },
        operator: "greaterThan",
        value: 1000,
        factValue: 1234,
        result: true,
      },
      {
        not: { fact: "channel", operator: "equal", value: "pos", factValue: "pos", result: true },
        result: false,
      },
    ],
    result: true,
  });

  // The minimum total is a gate condition: the trace says why the basket points did not fire.
  assert.deepEqual(trace[1].gate.at(-1), {
    fact: "basketTotal",
    operator: "greaterThanInclusive",
    value: 5000,
    factValue: 1734,
    result: false,
  });
  // Staff gate: a GOLD customer is not staff.
  assert.deepEqual(trace[3].gate[0], {
    fact: "staff",
    operator: "equal",
    value: true,
    factValue: false,
    result: false,
  });
  // A disabled rule is shown, never evaluated.
  assert.deepEqual(trace[2].gate, []);
  assert.deepEqual(trace[2].conditions, {
    all: [{ fact: "member", operator: "equal", value: true }],
  });
});

Deno.test("trace: a non-loyalty customer fails the gate, not the rule's own conditions", async () => {
  const cash = basket({ customer: { categories: ["CASH"], member: true, visitCount: 0 } });
  const { trace } = await evaluate(rules, cash, SETTINGS, { trace: true });
  assert.equal(trace[0].status, "not-fired");
  assert.deepEqual(trace[0].gate[0], {
    fact: "nonLoyalty",
    operator: "equal",
    value: false,
    factValue: true,
    result: false,
  });
  assert.equal((trace[0].conditions as { result?: boolean }).result, true);
});

Deno.test("trace survives JSON: what the simulator sends to the browser", async () => {
  const e = await evaluate(rules, basket(), SETTINGS, { trace: true });
  assert.deepEqual(JSON.parse(JSON.stringify(e)), e);
});
