/** fast-check generators for valid baskets, settings, rule documents and rule sets. */
import fc from "fast-check";
import { type Basket, BasketSchema, lineValue } from "../../rules/basket.ts";
import type { Settings } from "../../rules/settings.ts";
import { ROUNDING_MODES } from "../../rules/points.ts";

const SKUS = ["A1", "A2", "B1", "B2", "C1"];
const CATEGORIES = ["SHOES", "SOCKS", "HATS"];
const CUSTOMER_TYPES = ["GOLD", "SILVER", "CASH", "STAFF"];
// POINTS: points spent, as the sale hands them to the rules (rules/earning_base.ts).
const TENDERS = ["CASH", "VISA", "MC", "GIFT", "POINTS"];
const SERIES = ["LOY", "VIP"];
const ZONES = ["UTC", "Pacific/Auckland", "America/Los_Angeles", "Europe/Paris", "Asia/Kolkata"];

const subset = <T>(xs: T[]) => fc.subarray(xs, { minLength: 1 });
/** A positive number with at most two decimals, from integer hundredths. */
const twoDecimals = (min: number, max: number) =>
  fc.integer({ min: Math.round(min * 100), max: Math.round(max * 100) }).map((h) => h / 100);

const discountKind = fc.constantFrom(
  "item" as const,
  "sale" as const,
  "offer" as const,
  "tender" as const,
);
const discount = fc.record({ kind: discountKind, amount: fc.integer({ min: 1, max: 2000 }) });

const line = fc.record({
  sku: fc.constantFrom(...SKUS),
  category: fc.constantFrom(...CATEGORIES),
  quantity: fc.integer({ min: 1, max: 5 }),
  unitPrice: fc.integer({ min: 0, max: 20000 }),
  // Mostly undiscounted: one discounted line blocks the whole basket when the setting is off.
  discounts: fc.oneof(
    { arbitrary: fc.array(discount, { maxLength: 0 }), weight: 9 },
    { arbitrary: fc.array(discount, { minLength: 1, maxLength: 2 }), weight: 1 },
  ),
}).map((l) => {
  // Keep only discounts that fit in the line: discounts never exceed the line total.
  let left = l.quantity * l.unitPrice;
  const discounts = l.discounts.filter((d) => {
    if (d.amount > left) return false;
    left -= d.amount;
    return true;
  });
  return { ...l, discounts };
});

export const basketArb: fc.Arbitrary<Basket> = fc.record({
  currency: fc.constantFrom("EUR", "JPY", "KWD", "USD"),
  storeNumber: fc.integer({ min: 1, max: 4 }),
  posNumber: fc.integer({ min: 1, max: 3 }),
  channel: fc.constantFrom("pos" as const, "web" as const, "back-office" as const),
  at: fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2026, 11, 31) })
    .map((ms) => new Date(ms).toISOString()),
  timezone: fc.constantFrom(...ZONES),
  customer: fc.option(
    fc.record({
      categories: fc.array(fc.constantFrom(...CUSTOMER_TYPES), { minLength: 1, maxLength: 5 }),
      member: fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, fc.constant(false)),
      visitCount: fc.nat(50),
      cardSeries: fc.constantFrom(...SERIES),
    }, { requiredKeys: ["categories", "member", "visitCount"] }),
    { nil: undefined, freq: 8 },
  ),
  lines: fc.array(line, { maxLength: 20 }),
  // Order-level discount as a share (per mille) of the lines' value; rarely one.
  orderDiscount: fc.record({
    kind: discountKind,
    permille: fc.oneof(
      { arbitrary: fc.constant(0), weight: 7 },
      { arbitrary: fc.integer({ min: 1, max: 1000 }), weight: 1 },
    ),
  }),
  tenders: fc.array(
    fc.record({ type: fc.constantFrom(...TENDERS), amount: fc.integer({ min: 0, max: 50000 }) }),
    { maxLength: 3 },
  ),
}, {
  requiredKeys: [
    "currency",
    "storeNumber",
    "posNumber",
    "channel",
    "at",
    "timezone",
    "lines",
    "orderDiscount",
    "tenders",
  ],
})
  .map(({ orderDiscount, ...b }) => {
    const value = b.lines.reduce((s, l) => s + lineValue(l), 0);
    const amount = Math.floor((value * orderDiscount.permille) / 1000);
    const discounts = amount > 0 ? [{ kind: orderDiscount.kind, amount }] : [];
    return BasketSchema.parse({ ...b, discounts });
  });

export const settingsArb: fc.Arbitrary<Settings> = fc.record({
  roundingRule: fc.constantFrom(...ROUNDING_MODES),
  calcPointsOnDiscountedItems: fc.boolean(),
  nonLoyaltyCategoryCodes: fc.subarray(["CASH", "STAFF"]),
  staffLoyaltyCategoryCodes: fc.subarray(["STAFF", "GOLD"]),
  staffLoyaltyDefaultLocation: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null, freq: 2 }),
  pointsEarnedOnPartPaidWithPoints: fc.boolean(),
});

const selector = fc.record({
  skus: subset(SKUS),
  categories: subset(CATEGORIES),
  excludeDiscounted: fc.boolean(),
}, { requiredKeys: [] });

const ord = fc.constantFrom(
  "equal",
  "notEqual",
  "lessThan",
  "lessThanInclusive",
  "greaterThan",
  "greaterThanInclusive",
);
const eq = fc.constantFrom("equal", "notEqual");
const list = fc.constantFrom("in", "notIn");
const hhmm = fc.tuple(fc.nat(23), fc.nat(59))
  .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);

/** Leaf conditions over every catalogue fact, with values of the right type. */
const leaf = fc.oneof(
  fc.record({ fact: fc.constant("member"), operator: eq, value: fc.boolean() }),
  fc.record({ fact: fc.constant("staff"), operator: eq, value: fc.boolean() }),
  fc.record({
    fact: fc.constant("customerCategory"),
    params: fc.record({ index: fc.integer({ min: 1, max: 3 }) }),
    operator: eq,
    value: fc.constantFrom("GOLD", "SILVER", "CASH", null),
  }),
  fc.record({
    fact: fc.constant("customerCategory"),
    params: fc.record({ index: fc.integer({ min: 1, max: 3 }) }),
    operator: list,
    value: subset(CUSTOMER_TYPES),
  }),
  fc.record({
    fact: fc.constant("cardSeries"),
    operator: eq,
    value: fc.constantFrom(...SERIES, null),
  }),
  fc.record({ fact: fc.constant("storeNumber"), operator: list, value: subset([1, 2, 3]) }),
  fc.record({
    fact: fc.constant("posNumber"),
    operator: ord,
    value: fc.integer({ min: 0, max: 4 }),
  }),
  fc.record({ fact: fc.constant("channel"), operator: eq, value: fc.constantFrom("pos", "web") }),
  fc.record({
    fact: fc.constant("dayOfWeek"),
    operator: ord,
    value: fc.integer({ min: 1, max: 7 }),
  }),
  fc.record({ fact: fc.constant("timeOfDay"), operator: ord, value: hhmm }),
  fc.record({
    fact: fc.constant("date"),
    operator: ord,
    value: fc.constantFrom("2024-06-30", "2025-01-01", "2025-12-31"),
  }),
  fc.record({ fact: fc.constant("basketTotal"), operator: ord, value: fc.nat(60000) }),
  fc.record({
    fact: fc.constant("eligibleSpend"),
    params: selector,
    operator: ord,
    value: fc.nat(30000),
  }),
  fc.record({
    fact: fc.constant("eligibleQuantity"),
    params: selector,
    operator: ord,
    value: fc.nat(10),
  }),
  fc.record({
    fact: fc.constant("tenderAmount"),
    params: fc.record({ types: subset(TENDERS) }),
    operator: ord,
    value: fc.nat(30000),
  }),
  fc.record({ fact: fc.constant("visitCount"), operator: ord, value: fc.nat(50) }),
);

type Cond = unknown;
// group and cond share one depth counter (two levels per nested group); at maxDepth cond
// falls back to its first arbitrary, a leaf, so nesting stays under the schema's 8 groups.
const { group } = fc.letrec<{ group: Cond; cond: Cond }>((tie) => ({
  group: fc.oneof(
    { depthSize: "small", withCrossShrink: true, depthIdentifier: "rule-depth" },
    fc.record({ all: fc.array(tie("cond"), { minLength: 1, maxLength: 4 }) }),
    fc.record({ any: fc.array(tie("cond"), { minLength: 1, maxLength: 4 }) }),
    fc.record({ not: tie("cond") }),
  ),
  cond: fc.oneof(
    { depthSize: "small", withCrossShrink: true, depthIdentifier: "rule-depth", maxDepth: 12 },
    leaf,
    tie("group"),
  ),
}));

const ppu = twoDecimals(0.01, 1000);
const fixedPoints = twoDecimals(0.01, 500);

/** Earning events, each type with both of its alternatives and optional params. */
const earningEvent = fc.oneof(
  fc.record({
    type: fc.constant("basic-points"),
    params: fc.record({ pointsPerUnit: ppu, basis: selector }, { requiredKeys: ["pointsPerUnit"] }),
  }),
  fc.record({
    type: fc.constant("item-points"),
    params: fc.oneof(
      fc.record({ selector, perItem: fixedPoints }),
      fc.record({ selector, pointsPerUnit: ppu }),
    ),
  }),
  fc.record({
    type: fc.constant("basket-points"),
    params: fc.oneof(
      fc.record({ points: fixedPoints, minTotal: fc.nat(40000) }, { requiredKeys: ["points"] }),
      fc.record({ pointsPerUnit: ppu, minTotal: fc.nat(40000) }, {
        requiredKeys: ["pointsPerUnit"],
      }),
    ),
  }),
  fc.record({
    type: fc.constant("tender-points"),
    params: fc.record({ tenderTypes: subset(TENDERS), pointsPerUnit: ppu }),
  }),
);

/** ruleIds are picks into the set's earning rules, resolved by `ruleSetArb`. */
const multiplierEvent = fc.record({
  type: fc.constant("multiplier"),
  params: fc.record({
    factor: twoDecimals(1.01, 5),
    picks: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
    selector,
  }, { requiredKeys: ["factor"] }),
});

const staffEvent = fc.record({
  type: fc.constant("staff-discount"),
  params: fc.record({ percent: twoDecimals(0.01, 100), selector }, { requiredKeys: ["percent"] }),
});

const common = {
  name: fc.string({ minLength: 1, maxLength: 20 }),
  enabled: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, fc.constant(false)),
  priority: fc.integer({ min: 1, max: 100 }),
  conditions: group,
};
const rounding = fc.constantFrom(...ROUNDING_MODES);
const reference = fc.constantFrom("SALE", "ONBO", "PROMO");

/** A rule without its id; multiplier `picks` still to resolve. */
const draftArb = fc.oneof(
  {
    arbitrary: fc.record({ ...common, event: earningEvent, rounding, reference }, {
      requiredKeys: ["name", "enabled", "priority", "conditions", "event"],
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({ ...common, event: multiplierEvent, reference }, {
      requiredKeys: ["name", "enabled", "priority", "conditions", "event"],
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ ...common, event: staffEvent }), weight: 1 },
);

type Draft = { event: { type: string; params: Record<string, unknown> } } & Record<string, unknown>;

/** Raw rule-set documents that `parseRuleSet` must accept: ids r0…, valid multiplier targets. */
export const ruleSetArb = (maxLength: number) =>
  fc.array(draftArb, { maxLength }).map((drafts) => {
    const docs = (drafts as Draft[]).map((d, i) => ({ id: `r${i}`, ...d }));
    const earning = docs.filter((d) => !["multiplier", "staff-discount"].includes(d.event.type))
      .map((d) => d.id);
    for (const doc of docs) {
      if (doc.event.type !== "multiplier") continue;
      const { picks, ...params } = doc.event.params as { picks?: number[] };
      const ids = [...new Set((picks ?? []).map((p) => earning[p % earning.length]))];
      doc.event = {
        type: "multiplier",
        params: picks && earning.length > 0 ? { ...params, ruleIds: ids } : params,
      };
    }
    return docs;
  });

/** A raw rule document that `parseRule` must accept (any event type). */
export const ruleDocArb = ruleSetArb(6).filter((set) => set.length > 0)
  .map((set) => set[set.length - 1]);
