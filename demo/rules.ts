/**
 * The demo programme's earning rules: ten rules of every kind, as a marketing team would
 * write them for the demo's stores (1, 2 Paris; 3, 4 Lyon), item categories and customer
 * types (MEMBER, GOLD; CASH plain customers, STAFF).
 */
const MEMBER = { all: [{ fact: "member", operator: "equal", value: true }] };

export const DEMO_RULES = [
  {
    id: "basic",
    name: "1 point per EUR",
    enabled: true,
    priority: 10,
    conditions: MEMBER,
    event: { type: "basic-points", params: { pointsPerUnit: 1 } },
  },
  {
    id: "double-tuesday-gold",
    name: "Double points on Tuesdays for GOLD",
    enabled: true,
    priority: 50,
    conditions: {
      all: [
        { fact: "dayOfWeek", operator: "equal", value: 2 },
        { fact: "customerCategory", params: { index: 1 }, operator: "equal", value: "GOLD" },
      ],
    },
    event: { type: "multiplier", params: { factor: 2 } },
  },
  {
    id: "coats",
    name: "2 points per EUR on full-price coats",
    enabled: true,
    priority: 30,
    conditions: {
      all: [{
        fact: "eligibleQuantity",
        params: { categories: ["COATS"] },
        operator: "greaterThan",
        value: 0,
      }],
    },
    event: {
      type: "item-points",
      params: { selector: { categories: ["COATS"] }, pointsPerUnit: 2 },
    },
  },
  {
    id: "socks",
    name: "5 points per pair of socks",
    enabled: true,
    priority: 25,
    conditions: MEMBER,
    event: { type: "item-points", params: { selector: { categories: ["SOCKS"] }, perItem: 5 } },
    rounding: "none",
  },
  {
    id: "big-basket",
    name: "50 points from 150.00",
    enabled: true,
    priority: 40,
    conditions: MEMBER,
    event: { type: "basket-points", params: { points: 50, minTotal: 15000 } },
  },
  {
    id: "gift-card",
    name: "1 point per EUR paid by gift card",
    enabled: true,
    priority: 20,
    conditions: {
      all: [{
        fact: "tenderAmount",
        params: { types: ["GIFT"] },
        operator: "greaterThan",
        value: 0,
      }],
    },
    event: { type: "tender-points", params: { tenderTypes: ["GIFT"], pointsPerUnit: 1 } },
  },
  {
    id: "station-shops",
    name: "Station shops: half a point per EUR, on the key line total",
    enabled: true,
    priority: 15,
    conditions: { all: [{ fact: "storeNumber", operator: "in", value: [2, 4] }] },
    event: { type: "basic-points", params: { pointsPerUnit: 0.5 } },
    reference: "ONBO",
  },
  {
    id: "weekend-hats",
    name: "3 points per EUR on hats at weekends",
    enabled: true,
    priority: 25,
    conditions: { all: [{ fact: "dayOfWeek", operator: "in", value: [6, 7] }] },
    event: {
      type: "item-points",
      params: { selector: { categories: ["HATS"] }, pointsPerUnit: 3 },
    },
    rounding: "down",
  },
  {
    id: "early-bird",
    name: "10 points before 10:00 on weekdays",
    enabled: true,
    priority: 5,
    conditions: {
      all: [
        { fact: "timeOfDay", operator: "lessThan", value: "10:00" },
        { not: { fact: "dayOfWeek", operator: "in", value: [6, 7] } },
      ],
    },
    event: { type: "basket-points", params: { points: 10 } },
  },
  {
    id: "staff-discount",
    name: "Staff 20% off full-price lines",
    enabled: true,
    priority: 60,
    conditions: { all: [{ fact: "channel", operator: "equal", value: "pos" }] },
    event: {
      type: "staff-discount",
      params: { percent: 20, selector: { excludeDiscounted: true } },
    },
  },
];
