/**
 * Coupons: what a coupon series gives (its benefit), what one coupon gives to a basket or why
 * not, the coupon's use inside a sale's transaction, and that use given back by a full return
 * when the series says so.
 *
 * A coupon gives money off the basket (an amount, or a percent of the eligible lines' net
 * value) or bonus points. Its money is an order-level discount of kind `offer` on the basket
 * the rules see, so points are earned on what is paid. Each coupon of a basket is worked out on
 * the basket as the POS sent it (lines at their price before any coupon, with the POS's own
 * discounts), in the order sent, and together they never take more than the basket's value: a
 * later coupon gives at most what the earlier ones left.
 *
 * A coupon is usable while active (generated so), from its series' `startsAt`, until its expiry
 * date has passed on the store's clock, and until its uses reach the series' `maxUses`.
 */
import { z } from "@hono/zod-openapi";
import type { Db } from "../db/connection.ts";
import type { InstrumentStatus, Json } from "../db/schema.ts";
import { ProblemError, validationError } from "../errors/problem.ts";
import type { Basket } from "../rules/basket.ts";
import { pricedLines } from "../rules/context.ts";
import { hasAtMostTwoDecimals, hundredthsToNumber, toHundredths } from "../rules/points.ts";
import { lineMatches, LineSelector } from "../rules/selector.ts";
import { currentStatus } from "./states.ts";
import { money } from "../money/minor_units.ts";

/** The most coupons one basket may carry. */
export const MAX_COUPONS = 10;

/** The ledger reference of a coupon's bonus points. */
export const COUPON_REFERENCE = "COUPON";

/** A coupon code as a POS sends it, in any case: trimmed and upper-cased (codes are 2–9, A–Z). */
export const CouponCode = z.string().trim()
  .regex(/^[0-9A-Za-z]{1,32}$/, "a coupon code: 1 to 32 letters and digits").toUpperCase();

/** A number's error: "required" when it is absent, else what it must be. */
const requiredNumber = (kind: string) => ({
  error: (issue: { input?: unknown }) => issue.input === undefined ? "required" : `must be ${kind}`,
});

/** What a coupon gives, as the API takes and shows it. */
export const CouponBenefitSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("amountOff"),
    amount: money(
      z.int(requiredNumber("a whole number")).min(1, "must be 1 or more")
        .max(1_000_000_000, "at most 1000000000"),
      "Off the basket, in the series' currency, at most the basket's value",
    ),
  }),
  z.strictObject({
    kind: z.literal("percentOff"),
    percent: z.number(requiredNumber("a number")).gt(0, "must be more than 0")
      .max(100, "at most 100").refine(hasAtMostTwoDecimals, "at most two decimals")
      .describe("Percent of the eligible lines' net value, rounded down to the minor unit"),
    selector: LineSelector.optional()
      .describe("The eligible lines (by SKU or category); every line when absent"),
  }),
  z.strictObject({
    kind: z.literal("bonusPoints"),
    points: z.number(requiredNumber("a number")).gt(0, "must be more than 0")
      .max(10_000_000, "at most 10000000").refine(hasAtMostTwoDecimals, "at most two decimals")
      .describe("Points given to the member, at most two decimals"),
  }),
], { error: "one of amountOff, percentOff, bonusPoints" }).openapi("CouponBenefit", {
  description: '`{kind: "amountOff", amount}`, `{kind: "percentOff", percent, selector?}` or ' +
    '`{kind: "bonusPoints", points}`',
});
export type CouponBenefitInput = z.output<typeof CouponBenefitSchema>;

/** A benefit as stored (series.coupon_benefit): bonus points in hundredths. */
export type CouponBenefit =
  | { kind: "amountOff"; amount: number }
  | { kind: "percentOff"; percent: number; selector?: LineSelector }
  | { kind: "bonusPoints"; points: number };

export const storedBenefit = (b: CouponBenefitInput): CouponBenefit =>
  b.kind === "bonusPoints" ? { kind: "bonusPoints", points: toHundredths(b.points) } : b;

export const benefitInput = (b: CouponBenefit): CouponBenefitInput =>
  b.kind === "bonusPoints" ? { kind: "bonusPoints", points: hundredthsToNumber(b.points) } : b;

/** A series' stored benefit (written by createSeries, so trusted); null for other types. */
export const benefitOf = (json: Json): CouponBenefit | null =>
  json as unknown as CouponBenefit | null;

/** Why a coupon gives nothing. */
export const COUPON_REASONS = [
  "used-up",
  "expired",
  "not-yet-active",
  "not-for-this-basket",
  "member-required",
  "inactive",
  "blocked",
  "void",
] as const;
export type CouponReason = typeof COUPON_REASONS[number];

const WHY: Record<CouponReason, string> = {
  "used-up": "The coupon is used up",
  expired: "The coupon has expired",
  "not-yet-active": "The coupon is not valid yet",
  "not-for-this-basket": "The coupon gives nothing to this basket",
  "member-required": "Bonus points need a member",
  inactive: "The coupon is not active",
  blocked: "The coupon is blocked",
  void: "The coupon is void",
};

/** A coupon of a programme with what its series says. */
export interface Coupon {
  id: string;
  code: string;
  status: InstrumentStatus;
  expiresAt: Date | null;
  uses: number;
  /** Null: unlimited. */
  maxUses: number | null;
  startsAt: Date | null;
  currency: string;
  benefit: CouponBenefit;
}

/**
 * The coupons of the group with these codes, in the order asked (undefined where no coupon of
 * the group has the code: another group's is as unknown as a made-up one). One statement.
 */
export async function findCoupons(
  db: Db,
  groupId: string,
  codes: readonly string[],
): Promise<(Coupon | undefined)[]> {
  if (!codes.length) return [];
  const rows = await db.selectFrom("instruments as i")
    .innerJoin("series as s", "s.id", "i.series_id")
    .select([
      "i.id",
      "i.number",
      "i.status",
      "i.expires_at",
      "i.uses",
      "s.max_uses",
      "s.starts_at",
      "s.currency",
      "s.coupon_benefit",
    ])
    .where("i.group_id", "=", groupId).where("i.number", "in", [...codes])
    .where("s.type", "=", "coupon").execute();
  const byCode = new Map(rows.map((r) => [r.number, r]));
  return codes.map((code) => {
    const r = byCode.get(code);
    return r && {
      id: r.id,
      code: r.number,
      status: r.status,
      expiresAt: r.expires_at,
      uses: r.uses,
      maxUses: r.max_uses,
      startsAt: r.starts_at,
      currency: r.currency,
      benefit: benefitOf(r.coupon_benefit)!,
    };
  });
}

/** Uses left: null when unlimited. */
export const usesLeft = (c: Pick<Coupon, "uses" | "maxUses">) =>
  c.maxUses === null ? null : Math.max(0, c.maxUses - c.uses);

/**
 * Why the coupon cannot be used at `at` (expiry on the store's clock), from its state alone;
 * null when it can.
 */
export function stateReason(
  c: Pick<Coupon, "status" | "expiresAt" | "uses" | "maxUses" | "startsAt">,
  at: Date,
  timeZone: string,
): CouponReason | null {
  const status = currentStatus({ status: c.status, expires_at: c.expiresAt }, timeZone, at);
  if (status !== "active") return status;
  if (c.startsAt && at < c.startsAt) return "not-yet-active";
  if (usesLeft(c) === 0) return "used-up";
  return null;
}

/** What a coupon gives: minor units off the basket, bonus points (hundredths). */
export interface CouponValue {
  discount: number;
  points: number;
}

/** The basket's value after the POS's discounts: what coupons may take off at most. */
export const basketValue = (basket: Basket) =>
  pricedLines(basket).reduce((sum, l) => sum + l.net, 0);

/**
 * What `benefit` (of a series in `currency`) gives to `basket`, with `room` minor units left to
 * discount; null when it gives nothing: an amount in another currency, no eligible line, or
 * nothing left to take off.
 */
export function couponValue(
  benefit: CouponBenefit,
  currency: string,
  basket: Basket,
  room = basketValue(basket),
): CouponValue | null {
  switch (benefit.kind) {
    case "bonusPoints":
      return { discount: 0, points: benefit.points };
    case "amountOff": {
      if (basket.currency !== currency) return null;
      const discount = Math.min(benefit.amount, room);
      return discount > 0 ? { discount, points: 0 } : null;
    }
    case "percentOff": {
      const eligible = pricedLines(basket)
        .filter((l) => !benefit.selector || lineMatches(l, benefit.selector))
        .reduce((sum, l) => sum + l.net, 0);
      // Hundredths of a percent: exact, and rounded down once.
      const off = BigInt(eligible) * BigInt(toHundredths(benefit.percent)) / 10_000n;
      const discount = Math.min(Number(off), room);
      return discount > 0 ? { discount, points: 0 } : null;
    }
  }
}

/** A coupon applied to a basket: its place in the request and what it gives. */
export interface AppliedCoupon extends CouponValue {
  index: number;
  coupon: Coupon;
}

/** 409 `coupon-<reason>` on `coupons.N`: the sale (or quote) cannot use the coupon. */
export const couponRefused = (reason: CouponReason, index: number, code: string) =>
  new ProblemError(409, `coupon-${reason}`, WHY[reason], {
    detail: `coupon ${code}: ${WHY[reason].toLowerCase()}`,
    reason,
    errors: [{ field: `coupons.${index}`, message: WHY[reason].toLowerCase() }],
  });

/** 404 on `coupons.N`: no coupon of the programme has the code. */
export const unknownCoupon = (index: number) =>
  new ProblemError(404, "not-found", "No such coupon", {
    errors: [{ field: `coupons.${index}`, message: "no coupon of this programme has this code" }],
  });

const memberRequired = (index: number) =>
  validationError([{
    field: `coupons.${index}`,
    message: "a bonus-points coupon needs a member of the programme: identify the member",
  }]);

/**
 * The coupons of a basket, in the order sent (see the module comment): what each gives, or
 * the refusal of the first that cannot be used — 409 `coupon-<reason>`, or 422 for bonus
 * points without a member.
 */
export function applyCoupons(
  coupons: readonly Coupon[],
  basket: Basket,
  member: boolean,
): AppliedCoupon[] {
  const at = new Date(basket.at);
  let room = basketValue(basket);
  return coupons.map((coupon, index) => {
    const reason = stateReason(coupon, at, basket.timezone);
    if (reason) throw couponRefused(reason, index, coupon.code);
    const value = couponValue(coupon.benefit, coupon.currency, basket, room);
    if (!value) throw couponRefused("not-for-this-basket", index, coupon.code);
    if (value.points > 0 && !member) throw memberRequired(index);
    room -= value.discount;
    return { index, coupon, ...value };
  });
}

/** The basket with the coupons' money as order-level discounts of kind `offer`. */
export function withCouponDiscounts(basket: Basket, applied: readonly AppliedCoupon[]): Basket {
  const offers = applied.filter((a) => a.discount > 0)
    .map((a) => ({ kind: "offer" as const, amount: a.discount }));
  return offers.length ? { ...basket, discounts: [...basket.discounts, ...offers] } : basket;
}

/**
 * A coupon judged alone: why it cannot be used (null: it can) and, when judged against a
 * basket, what it gives to it (nothing when it cannot be used).
 */
export interface CouponVerdict {
  reason: CouponReason | null;
  value: CouponValue | null;
}

/**
 * Whether `coupon` can be used at `at` on the clock of `timeZone` and, given a basket as the POS
 * sent it (`member`: whether its customer earns points), what it gives to it. Nothing is locked
 * or written.
 */
export function couponVerdict(
  coupon: Coupon,
  when: { at: Date; timeZone: string },
  sold?: { basket: Basket; member: boolean },
): CouponVerdict {
  const refused = (reason: CouponReason) => ({
    reason,
    value: sold ? { discount: 0, points: 0 } : null,
  });
  const reason = stateReason(coupon, when.at, when.timeZone);
  if (reason) return refused(reason);
  if (!sold) return { reason: null, value: null };
  const value = couponValue(coupon.benefit, coupon.currency, sold.basket);
  if (!value) return refused("not-for-this-basket");
  if (value.points > 0 && !sold.member) return refused("member-required");
  return { reason: null, value };
}

/**
 * Uses the sale's coupons, in its transaction: locks their rows (in id order, so two sales
 * never deadlock), checks each again as it is now (a concurrent sale may have taken the last
 * use, or staff blocked it), takes one use of each and records the redemptions. The first
 * refusal is a 409 `coupon-<reason>` on `coupons.N`; the caller's transaction then writes
 * nothing. Three statements.
 */
export async function redeemCoupons(
  tx: Db,
  applied: readonly AppliedCoupon[],
  sale: { id: string; orgId: string; at: string; timeZone: string },
): Promise<void> {
  if (!applied.length) return;
  const ids = applied.map((a) => a.coupon.id);
  const rows = await tx.selectFrom("instruments").select(["id", "status", "expires_at", "uses"])
    .where("id", "in", ids).orderBy("id").forUpdate().execute();
  const now = new Map(rows.map((r) => [r.id, r]));
  const at = new Date(sale.at);
  for (const a of applied) {
    const row = now.get(a.coupon.id)!;
    const reason = stateReason(
      { ...a.coupon, status: row.status, expiresAt: row.expires_at, uses: row.uses },
      at,
      sale.timeZone,
    );
    if (reason) throw couponRefused(reason, a.index, a.coupon.code);
  }
  await tx.updateTable("instruments").set((eb) => ({ uses: eb("uses", "+", 1) }))
    .where("id", "in", ids).execute();
  await tx.insertInto("coupon_redemptions").values(applied.map((a) => ({
    instrument_id: a.coupon.id,
    sale_id: sale.id,
    org_id: sale.orgId,
    discount: a.discount,
    points: a.points,
    at: sale.at,
  }))).execute();
}

/** A coupon use a full return gave back, for the return's answer. */
export interface RestoredCoupon {
  code: string;
  /** Null: unlimited. */
  usesLeft: number | null;
}

/**
 * Gives back the uses a sale took of its coupons whose series says a full return does
 * (`full_return_restores_uses`), in the return's transaction: for the return that completes the
 * full return of `saleId`. A coupon expired at the return's time (store's clock) keeps its use
 * spent. Each redemption is given back once (`restored_by`), its coupon's row locked in id
 * order as a sale locks it.
 */
export async function restoreCouponUses(
  tx: Db,
  saleId: string,
  ret: { id: string; at: string; timeZone: string },
): Promise<RestoredCoupon[]> {
  const rows = await tx.selectFrom("coupon_redemptions as r")
    .innerJoin("instruments as i", "i.id", "r.instrument_id")
    .innerJoin("series as s", "s.id", "i.series_id")
    .select(["i.id", "i.number", "i.status", "i.expires_at", "i.uses", "s.max_uses"])
    .where("r.sale_id", "=", saleId).where("r.restored_by", "is", null)
    .where("s.full_return_restores_uses", "=", true)
    .orderBy("i.id").forUpdate("i").execute();
  const at = new Date(ret.at);
  const back = rows.filter((r) =>
    r.uses > 0 &&
    currentStatus({ status: r.status, expires_at: r.expires_at }, ret.timeZone, at) !==
      "expired"
  );
  if (!back.length) return [];
  const ids = back.map((r) => r.id);
  await tx.updateTable("instruments").set((eb) => ({ uses: eb("uses", "-", 1) }))
    .where("id", "in", ids).execute();
  await tx.updateTable("coupon_redemptions").set({ restored_by: ret.id })
    .where("sale_id", "=", saleId).where("instrument_id", "in", ids).execute();
  return back.map((r) => ({
    code: r.number,
    usesLeft: usesLeft({ uses: r.uses - 1, maxUses: r.max_uses }),
  }));
}
