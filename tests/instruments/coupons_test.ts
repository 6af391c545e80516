/**
 * What a coupon gives to a basket, and why not (instruments/coupons.ts), without a database:
 * amount off capped at the basket's value, percent off of the eligible lines rounded down,
 * bonus points, several coupons never taking more than the basket, and every reason a coupon
 * gives nothing.
 */
import assert from "node:assert/strict";
import {
  applyCoupons,
  type Coupon,
  type CouponBenefit,
  couponValue,
  couponVerdict,
  stateReason,
  storedBenefit,
  withCouponDiscounts,
} from "../../instruments/coupons.ts";
import type { ProblemError } from "../../errors/problem.ts";
import { type Basket, BasketSchema, lineNets } from "../../rules/basket.ts";

const AT = "2026-03-03T10:00:00+01:00";

/** 12.34 of shoes and 2 × 2.50 of socks (the socks 0.50 off): 16.84. */
const basket = (extra: Partial<Basket> = {}): Basket =>
  BasketSchema.parse({
    currency: "EUR",
    storeNumber: 1,
    posNumber: 1,
    channel: "pos",
    at: AT,
    timezone: "Europe/Paris",
    lines: [
      { sku: "SH1", category: "SHOES", quantity: 1, unitPrice: 1234, discounts: [] },
      {
        sku: "SO1",
        category: "SOCKS",
        quantity: 2,
        unitPrice: 250,
        discounts: [{ kind: "sale", amount: 50 }],
      },
    ],
    tenders: [],
    ...extra,
  });

const coupon = (benefit: CouponBenefit, extra: Partial<Coupon> = {}): Coupon => ({
  id: crypto.randomUUID(),
  code: "SPR23456789ABC",
  status: "active",
  expiresAt: null,
  uses: 0,
  maxUses: 1,
  startsAt: null,
  currency: "EUR",
  benefit,
  ...extra,
});

const value = (b: CouponBenefit, bk = basket(), currency = "EUR") => couponValue(b, currency, bk);

Deno.test("amount off: the amount, at most the basket's value after the POS's discounts", () => {
  assert.deepEqual(value({ kind: "amountOff", amount: 500 }), { discount: 500, points: 0 });
  assert.deepEqual(value({ kind: "amountOff", amount: 5000 }), { discount: 1684, points: 0 });
  assert.equal(value({ kind: "amountOff", amount: 500 }, basket(), "GBP"), null, "other currency");
  assert.equal(value({ kind: "amountOff", amount: 500 }, basket({ lines: [] })), null);
  const free = basket({
    lines: [{ sku: "X", category: "X", quantity: 1, unitPrice: 0, discounts: [] }],
  });
  assert.equal(value({ kind: "amountOff", amount: 500 }, free), null, "nothing to discount");
});

Deno.test("percent off: of the eligible lines' net value, rounded down to the minor unit", () => {
  // 10 % of 16.84 = 1.684 → 1.68.
  assert.deepEqual(value({ kind: "percentOff", percent: 10 }), { discount: 168, points: 0 });
  // 12.5 % of the shoes' 12.34 = 1.5425 → 1.54.
  assert.deepEqual(
    value({ kind: "percentOff", percent: 12.5, selector: { categories: ["SHOES"] } }),
    { discount: 154, points: 0 },
  );
  // By SKU: 33.33 % of the socks' 4.50 = 1.49985 → 1.49.
  assert.deepEqual(
    value({ kind: "percentOff", percent: 33.33, selector: { skus: ["SO1"] } }),
    { discount: 149, points: 0 },
  );
  // Lines carrying a discount left out: the shoes only.
  assert.deepEqual(
    value({ kind: "percentOff", percent: 50, selector: { excludeDiscounted: true } }),
    { discount: 617, points: 0 },
  );
  // An order-level discount counts on every line: nothing is left.
  const orderOff = basket({ discounts: [{ kind: "sale", amount: 100 }] });
  assert.equal(
    value({ kind: "percentOff", percent: 50, selector: { excludeDiscounted: true } }, orderOff),
    null,
  );
  // Shares of an order discount are taken off the eligible line: 10 % of (12.34 − 0.73).
  assert.deepEqual(
    value({ kind: "percentOff", percent: 10, selector: { categories: ["SHOES"] } }, orderOff),
    { discount: Math.floor(lineNets(orderOff)[0] / 10), points: 0 },
  );
  assert.equal(
    value({ kind: "percentOff", percent: 10, selector: { categories: ["HATS"] } }),
    null,
    "no eligible line",
  );
  const cent = basket({
    lines: [{ sku: "X", category: "X", quantity: 1, unitPrice: 9, discounts: [] }],
  });
  assert.equal(value({ kind: "percentOff", percent: 10 }, cent), null, "0.9 cent is nothing");
  assert.deepEqual(value({ kind: "percentOff", percent: 100 }), { discount: 1684, points: 0 });
  // Currency does not matter to a percent.
  assert.deepEqual(value({ kind: "percentOff", percent: 10 }, basket(), "GBP"), {
    discount: 168,
    points: 0,
  });
});

Deno.test("bonus points: the points in hundredths, whatever the basket", () => {
  const b = storedBenefit({ kind: "bonusPoints", points: 12.34 });
  assert.deepEqual(b, { kind: "bonusPoints", points: 1234 });
  assert.deepEqual(value(b, basket({ lines: [] }), "GBP"), { discount: 0, points: 1234 });
});

Deno.test("several coupons: each on the basket as sent, together never more than its value", () => {
  const applied = applyCoupons(
    [
      coupon({ kind: "percentOff", percent: 50 }),
      coupon({ kind: "amountOff", amount: 1000 }),
      coupon({ kind: "bonusPoints", points: 500 }),
    ],
    basket(),
    true,
  );
  // 50 % of 16.84 = 8.42; then 10.00, of which 8.42 is left.
  assert.deepEqual(applied.map((a) => [a.index, a.discount, a.points]), [
    [0, 842, 0],
    [1, 842, 0],
    [2, 0, 500],
  ]);
  const priced = withCouponDiscounts(basket(), applied);
  assert.deepEqual(priced.discounts, [
    { kind: "offer", amount: 842 },
    { kind: "offer", amount: 842 },
  ]);
  assert.equal(lineNets(priced).reduce((a, b) => a + b, 0), 0);
  // A third money coupon finds nothing left: refused, naming it.
  assert.throws(
    () =>
      applyCoupons(
        [
          coupon({ kind: "percentOff", percent: 100 }),
          coupon({ kind: "amountOff", amount: 1 }),
        ],
        basket(),
        true,
      ),
    (e: ProblemError) =>
      e.status === 409 && e.slug === "coupon-not-for-this-basket" &&
      e.extra.errors![0].field === "coupons.1",
  );
});

Deno.test("refusals: the coupon's state (409 coupon-<reason>), bonus points without a member (422)", () => {
  const b = basket();
  const amount: CouponBenefit = { kind: "amountOff", amount: 100 };
  const cases: [Coupon, string][] = [
    [coupon(amount, { uses: 1 }), "coupon-used-up"],
    [coupon(amount, { expiresAt: new Date("2026-03-02T12:00:00Z") }), "coupon-expired"],
    [coupon(amount, { startsAt: new Date("2026-03-03T10:00:01+01:00") }), "coupon-not-yet-active"],
    [coupon(amount, { status: "blocked" }), "coupon-blocked"],
    [coupon(amount, { status: "void" }), "coupon-void"],
    [coupon(amount, { status: "inactive" }), "coupon-inactive"],
    [
      coupon({ kind: "percentOff", percent: 5, selector: { skus: ["NO"] } }),
      "coupon-not-for-this-basket",
    ],
  ];
  for (const [c, slug] of cases) {
    assert.throws(
      () => applyCoupons([coupon(amount, { maxUses: null }), c], b, true),
      (e: ProblemError) =>
        e.status === 409 && e.slug === slug && e.extra.reason === slug.slice(7) &&
        e.extra.errors![0].field === "coupons.1",
      slug,
    );
  }
  assert.throws(
    () => applyCoupons([coupon({ kind: "bonusPoints", points: 100 })], b, false),
    (e: ProblemError) => e.status === 422 && e.extra.errors![0].field === "coupons.0",
  );
});

Deno.test("state: expiry on the store's clock (good through its last day), the start to the second", () => {
  const expires = { expiresAt: new Date("2026-03-03T22:30:00Z") }; // 23:30 on the 3rd in Paris
  const c = coupon({ kind: "amountOff", amount: 1 }, expires);
  const paris = "Europe/Paris";
  assert.equal(stateReason(c, new Date("2026-03-03T22:59:59Z"), paris), null, "23:59 on the 3rd");
  assert.equal(stateReason(c, new Date("2026-03-03T23:00:00Z"), paris), "expired", "the 4th");
  const start = coupon({ kind: "amountOff", amount: 1 }, { startsAt: new Date(AT) });
  assert.equal(stateReason(start, new Date(Date.parse(AT) - 1), paris), "not-yet-active");
  assert.equal(stateReason(start, new Date(AT), paris), null);
  assert.equal(
    stateReason(coupon(start.benefit, { maxUses: null, uses: 99 }), new Date(), paris),
    null,
  );
  assert.equal(
    stateReason(coupon(start.benefit, { maxUses: 3, uses: 2 }), new Date(), paris),
    null,
  );
  assert.equal(
    stateReason(coupon(start.benefit, { maxUses: 3, uses: 3 }), new Date(), paris),
    "used-up",
  );
});

Deno.test("verdict: judged alone, with or without a basket", () => {
  const when = { at: new Date(AT), timeZone: "Europe/Paris" };
  const points = coupon({ kind: "bonusPoints", points: 250 });
  assert.deepEqual(couponVerdict(points, when), { reason: null, value: null });
  assert.deepEqual(couponVerdict(points, when, { basket: basket(), member: true }), {
    reason: null,
    value: { discount: 0, points: 250 },
  });
  assert.deepEqual(couponVerdict(points, when, { basket: basket(), member: false }), {
    reason: "member-required",
    value: { discount: 0, points: 0 },
  });
  const used = coupon({ kind: "amountOff", amount: 100 }, { uses: 1 });
  assert.deepEqual(couponVerdict(used, when), { reason: "used-up", value: null });
  assert.deepEqual(couponVerdict(used, when, { basket: basket(), member: true }), {
    reason: "used-up",
    value: { discount: 0, points: 0 },
  });
  assert.deepEqual(
    couponVerdict(coupon({ kind: "amountOff", amount: 100 }, { currency: "GBP" }), when, {
      basket: basket(),
      member: true,
    }),
    { reason: "not-for-this-basket", value: { discount: 0, points: 0 } },
  );
});
