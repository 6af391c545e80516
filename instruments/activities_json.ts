/** The API shapes of a gift card's or store credit's activities at the POS. */
import { z } from "@hono/zod-openapi";
import { isoTime, Timestamp } from "../http/openapi.ts";
import { CurrencySchema } from "../money/currency.ts";
import { INSTRUMENT_STATUSES } from "./generation.ts";
import { INSTRUMENT_TYPES } from "./series.ts";
import type { InstrumentState, Moved, StaffMoved } from "./activities.ts";
import type { Move } from "./states.ts";
import { MinorUnits, money } from "../money/minor_units.ts";

/** Ten billion in major units of a two-digit currency: beyond any card, exact as a number. */
const MAX_AMOUNT = 1e12;

export const InstrumentNumberParam = z.object({
  number: z.string().regex(/^[\x21-\x7e]{1,64}$/, "1 to 64 visible ASCII characters").openapi({
    param: { name: "number", in: "path" },
    description: "The instrument's number (a gift card's, a store credit's)",
    example: "6012345678901234",
  }),
});

const amount = (description: string) =>
  money(
    z.int("must be a whole number of minor units").min(1, "must be more than 0")
      .max(MAX_AMOUNT, `at most ${MAX_AMOUNT}`),
    description,
  );

const common = {
  currency: CurrencySchema.optional().openapi({
    description: "The amount's currency (ISO 4217); when sent, it must be the series' " +
      "currency (422 on `currency` otherwise)",
  }),
  receiptNumber: z.string().regex(/^[\x21-\x7e]{1,64}$/, "1 to 64 visible ASCII characters")
    .optional().openapi({ description: "The POS receipt this activity belongs to (history)" }),
};

export const ActivateRequest = z.strictObject({
  amount: money(
    z.int("must be a whole number of minor units").min(0, "must be 0 or more")
      .max(MAX_AMOUNT, `at most ${MAX_AMOUNT}`),
    "Loaded on activation; the series' initial value when absent",
  ).optional(),
  ...common,
}).openapi("ActivateRequest");

export const LoadRequest = z.strictObject({
  amount: amount("Added to the balance"),
  ...common,
}).openapi("LoadRequest");

export const RedeemRequest = z.strictObject({
  amount: amount("Taken from the balance"),
  allowPartial: z.boolean().optional().openapi({
    description: "When the balance is less than `amount`, redeem the balance instead of " +
      "answering 409 `insufficient-funds`; the answer's `activity.amount` says how much",
  }),
  ...common,
}).openapi("RedeemRequest");

export const RefundRequest = z.strictObject({
  amount: amount("Given back onto the card"),
  ...common,
}).openapi("RefundRequest");

/** Money staff load onto a card in the console; a reason is kept on its history. */
export const StaffLoadRequest = z.strictObject({
  amount: amount("Added to the balance, in the series' currency"),
  currency: common.currency,
  reason: z.string({ error: "a reason is required" }).trim().min(1, "a reason is required")
    .max(500, "at most 500 characters").openapi({
      description: "Why the money is loaded (history and audit log)",
    }),
}).openapi("StaffLoadRequest");

export const VoidRequest = z.strictObject({
  receiptNumber: common.receiptNumber,
  reason: z.string().trim().min(1).max(500).optional().openapi({
    description: "Why the card is voided (history)",
  }),
}).openapi("VoidRequest");

export type ActivityRequest =
  & { amount?: number; allowPartial?: boolean; currency?: string; receiptNumber?: string }
  & { reason?: string };

export const InstrumentBalanceSchema = z.object({
  number: z.string(),
  type: z.enum(INSTRUMENT_TYPES),
  status: z.enum(INSTRUMENT_STATUSES).openapi({
    description: "Now, on the store's clock: `expired` once the expiry date has passed there",
  }),
  currency: z.string(),
  balance: MinorUnits.openapi({ description: "On the card, in `currency`" }),
  expiresAt: Timestamp.nullable().openapi({
    description: "The card is good through this date on the store's clock; null: no expiry",
  }),
}).openapi("InstrumentBalance");

export const ActivitySchema = InstrumentBalanceSchema.extend({
  activity: z.object({
    id: z.number().int().openapi({ description: "The activity's id in the card's history" }),
    type: z.enum(["activate", "load", "redeem", "refund", "void"]),
    amount: MinorUnits.openapi({
      description: "Loaded, redeemed or refunded; with `allowPartial`, what " +
        "was redeemed; for a void, the balance written off (breakage: the card is left at 0)",
    }),
    requested: MinorUnits.optional().openapi({
      description: "A redemption's amount as asked, when it differs from `amount` (partial)",
    }),
    at: Timestamp,
  }),
}).openapi("InstrumentActivity");
export type Activity = z.output<typeof ActivitySchema>;

export const instrumentBalanceJson = (s: InstrumentState) => ({
  number: s.number,
  type: s.type,
  status: s.status,
  currency: s.currency,
  balance: s.balance,
  expiresAt: s.expiresAt && isoTime(s.expiresAt),
});

/** What a staff move answers: the card after it, and what a void wrote off. */
export const StaffMovedSchema = InstrumentBalanceSchema.extend({
  writtenOff: MinorUnits.optional().openapi({
    description: "A void's write-off: what the card held, in `currency`, taken off it as " +
      "breakage (the programme no longer owes it); absent for the other moves",
  }),
}).openapi("InstrumentMoved");

export const staffMovedJson = (s: StaffMoved) => ({
  ...instrumentBalanceJson(s),
  ...(s.writtenOff ? { writtenOff: s.writtenOff } : {}),
});

export function activityJson(moved: Moved, requested?: number): Activity {
  return {
    ...instrumentBalanceJson(moved.state),
    activity: {
      id: moved.activity.id,
      type: moved.activity.kind as Exclude<Move, "block" | "unblock">,
      amount: moved.activity.amount,
      ...(requested !== undefined && requested !== moved.activity.amount ? { requested } : {}),
      at: isoTime(moved.activity.at),
    },
  };
}
