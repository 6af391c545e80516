/** fast-check generators for valid baskets, settings and rule documents (shared by tests). */
import fc from "fast-check";
import { type Basket, BasketSchema } from "../../rules/basket.ts";
import type { Settings } from "../../rules/evaluate.ts";
import { ROUNDING_MODES } from "../../rules/points.ts";

const SKUS = ["A1", "A2", "B1", "B2", "C1"];
const CATEGORIES = ["SHOES", "SOCKS", "HATS"];
const CUSTOMER_TYPES = ["GOLD", "SILVER", "CASH", "STAFF"];
const TENDERS = ["CASH", "VISA", "MC", "GIFT"];
const ZONES = ["UTC", "Pacific/Auckland", "America/Los_Angeles", "Europe/Paris", "Asia/Kolkata"];

const subset = <T>(xs: T[]) => fc.subarray(xs, { minLength: 1 });

const discount = fc.record({
  kind: fc.constantFrom("item" as const, "sale" as const, "offer" as const, "tender" as const),
  amount: fc.integer({ min: 1, max: 2000 }),
});

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
      staff: fc.boolean(),
      visitCount: fc.nat(50),
    }),
    { nil: undefined, freq: 8 },
  ),
  lines: fc.array(line, { maxLength: 20 }),
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
    "tenders",
  ],
})
  .map((b) => BasketSchema.parse(b));

export const settingsArb: fc.Arbitrary<Settings> = fc.record({
  roundingRule: fc.constantFrom(...ROUNDING_MODES),
  calcPointsOnDiscountedItems: fc.boolean(),
  nonLoyaltyCategoryCodes: fc.subarray(["CASH", "STAFF"]),
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

/** A raw rule document; `parseRule` must accept every one of them. */
export const ruleDocArb = fc.record({
  name: fc.string({ minLength: 1, maxLength: 20 }),
  priority: fc.integer({ min: 1, max: 100 }),
  conditions: group,
  event: fc.record({
    type: fc.constant("basic-points"),
    params: fc.record({
      pointsPerUnit: fc.integer({ min: 1, max: 100_000 }).map((h) => h / 100),
      basis: selector,
    }, { requiredKeys: ["pointsPerUnit"] }),
  }),
  rounding: fc.constantFrom("none", "up", "down", "nearest"),
}, { requiredKeys: ["name", "priority", "conditions", "event"] });
