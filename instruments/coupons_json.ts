/** The API shapes of coupons: a coupon validated against a basket, a coupon used by a basket. */
import { z } from "@hono/zod-openapi";
import { isoTime, Timestamp } from "../http/openapi.ts";
import { hundredthsToNumber } from "../rules/points.ts";
import {
  type AppliedCoupon,
  benefitInput,
  type Coupon,
  COUPON_REASONS,
  CouponBenefitSchema,
  type CouponVerdict,
  usesLeft,
} from "./coupons.ts";
import { MinorUnits } from "../money/minor_units.ts";

const Points = z.number().openapi({ description: "Bonus points, at most two decimals" });

export const CouponCheckSchema = z.object({
  code: z.string().openapi({ description: "The coupon code, upper-cased" }),
  valid: z.boolean().openapi({
    description: "The coupon can be used now (on this basket, when one was sent)",
  }),
  reason: z.enum(COUPON_REASONS).optional().openapi({
    description: "Why not, when not valid: `used-up` (no use left), `expired` (its expiry date " +
      "has passed on the store's clock), `not-yet-active` (before its series' startsAt), " +
      "`not-for-this-basket` (no eligible line, another currency, nothing to discount), " +
      "`member-required` (bonus points, and the basket has no member), `inactive`, " +
      "`blocked`, `void`",
  }),
  currency: z.string().openapi({
    description: "ISO 4217 code of the coupon's series: of the benefit's and `discount`'s money",
  }),
  benefit: CouponBenefitSchema,
  // A union, not .nullable(): the document then says null is a value (a $ref would drop it).
  discount: z.union([MinorUnits, z.null()]).openapi({
    description: "What it takes off this basket, in its currency (0 when not valid); null " +
      "without a basket",
  }),
  points: Points.nullable().openapi({
    description: "Bonus points it gives on this basket (0 when not valid); null without a basket",
  }),
  usesLeft: z.number().int().nullable().openapi({
    description: "Uses left before it is used up; null: unlimited",
  }),
  expiresAt: Timestamp.nullable().openapi({
    description: "Good through this time's date on the store's clock; null: never expires",
  }),
  startsAt: Timestamp.nullable().openapi({
    description: "Not usable before this time (its series' startsAt); null: no start time",
  }),
}).openapi("CouponCheck");
export type CouponCheck = z.output<typeof CouponCheckSchema>;

/** A coupon as validated: its verdict (what it gives to a basket only when one was sent). */
export function couponCheckJson(coupon: Coupon, { reason, value }: CouponVerdict): CouponCheck {
  return {
    code: coupon.code,
    valid: reason === null,
    ...(reason === null ? {} : { reason }),
    currency: coupon.currency,
    benefit: benefitInput(coupon.benefit),
    discount: value && value.discount,
    points: value && hundredthsToNumber(value.points),
    usesLeft: usesLeft(coupon),
    expiresAt: coupon.expiresAt && isoTime(coupon.expiresAt),
    startsAt: coupon.startsAt && isoTime(coupon.startsAt),
  };
}

export const UsedCouponSchema = z.object({
  code: z.string(),
  discount: MinorUnits.openapi({
    description: "Off the basket, an order-level discount of kind offer",
  }),
  points: Points.openapi({ description: "Bonus points given to the member (reference COUPON)" }),
}).openapi("UsedCoupon");

/** The coupons a basket uses, in the order sent. */
export const usedCouponsJson = (applied: readonly AppliedCoupon[]) =>
  applied.map((a) => ({
    code: a.coupon.code,
    discount: a.discount,
    points: hundredthsToNumber(a.points),
  }));
