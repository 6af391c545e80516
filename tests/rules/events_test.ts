/** Each event type, multipliers, staff discounts and order-level discounts, on known baskets. */
import assert from "node:assert/strict";
import { BasketSchema, lineNets } from "../../rules/basket.ts";
import { basket, both, byRule, doc, line, parseSet, SETTINGS } from "./helpers.ts";

const basic = doc("basic", { type: "basic-points", params: { pointsPerUnit: 1 } });
const socks10 = doc("socks", {
  type: "item-points",
  params: { selector: { categories: ["SOCKS"] }, perItem: 10 },
});

Deno.test("basic-points: per 1.00 of the net total, or of the basis lines", async () => {
  const e = await both(parseSet([basic]), basket());
  assert.deepEqual(e.awards, [{
    ruleId: "basic",
    name: "basic",
    type: "basic-points",
    reference: "SALE",
    points: 1734,
    lines: [{ index: 0, points: 1234 }, { index: 1, points: 500 }],
  }]);
  assert.deepEqual(e.lines, [{ index: 0, points: 1234 }, { index: 1, points: 500 }]);
  const socks = doc("b", {
    type: "basic-points",
    params: { pointsPerUnit: 2, basis: { categories: ["SOCKS"] } },
  });
  const s = await both(parseSet([socks]), basket());
  assert.deepEqual([s.points, s.awards[0].lines], [1000, [{ index: 1, points: 1000 }]]);
});

Deno.test("item-points: per item, or per 1.00 of the matched lines", async () => {
  const perUnit = doc("a1", {
    type: "item-points",
    params: { selector: { skus: ["A1"] }, pointsPerUnit: 3 },
  });
  const e = await both(parseSet([socks10, perUnit]), basket());
  assert.deepEqual(byRule(e), { socks: 2000, a1: 3702 });
  assert.deepEqual(e.awards.map((a) => a.lines), [
    [{ index: 1, points: 2000 }],
    [{ index: 0, points: 3702 }],
  ]);
});

Deno.test("basket-points: fixed points spread over lines by net value, largest remainder", async () => {
  const fixed = doc("fixed", { type: "basket-points", params: { points: 50 } });
  const e = await both(parseSet([fixed]), basket());
  // 5000 × 1234/1734 = 3558.25, 5000 × 500/1734 = 1441.75: the spare hundredth to .75
  assert.deepEqual(e.awards[0].lines, [{ index: 0, points: 3558 }, { index: 1, points: 1442 }]);
  const perUnit = doc("ppu", { type: "basket-points", params: { pointsPerUnit: 1 } });
  assert.equal((await both(parseSet([perUnit]), basket())).points, 1734);
});

Deno.test("basket-points: only when the net total reaches minTotal", async () => {
  const at = (minTotal: number) =>
    parseSet([doc("min", { type: "basket-points", params: { points: 5, minTotal } })]);
  assert.equal((await both(at(1734), basket())).points, 500);
  assert.deepEqual((await both(at(1735), basket())).awards, []);
  // The total is net of an order-level discount.
  const order = basket({ discounts: [{ kind: "offer", amount: 1 }] });
  assert.deepEqual((await both(at(1734), order)).awards, []);
});

Deno.test("basket-points: free lines share by quantity; no lines, nothing to attribute", async () => {
  const fixed = parseSet([doc("fixed", { type: "basket-points", params: { points: 1 } })]);
  const free = basket({ lines: [line("A1", "SHOES", 1, 0), line("B1", "SOCKS", 3, 0)] });
  assert.deepEqual((await both(fixed, free)).awards[0].lines, [
    { index: 0, points: 25 },
    { index: 1, points: 75 },
  ]);
  const empty = await both(fixed, basket({ lines: [] }));
  assert.deepEqual([empty.points, empty.awards[0].points, empty.lines], [0, 0, []]);
});

Deno.test("tender-points: per 1.00 paid with the tender types, spread by line value", async () => {
  const visa = doc("visa", {
    type: "tender-points",
    params: { tenderTypes: ["VISA", "MC"], pointsPerUnit: 2 },
  });
  const cash = doc("cash", {
    type: "tender-points",
    params: { tenderTypes: ["CASH"], pointsPerUnit: 2 },
  });
  const e = await both(parseSet([visa, cash]), basket());
  assert.deepEqual(byRule(e), { visa: 3468, cash: 0 });
  assert.deepEqual(e.awards[0].lines, [{ index: 0, points: 2468 }, { index: 1, points: 1000 }]);
  assert.deepEqual(e.awards[1].lines, []);
});

Deno.test("tender-points on cash: the change handed back earns nothing", async () => {
  const cash = doc("cash", {
    type: "tender-points",
    params: { tenderTypes: ["CASH"], pointsPerUnit: 1 },
  });
  // 17.34 due: 5.00 by card, then 20.00 cash of which 7.66 is change.
  const paid = await both(
    parseSet([cash]),
    basket({ tenders: [{ type: "VISA", amount: 500 }, { type: "CASH", amount: 2000 }] }),
  );
  assert.equal(paid.points, 1234);
  // Cash that only pays what is due earns on all of it.
  const exact = await both(parseSet([cash]), basket({ tenders: [{ type: "CASH", amount: 1734 }] }));
  assert.equal(exact.points, 1734);
});

Deno.test("multiplier without ruleIds or selector multiplies every earning rule", async () => {
  const double = doc("double", { type: "multiplier", params: { factor: 2 } }, { priority: 50 });
  const e = await both(parseSet([basic, socks10, double]), basket());
  assert.deepEqual(byRule(e), { double: 3734, basic: 1734, socks: 2000 });
  assert.equal(e.awards[0].type, "multiplier", "listed by priority");
  assert.deepEqual(e.awards[0].lines, [{ index: 0, points: 1234 }, { index: 1, points: 2500 }]);
  assert.equal(e.points, 2 * (1734 + 2000));
});

Deno.test("multiplier with ruleIds multiplies only those rules", async () => {
  const double = doc("double", {
    type: "multiplier",
    params: { factor: 2, ruleIds: ["basic"] },
  }, { reference: "PROMO" });
  const e = await both(parseSet([basic, socks10, double]), basket());
  assert.deepEqual(byRule(e), { basic: 1734, socks: 2000, double: 1734 });
  assert.equal(e.awards.find((a) => a.ruleId === "double")?.reference, "PROMO");
});

Deno.test("multiplier with a selector multiplies the selected lines' share only", async () => {
  const triple = doc("triple", {
    type: "multiplier",
    params: { factor: 3, selector: { skus: ["A1"] } },
  });
  const e = await both(parseSet([basic, socks10, triple]), basket());
  // 2 × 12.34 from the basic points of A1; the socks item points are on B1, not selected.
  assert.deepEqual(byRule(e), { basic: 1734, socks: 2000, triple: 2468 });
  assert.deepEqual(e.awards.find((a) => a.ruleId === "triple")?.lines, [{
    index: 0,
    points: 2468,
  }]);
});

Deno.test("two multipliers on one rule add their extras: 2× and 3× make 4×", async () => {
  const rules = parseSet([
    basic,
    doc("x2", { type: "multiplier", params: { factor: 2 } }),
    doc("x3", { type: "multiplier", params: { factor: 3 } }),
  ]);
  const e = await both(rules, basket());
  assert.deepEqual(byRule(e), { basic: 1734, x2: 1734, x3: 3468 });
  assert.equal(e.points, 4 * 1734);
});

Deno.test("a multiplier's extra is split by exact shares after one rounding of the rule", async () => {
  // 1.01 EUR, up: basic 2; × (1 + 0.5 + 0.5) = 2.02 → 3, so the two halves share 1 point.
  const rules = parseSet([
    doc("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }, { rounding: "up" }),
    doc("m1", { type: "multiplier", params: { factor: 1.5 } }),
    doc("m2", { type: "multiplier", params: { factor: 1.5 } }),
  ]);
  const e = await both(rules, basket({ lines: [line("A1", "SHOES", 1, 101)] }));
  assert.deepEqual(byRule(e), { basic: 200, m1: 50, m2: 50 });
  assert.equal(e.points, 300);
});

Deno.test("a multiplier whose rules did not fire earns nothing, but is listed as fired", async () => {
  const rules = parseSet([
    doc("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }, { enabled: false }),
    doc("double", { type: "multiplier", params: { factor: 2, ruleIds: ["basic"] } }),
  ]);
  const e = await both(rules, basket());
  assert.deepEqual(e.awards.map((a) => [a.ruleId, a.points, a.lines]), [["double", 0, []]]);
});

Deno.test("staff discount: staff customer at the staff default location, per line", async () => {
  const staff = parseSet([
    doc("staff", { type: "staff-discount", params: { percent: 20 } }, {
      conditions: { all: [{ fact: "channel", operator: "equal", value: "pos" }] },
    }),
    basic,
  ]);
  const customer = { categories: ["STAFF"], member: true, visitCount: 0 };
  const at12 = await both(staff, basket({ customer, storeNumber: 12 }));
  // 20% of 12.34 = 2.468 → 2.47; of 5.00 = 1.00
  assert.deepEqual(at12.discounts, [
    { ruleId: "staff", lineIndex: 0, amount: 247 },
    { ruleId: "staff", lineIndex: 1, amount: 100 },
  ]);
  assert.equal(at12.staff, true);
  assert.equal(at12.points, 1734, "discounts are not points; staff members still earn");
  assert.deepEqual(at12.awards.map((a) => a.ruleId), ["basic"]);

  assert.deepEqual((await both(staff, basket({ customer, storeNumber: 1 }))).discounts, []);
  const anywhere = { ...SETTINGS, staffLoyaltyDefaultLocation: null };
  assert.equal(
    (await both(staff, basket({ customer, storeNumber: 1 }), anywhere)).discounts.length,
    2,
  );
  const gold = await both(staff, basket({ storeNumber: 12 }));
  assert.deepEqual([gold.staff, gold.discounts], [false, []]);
  // Staff who are not loyalty members get the discount and no points.
  const plain = { ...SETTINGS, nonLoyaltyCategoryCodes: ["STAFF"] };
  const nonMember = await both(staff, basket({ customer, storeNumber: 12 }), plain);
  assert.deepEqual([nonMember.points, nonMember.discounts.length], [0, 2]);
});

Deno.test("staff discount: selectors, and at most one discount per line by priority", async () => {
  const rules = parseSet([
    doc("all10", { type: "staff-discount", params: { percent: 10 } }, { priority: 10 }),
    doc("socks50", {
      type: "staff-discount",
      params: { percent: 50, selector: { categories: ["SOCKS"], excludeDiscounted: true } },
    }, { priority: 20 }),
  ]);
  const customer = { categories: ["STAFF"], member: true, visitCount: 0 };
  const e = await both(rules, basket({ customer, storeNumber: 12 }));
  assert.deepEqual(e.discounts, [
    { ruleId: "all10", lineIndex: 0, amount: 123 },
    { ruleId: "socks50", lineIndex: 1, amount: 250 },
  ]);
  const onSale = { ...line("B1", "SOCKS", 2, 250), discounts: [{ kind: "sale", amount: 100 }] };
  const d = await both(rules, basket({ customer, storeNumber: 12, lines: [onSale] }));
  assert.deepEqual(d.discounts, [{ ruleId: "all10", lineIndex: 0, amount: 40 }]);
});

Deno.test("order-level discount: spread by line value, largest remainder, sums exactly", async () => {
  const b = basket({
    lines: [
      line("A1", "SHOES", 1, 1000),
      line("B1", "SOCKS", 1, 2000),
      line("C1", "HATS", 1, 3000),
    ],
    discounts: [{ kind: "offer", amount: 60 }, { kind: "sale", amount: 40 }],
  });
  // 100 × 1/6 = 16.67 → 17 (largest remainder), 33.33 → 33, 50
  assert.deepEqual(lineNets(b), [983, 1967, 2950]);
  const e = await both(parseSet([basic]), b);
  assert.equal(e.total, 5900);
  assert.deepEqual(e.lines.map((l) => l.points), [983, 1967, 2950]);
  // Ties go to the lower index.
  const tie = basket({
    lines: [line("A1", "SHOES", 1, 1000), line("B1", "SOCKS", 1, 1000)],
    discounts: [{ kind: "offer", amount: 1 }],
  });
  assert.deepEqual(lineNets(tie), [999, 1000]);
  // A line's own discounts come first: shares follow the value after them.
  const own = basket({
    lines: [{ ...line("A1", "SHOES", 1, 2000), discounts: [{ kind: "item", amount: 1000 }] }, {
      ...line("B1", "SOCKS", 1, 1000),
    }],
    discounts: [{ kind: "offer", amount: 500 }],
  });
  assert.deepEqual(lineNets(own), [750, 750]);
});

Deno.test("an order-level discount larger than the lines' value is rejected", () => {
  const r = BasketSchema.safeParse({ ...basket(), discounts: [{ kind: "offer", amount: 1735 }] });
  assert.equal(r.success, false);
  assert.deepEqual(r.error?.issues.map((i) => i.path), [["discounts"]]);
});

Deno.test("awards carry the rule's reference code, SALE by default", async () => {
  const onBoard = doc("onbo", { type: "basic-points", params: { pointsPerUnit: 1 } }, {
    reference: "ONBO",
  });
  const e = await both(parseSet([basic, onBoard]), basket());
  assert.deepEqual(e.awards.map((a) => a.reference), ["SALE", "ONBO"]);
});

Deno.test("a disabled rule never fires", async () => {
  const off = { ...basic, enabled: false };
  assert.deepEqual((await both(parseSet([off]), basket())).awards, []);
});

Deno.test("currencies: JPY has no minor digits, KWD three", async () => {
  const rules = parseSet([basic]);
  const yen = basket({ currency: "JPY", lines: [line("A1", "SHOES", 1, 1234)] });
  assert.equal((await both(rules, yen)).points, 123400);
  const dinar = basket({ currency: "KWD", lines: [line("A1", "SHOES", 1, 1234)] });
  assert.equal((await both(rules, dinar)).points, 123);
});

Deno.test("day of week is the STORE's: Tuesday in UTC is Wednesday in Auckland", async () => {
  const tuesday = parseSet([doc("tue", { type: "basic-points", params: { pointsPerUnit: 1 } }, {
    conditions: { all: [{ fact: "dayOfWeek", operator: "equal", value: 2 }] },
  })]);
  const fired = async (at: string, timezone: string) =>
    (await both(tuesday, basket({ at, timezone }))).awards.length === 1;
  const tueUtc = "2025-03-04T12:00:00Z"; // Tue 12:00 UTC = Wed 01:00 NZDT
  assert.equal(await fired(tueUtc, "UTC"), true);
  assert.equal(await fired(tueUtc, "Pacific/Auckland"), false);
  const monUtc = "2025-03-03T20:00:00Z"; // Mon 20:00 UTC = Tue 09:00 NZDT
  assert.equal(await fired(monUtc, "Pacific/Auckland"), true);
  assert.equal(await fired(monUtc, "UTC"), false);
});

Deno.test("facts: cardSeries, eligibleQuantity and eligibleSpend see what rules see", async () => {
  const when = (leaf: unknown) =>
    parseSet([doc("r", { type: "basic-points", params: { pointsPerUnit: 1 } }, {
      conditions: { all: [leaf] },
    })]);
  const customer = { categories: ["GOLD"], member: true, visitCount: 1, cardSeries: "VIP" };
  const vip = when({ fact: "cardSeries", operator: "equal", value: "VIP" });
  assert.equal((await both(vip, basket({ customer }))).awards.length, 1);
  assert.equal((await both(vip, basket())).awards.length, 0, "no card series: null");
  const twoSocks = when({
    fact: "eligibleQuantity",
    params: { categories: ["SOCKS"] },
    operator: "equal",
    value: 2,
  });
  assert.equal((await both(twoSocks, basket())).awards.length, 1);
  // eligibleSpend is net of the order-level discount's share.
  const spend = when({
    fact: "eligibleSpend",
    params: { skus: ["A1"] },
    operator: "equal",
    value: 1234 - 712,
  });
  const order = basket({ discounts: [{ kind: "offer", amount: 1000 }] }); // 1000 × 1234/1734
  assert.equal((await both(spend, order)).awards.length, 1);
});
