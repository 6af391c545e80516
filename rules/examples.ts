/**
 * Documented example rule documents, one or more per event type, as marketing staff would
 * write them. Together they are a valid rule set (tests validate each one and the set); money
 * values in conditions and `minTotal` are minor units, points per unit are per 1.00.
 */

/** basic-points: 1 point per EUR (per currency unit) of the net total, for every member. */
export const onePointPerUnit = {
  id: "one-point-per-eur",
  name: "1 point per EUR",
  enabled: true,
  priority: 10,
  conditions: { all: [{ fact: "member", operator: "equal", value: true }] },
  event: { type: "basic-points", params: { pointsPerUnit: 1 } },
};

/** basic-points on a basis: 2 per EUR on undiscounted shoes, when such shoes reach 50.00. */
export const shoesTwoPoints = {
  id: "shoes-two-points",
  name: "2 points per EUR on category SHOES",
  enabled: true,
  priority: 30,
  conditions: {
    all: [
      {
        fact: "eligibleSpend",
        params: { categories: ["SHOES"], excludeDiscounted: true },
        operator: "greaterThanInclusive",
        value: 5000,
      },
    ],
  },
  event: {
    type: "basic-points",
    params: { pointsPerUnit: 2, basis: { categories: ["SHOES"], excludeDiscounted: true } },
  },
};

/**
 * basic-points with a reference: points earned on board (stores 40-49 are vessels) are
 * marked ONBO in the ledger, which the key line total can match (seed 004).
 */
export const onBoardPoints = {
  id: "on-board",
  name: "On-board points",
  enabled: true,
  priority: 15,
  conditions: {
    all: [
      { fact: "storeNumber", operator: "greaterThanInclusive", value: 40 },
      { fact: "storeNumber", operator: "lessThanInclusive", value: 49 },
    ],
  },
  event: { type: "basic-points", params: { pointsPerUnit: 1.5 } },
  reference: "ONBO",
};

/** basic-points, half a point per EUR at the tills of stores 1-3 on weekday mornings. */
export const morningBonus = {
  id: "morning-bonus",
  name: "Morning bonus",
  enabled: true,
  priority: 5,
  conditions: {
    all: [
      { fact: "storeNumber", operator: "in", value: [1, 2, 3] },
      { fact: "channel", operator: "equal", value: "pos" },
      { fact: "timeOfDay", operator: "lessThan", value: "12:00" },
      { not: { fact: "dayOfWeek", operator: "in", value: [6, 7] } },
      {
        any: [
          {
            fact: "tenderAmount",
            params: { types: ["VISA", "MC"] },
            operator: "greaterThan",
            value: 0,
          },
          { fact: "visitCount", operator: "greaterThanInclusive", value: 10 },
        ],
      },
    ],
  },
  event: { type: "basic-points", params: { pointsPerUnit: 0.5 } },
  rounding: "none",
};

/** item-points per item: 10 points per pair of socks bought at full price. */
export const socksPerItem = {
  id: "socks-per-item",
  name: "10 points per pair of socks",
  enabled: true,
  priority: 25,
  conditions: {
    all: [{
      fact: "eligibleQuantity",
      params: { categories: ["SOCKS"] },
      operator: "greaterThan",
      value: 0,
    }],
  },
  event: { type: "item-points", params: { selector: { categories: ["SOCKS"] }, perItem: 10 } },
};

/** item-points per unit: 3 points per EUR on two hat SKUs, rounded down whatever the setting. */
export const hatsPerUnit = {
  id: "hats-per-eur",
  name: "3 points per EUR on hats H1 and H2",
  enabled: true,
  priority: 25,
  conditions: { all: [{ fact: "member", operator: "equal", value: true }] },
  event: {
    type: "item-points",
    params: { selector: { skus: ["H1", "H2"] }, pointsPerUnit: 3 },
  },
  rounding: "down",
};

/** basket-points, fixed: 50 points for a sale of 100.00 or more to a card of series LOY. */
export const bigBasketBonus = {
  id: "big-basket-bonus",
  name: "50 points from 100.00",
  enabled: true,
  priority: 40,
  conditions: { all: [{ fact: "cardSeries", operator: "equal", value: "LOY" }] },
  event: { type: "basket-points", params: { points: 50, minTotal: 10000 } },
};

/** tender-points: 2 points per EUR paid with a gift card. */
export const giftCardTender = {
  id: "gift-card-tender",
  name: "2 points per EUR paid by gift card",
  enabled: true,
  priority: 20,
  conditions: {
    all: [{ fact: "tenderAmount", params: { types: ["GIFT"] }, operator: "greaterThan", value: 0 }],
  },
  event: { type: "tender-points", params: { tenderTypes: ["GIFT"], pointsPerUnit: 2 } },
};

/**
 * multiplier: double points on Tuesdays (store time) for customer type GOLD at store 12. No
 * `ruleIds`: every earning rule that fires is doubled; each rule's rounding applies after.
 */
export const doubleTuesdayGold = {
  id: "double-tuesday-gold",
  name: "Double points on Tuesdays for GOLD at store 12",
  enabled: true,
  priority: 50,
  conditions: {
    all: [
      { fact: "dayOfWeek", operator: "equal", value: 2 },
      { fact: "customerCategory", params: { index: 1 }, operator: "equal", value: "GOLD" },
      { fact: "storeNumber", operator: "equal", value: 12 },
    ],
  },
  event: { type: "multiplier", params: { factor: 2 } },
};

/** multiplier with a selector: triple the basic points earned on SKU X1, marked PROMO. */
export const tripleSkuX1 = {
  id: "triple-x1",
  name: "Triple points on X1",
  enabled: true,
  priority: 45,
  conditions: {
    all: [{
      fact: "eligibleQuantity",
      params: { skus: ["X1"] },
      operator: "greaterThan",
      value: 0,
    }],
  },
  event: {
    type: "multiplier",
    params: { factor: 3, ruleIds: ["one-point-per-eur"], selector: { skus: ["X1"] } },
  },
  reference: "PROMO",
};

/**
 * staff-discount: 20% off full-price lines for staff, at the staff default location (the
 * gate adds both from the settings; the rule itself only asks for the POS channel).
 */
export const staffTwentyPercent = {
  id: "staff-20",
  name: "Staff 20% off full-price lines",
  enabled: true,
  priority: 60,
  conditions: { all: [{ fact: "channel", operator: "equal", value: "pos" }] },
  event: {
    type: "staff-discount",
    params: { percent: 20, selector: { excludeDiscounted: true } },
  },
};

export const EXAMPLES = [
  onePointPerUnit,
  shoesTwoPoints,
  onBoardPoints,
  morningBonus,
  socksPerItem,
  hatsPerUnit,
  bigBasketBonus,
  giftCardTender,
  doubleTuesdayGold,
  tripleSkuX1,
  staffTwentyPercent,
];
