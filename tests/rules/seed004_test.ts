/**
 * Seed 004's sentences on points, one test each, through both evaluators. The settings reach
 * the rules as engine inputs (rules/gate.ts), so none of this is special-cased after the run.
 */
import assert from "node:assert/strict";
import { basket, both, byRule, doc, line, parseSet, SETTINGS } from "./helpers.ts";

const basic = (ppu: number, extra = {}) =>
  doc("basic", { type: "basic-points", params: { pointsPerUnit: ppu } }, extra);
const item = doc("item", {
  type: "item-points",
  params: { selector: { categories: ["SHOES", "SOCKS"] }, pointsPerUnit: 1 },
});
const basketPoints = doc("basket", { type: "basket-points", params: { pointsPerUnit: 1 } });
const tender = doc("tender", {
  type: "tender-points",
  params: { tenderTypes: ["VISA"], pointsPerUnit: 1 },
});
const ALL = parseSet([basic(1), item, basketPoints, tender]);
const OFF = { ...SETTINGS, calcPointsOnDiscountedItems: false };
const KINDS = ["item", "sale", "offer", "tender"] as const;

/** The test basket with 0.50 of `kind` discount on the socks line. */
function discountedLine(kind: typeof KINDS[number]) {
  const socks = { ...line("B1", "SOCKS", 2, 250), discounts: [{ kind, amount: 50 }] };
  return basket({ lines: [line("A1", "SHOES", 1, 1234), socks] });
}

Deno.test("non-loyalty customer types, non-members and anonymous sales earn nothing", async () => {
  const cases = [
    basket({ customer: { categories: ["CASH"], member: true, visitCount: 1 } }),
    basket({ customer: { categories: ["GOLD"], member: false, visitCount: 1 } }),
    basket({ customer: undefined }),
  ];
  for (const b of cases) {
    const e = await both(ALL, b);
    assert.deepEqual(
      { member: e.member, nonLoyalty: e.nonLoyalty, points: e.points, awards: e.awards },
      { member: false, nonLoyalty: true, points: 0, awards: [] },
    );
    assert.ok(e.lines.every((l) => l.points === 0));
  }
  const member = await both(ALL, basket());
  assert.deepEqual([member.member, member.nonLoyalty], [true, false]);
  assert.equal(member.points, 4 * 1734);
});

Deno.test("calc points on discounted items OFF: any line discount, of any kind, earns nothing", async () => {
  for (const kind of KINDS) {
    const e = await both(ALL, discountedLine(kind), OFF);
    assert.deepEqual([e.points, e.awards], [0, []], kind);
    assert.equal(e.member, true, "still a member transaction");
  }
  assert.equal((await both(ALL, basket(), OFF)).points, 4 * 1734, "undiscounted sale earns");
});

Deno.test("calc points on discounted items OFF: an order-level discount earns nothing", async () => {
  const b = basket({ discounts: [{ kind: "offer", amount: 1 }] });
  assert.deepEqual((await both(ALL, b, OFF)).awards, []);
});

Deno.test("calc points on discounted items ON: basket points on the transaction (net) total", async () => {
  const rules = parseSet([basketPoints]);
  // 12.34 + 5.00 − 0.50 = 16.84
  for (const kind of KINDS) assert.equal((await both(rules, discountedLine(kind))).points, 1684);
  // Order-level: 17.34 − 1.00
  const order = basket({ discounts: [{ kind: "sale", amount: 100 }] });
  assert.equal((await both(rules, order)).points, 1634);
});

Deno.test("calc points on discounted items ON: basic points on the net total too", async () => {
  assert.equal((await both(parseSet([basic(1)]), discountedLine("sale"))).points, 1684);
});

Deno.test("calc points on discounted items ON: item points only on lines with no discount", async () => {
  const rules = parseSet([item]);
  for (const kind of KINDS) {
    const e = await both(rules, discountedLine(kind));
    assert.equal(e.points, 1234, `${kind} discount: only the shoes earn`);
    assert.deepEqual(e.awards[0].lines, [{ index: 0, points: 1234 }]);
  }
  // An order-level discount counts as a discount on every line: no item points at all.
  const order = basket({ discounts: [{ kind: "offer", amount: 100 }] });
  assert.equal((await both(rules, order)).points, 0);
});

Deno.test("calc points on discounted items ON: tender points on the tender amount", async () => {
  const b = basket({
    lines: discountedLine("tender").lines,
    tenders: [{ type: "VISA", amount: 1000 }, { type: "CASH", amount: 684 }],
  });
  assert.equal((await both(parseSet([tender]), b)).points, 1000);
});

/** Two basic rules of 1 point per EUR, each on one of two lines of `cents` each. */
function twoSmallRules(cents: number) {
  const b = basket({ lines: [line("A1", "SHOES", 1, cents), line("B1", "SOCKS", 1, cents)] });
  const rules = parseSet([
    doc("a", { type: "basic-points", params: { pointsPerUnit: 1, basis: { skus: ["A1"] } } }),
    doc("b", { type: "basic-points", params: { pointsPerUnit: 1, basis: { skus: ["B1"] } } }),
  ]);
  return { b, rules };
}

Deno.test("rounding 'up' applies to each rule, not to the sum: 0.40 + 0.40 → 1 + 1", async () => {
  const { b, rules } = twoSmallRules(40);
  const e = await both(rules, b, { ...SETTINGS, roundingRule: "up" });
  assert.deepEqual(byRule(e), { a: 100, b: 100 });
  assert.equal(e.points, 200, "not round(0.80) = 1");
});

Deno.test("rounding 'down' applies to each rule, not to the sum: 0.60 + 0.60 → 0 + 0", async () => {
  const { b, rules } = twoSmallRules(60);
  const e = await both(rules, b, { ...SETTINGS, roundingRule: "down" });
  assert.deepEqual(byRule(e), { a: 0, b: 0 });
  assert.equal(e.points, 0, "not floor(1.20) = 1");
});

Deno.test("rounding 'nearest' applies to each rule, not to the sum: 0.40 + 0.40 → 0 + 0", async () => {
  const { b, rules } = twoSmallRules(40);
  const e = await both(rules, b, { ...SETTINGS, roundingRule: "nearest" });
  assert.equal(e.points, 0, "not nearest(0.80) = 1");
  const halves = twoSmallRules(50);
  const h = await both(halves.rules, halves.b, { ...SETTINGS, roundingRule: "nearest" });
  assert.equal(h.points, 200, "0.50 + 0.50 → 1 + 1, not nearest(1.00) = 1");
});

Deno.test("rounding 'nearest' rounds halves up: 26.5 → 27, 26.49 → 26", async () => {
  const nearest = { ...SETTINGS, roundingRule: "nearest" as const };
  const rules = parseSet([basic(0.5)]);
  const at = (cents: number) => basket({ lines: [line("A1", "SHOES", 1, cents)] });
  assert.equal((await both(rules, at(5300), nearest)).points, 2700); // 26.50
  assert.equal((await both(rules, at(5298), nearest)).points, 2600); // 26.49
});

Deno.test("rounding 'none' keeps two decimals exactly; below a hundredth, half up", async () => {
  const { b, rules } = twoSmallRules(37);
  const e = await both(rules, b);
  assert.deepEqual(byRule(e), { a: 37, b: 37 });
  // 0.01 EUR at 0.5 per EUR = 0.005 → 0.01 on each rule; the exact sum would give 0.01.
  const tiny = twoSmallRules(1);
  const half = parseSet(tiny.rules.map((r) => ({
    ...r,
    event: { ...r.event, params: { ...r.event.params, pointsPerUnit: 0.5 } },
  })));
  assert.equal((await both(half, tiny.b)).points, 2);
});

Deno.test("a rule's own rounding wins over the programme's", async () => {
  const down = { ...SETTINGS, roundingRule: "down" as const };
  const e = await both(
    parseSet([
      basic(1),
      basic(1, { id: "up", rounding: "up" }),
      basic(1, { id: "exact", rounding: "none" }),
    ]),
    basket(),
    down,
  );
  assert.deepEqual(byRule(e), { basic: 1700, up: 1800, exact: 1734 });
});

Deno.test("rounding applies to a rule's points after its multiplier, the extra is its own award", async () => {
  // 10.25 EUR at 1 point: round(10.25) = 10; doubled, round(20.50) = 21, so the double adds 11.
  const b = basket({ lines: [line("A1", "SHOES", 1, 1025)] });
  const rules = parseSet([
    basic(1),
    doc("double", { type: "multiplier", params: { factor: 2 } }),
  ]);
  const e = await both(rules, b, { ...SETTINGS, roundingRule: "nearest" });
  assert.deepEqual(byRule(e), { basic: 1000, double: 1100 });
  assert.equal(e.points, 2100, "round(2 × 10.25), not 2 × round(10.25)");
});
