/**
 * The programme settings (seed 004) that take part in evaluation, and what they make of a
 * basket's customer. The programme's full `LoyaltySettings` (programme/settings_schema.ts)
 * has every one of these fields under the same names, so it can be passed as it is.
 */
import * as z from "zod";
import type { Basket } from "./basket.ts";
import { RoundingSchema } from "./points.ts";

const Code = z.string().min(1).max(64);

export const SettingsSchema = z.strictObject({
  /** Applied to each rule's points separately; a rule's own `rounding` wins. */
  roundingRule: RoundingSchema,
  /** Off: a transaction carrying any discount earns nothing. */
  calcPointsOnDiscountedItems: z.boolean(),
  /** Category-1 codes of plain customers (not members): they earn nothing. */
  nonLoyaltyCategoryCodes: z.array(Code),
  /** Category-1 codes of staff: only they get staff discounts. */
  staffLoyaltyCategoryCodes: z.array(Code),
  /** Store number where staff discounts apply; null or absent: every store. */
  staffLoyaltyDefaultLocation: z.int().nonnegative().nullable().optional(),
  /**
   * On: the part of a sale paid with points earns points like the rest. Off or absent: the
   * earning base is reduced by the points tender's value (rules/earning_base.ts).
   */
  pointsEarnedOnPartPaidWithPoints: z.boolean().optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;

/** What the settings make of the basket's customer. */
export interface CustomerStatus {
  /** Earns points and counts as a member transaction. */
  member: boolean;
  /** Customer type is a staff code (independent of `member`). */
  staff: boolean;
  /** No customer, not a member, or a non-loyalty customer type: the negation of `member`. */
  nonLoyalty: boolean;
}

/** Codes compare exactly as stored (the settings store them upper-cased). */
export function customerStatus(basket: Basket, settings: Settings): CustomerStatus {
  const type = basket.customer?.categories[0] ?? undefined;
  const member = type !== undefined && basket.customer?.member === true &&
    !settings.nonLoyaltyCategoryCodes.includes(type);
  return {
    member,
    staff: type !== undefined && settings.staffLoyaltyCategoryCodes.includes(type),
    nonLoyalty: !member,
  };
}

/** True where staff discounts apply: the staff default location, or anywhere when unset. */
export function atStaffLocation(basket: Basket, settings: Settings): boolean {
  const at = settings.staffLoyaltyDefaultLocation;
  return at === null || at === undefined || basket.storeNumber === at;
}
