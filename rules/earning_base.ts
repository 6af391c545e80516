/**
 * The earning base: the money of each line that points are earned on (basic points, item points
 * per currency unit, basket points per currency unit). It is the line's net, less — unless the
 * programme earns points on the part paid with points — its share of the points spent as tender,
 * apportioned over the lines in proportion to their nets (integer-exact, so the shares sum to the
 * points tender's value). The quote, the sale and any replay of a sale get it from here, through
 * `prepare` (rules/context.ts).
 */
import { apportion } from "./apportion.ts";
import type { Basket } from "./basket.ts";
import type { Settings } from "./settings.ts";

/**
 * The tender type of points spent, as the rules see it: its amount is their money value
 * (points × pointValue, in minor units).
 */
export const POINTS_TENDER_TYPE = "POINTS";

/** Minor units the basket pays with points (tenders below zero count as zero). */
export function pointsPaid(basket: Pick<Basket, "tenders">): number {
  let sum = 0;
  for (const t of basket.tenders) {
    if (t.type === POINTS_TENDER_TYPE && t.amount > 0) sum += t.amount;
  }
  return sum;
}

/**
 * Each line's earning base, from the line nets (never negative) in basket order. Points pay
 * at most the whole basket: beyond it the base is 0 on every line.
 */
export function earningBases(
  nets: readonly number[],
  basket: Pick<Basket, "tenders">,
  settings: Pick<Settings, "pointsEarnedOnPartPaidWithPoints">,
): number[] {
  if (settings.pointsEarnedOnPartPaidWithPoints) return [...nets];
  const total = nets.reduce((a, n) => a + n, 0);
  const paid = Math.min(pointsPaid(basket), total);
  if (paid === 0) return [...nets];
  const shares = apportion(paid, nets.map(BigInt));
  return nets.map((n, i) => n - shares[i]);
}
