/**
 * Points arithmetic on integers. Points are integer HUNDREDTHS of a point; money is integer
 * minor units. Everything is exact (BigInt), so no float ever reaches a ledger.
 *
 * Rounding (seed 004) is applied to the points of each rule separately, never to the sum:
 * - `none`    keeps two decimals. The exact value can have more (e.g. 0.005 points for one
 *             cent at 0.5 points/EUR), so it is rounded half up to the hundredth.
 * - `up`      ceil to a whole point.
 * - `down`    floor to a whole point.
 * - `nearest` half up to a whole point, from the exact value (not from the `none` result).
 */
// zod only for `RoundingSchema`, marked pure: an island that imports the arithmetic alone
// bundles no zod (zod declares itself side-effect free). tests/rules/bundle_test.ts checks it.
import * as z from "zod";

export const ROUNDING_MODES = ["none", "up", "down", "nearest"] as const;
export type Rounding = typeof ROUNDING_MODES[number];
export const RoundingSchema = /* @__PURE__ */ z.enum(ROUNDING_MODES);

/** Rounds the non-negative fraction num/den to integer hundredths with the given mode. */
export function roundHundredths(num: bigint, den: bigint, mode: Rounding): number {
  if (num < 0n || den <= 0n) throw new RangeError("points fraction must be non-negative");
  let result: bigint;
  switch (mode) {
    case "none": // half up to the hundredth
      result = (2n * num + den) / (2n * den);
      break;
    case "up":
      result = ((num + 100n * den - 1n) / (100n * den)) * 100n;
      break;
    case "down":
      result = (num / (100n * den)) * 100n;
      break;
    case "nearest": // half up to the whole point
      result = ((2n * num + 100n * den) / (200n * den)) * 100n;
      break;
  }
  const n = Number(result);
  if (!Number.isSafeInteger(n)) throw new RangeError("points out of range");
  return n;
}

/**
 * Points (hundredths) for `spendMinor` minor units at `pointsPerUnitHundredths` hundredths of a
 * point per currency unit, where a unit has `digits` minor digits (EUR 2, JPY 0).
 * Exact value in hundredths = spendMinor × pointsPerUnitHundredths / 10^digits.
 */
export function basicPoints(
  spendMinor: number,
  digits: number,
  pointsPerUnitHundredths: number,
  rounding: Rounding,
): number {
  if (!Number.isSafeInteger(spendMinor) || spendMinor < 0) {
    throw new RangeError("spendMinor must be a non-negative integer");
  }
  if (!Number.isInteger(digits) || digits < 0 || digits > 6) {
    throw new RangeError("digits must be an integer 0..6");
  }
  if (!Number.isSafeInteger(pointsPerUnitHundredths) || pointsPerUnitHundredths < 0) {
    throw new RangeError("pointsPerUnitHundredths must be a non-negative integer");
  }
  return roundHundredths(
    BigInt(spendMinor) * BigInt(pointsPerUnitHundredths),
    10n ** BigInt(digits),
    rounding,
  );
}

/** True when `x` has at most two decimals (so x × 100 is an exact integer after rounding). */
export function hasAtMostTwoDecimals(x: number): boolean {
  return Number.isFinite(x) && Math.round(x * 100) / 100 === x;
}

/** A rule's points-per-unit (≤ 2 decimals, validated) as integer hundredths. */
export function toHundredths(x: number): number {
  if (!hasAtMostTwoDecimals(x)) throw new RangeError(`${x} has more than two decimals`);
  return Math.round(x * 100);
}

/** Largest value `hundredthsToNumber` converts: beyond it a double no longer keeps 0.01 steps. */
export const MAX_JSON_HUNDREDTHS = 1e15;

/**
 * Integer hundredths as a JSON number with at most two decimals (1734 → 17.34). Dividing an
 * exact integer by 100 gives the double nearest to the two-decimal value, which prints as it.
 */
export function hundredthsToNumber(hundredths: number): number {
  if (!Number.isSafeInteger(hundredths) || Math.abs(hundredths) > MAX_JSON_HUNDREDTHS) {
    throw new RangeError(`${hundredths} is not a convertible number of hundredths`);
  }
  return hundredths / 100;
}
