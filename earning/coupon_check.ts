/**
 * A coupon validated at the POS: whether it can be used now and, given a basket (the quote's
 * shape, without coupons), what it would give to it. The basket is assembled as the quote
 * assembles it; the judgement is instruments/coupons.ts `couponVerdict`. Nothing is written.
 */
import { z } from "zod";
import type { Db } from "../db/connection.ts";
import { notFound } from "../errors/problem.ts";
import {
  type Coupon,
  type CouponVerdict,
  couponVerdict,
  findCoupons,
} from "../instruments/coupons.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import type { LoyaltySettings } from "../programme/settings_schema.ts";
import { customerStatus } from "../rules/settings.ts";
import {
  basketCustomer,
  basketOf,
  categorisedLines,
  findCustomer,
  QuoteRequestSchema,
  refOf,
  type Till,
} from "./quote.ts";

const BASKET = "basket.";

export const CouponCheckRequestSchema = z.strictObject({
  basket: QuoteRequestSchema.omit({ coupons: true }).optional().describe(
    "The basket as for POST /quote, lines at their price before any coupon; without it only " +
      "the coupon's state is judged",
  ),
});
export type CouponCheckRequest = z.output<typeof CouponCheckRequestSchema>;

/**
 * The group's coupon `code` and its verdict at the basket's time (else now) on the store's
 * clock. An unknown code, or another group's, is a 404; so is the basket's unknown customer.
 * At most three statements, in parallel: the coupon, the customer, SKUs' categories.
 */
export async function checkCoupon(
  db: Db,
  programme: { group: MerchantGroup; settings: LoyaltySettings },
  till: Till,
  code: string,
  request: CouponCheckRequest,
): Promise<{ coupon: Coupon; verdict: CouponVerdict }> {
  const { group, settings } = programme;
  const sent = request.basket;
  const ref = sent?.customer && refOf(sent.customer);
  const [[coupon], customer, lines] = await Promise.all([
    findCoupons(db, group.id, [code]),
    ref ? findCustomer(db, group, ref) : null,
    sent ? categorisedLines(db, group, sent.lines, BASKET) : [],
  ]);
  if (!coupon) throw notFound("coupon");
  if (ref && !customer) throw notFound("customer");
  if (!sent) {
    return { coupon, verdict: couponVerdict(coupon, { at: new Date(), timeZone: till.timezone }) };
  }
  const basket = basketOf(sent, {
    till,
    lines,
    customer: customer && ref ? basketCustomer(customer, ref) : undefined,
  }, BASKET);
  const verdict = couponVerdict(
    coupon,
    { at: new Date(basket.at), timeZone: basket.timezone },
    { basket, member: customerStatus(basket, settings).member },
  );
  return { coupon, verdict };
}
