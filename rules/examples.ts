/**
 * Documented example rule documents (as marketing staff would write them). Tests assert that
 * each one validates; money values in conditions are minor units.
 */

/** 1 point per EUR (per currency unit) on the whole basket, for every member. */
export const onePointPerUnit = {
  name: "1 point per EUR",
  priority: 10,
  conditions: { all: [{ fact: "member", operator: "equal", value: true }] },
  event: { type: "basic-points", params: { pointsPerUnit: 1 } },
};

/** Double points on Tuesday (store time) for customer type GOLD: a second 1×, rounded up. */
export const doubleTuesdayGold = {
  name: "Double points on Tuesday for GOLD",
  priority: 20,
  conditions: {
    all: [
      { fact: "dayOfWeek", operator: "equal", value: 2 },
      { fact: "customerCategory", params: { index: 1 }, operator: "equal", value: "GOLD" },
    ],
  },
  event: { type: "basic-points", params: { pointsPerUnit: 1 } },
  rounding: "up",
};

/** 2 points per unit spent on shoes, undiscounted lines only, when shoes spend ≥ 50.00. */
export const shoesTwoPoints = {
  name: "2 points per unit on category SHOES",
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

/** Half a point per unit on card payments, at the tills of stores 1-3, weekday mornings. */
export const morningCardBonus = {
  name: "Morning card bonus",
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
          { fact: "staff", operator: "equal", value: true },
        ],
      },
    ],
  },
  event: { type: "basic-points", params: { pointsPerUnit: 0.5 } },
  rounding: "none",
};

export const EXAMPLES = [onePointPerUnit, doubleTuesdayGold, shoesTwoPoints, morningCardBonus];
