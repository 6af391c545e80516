import { z } from "@hono/zod-openapi";
import { validationError } from "../errors/problem.ts";
import { IdParam, isoTime, Timestamp } from "../http/openapi.ts";
import { encodeCursor } from "../http/pagination.ts";
import { type InstrumentDetail, STAFF_MOVES, type StaffMove } from "./detail.ts";
import { INSTRUMENT_STATUSES } from "./generation.ts";
import type { ActivityLine } from "./history.ts";
import type { InstrumentHit } from "./search.ts";
import { INSTRUMENT_TYPES } from "./series.ts";
import { MOVES } from "./states.ts";
import { MinorUnits, money } from "../money/minor_units.ts";

const Minor = (description: string) =>
  MinorUnits.openapi({ description: `${description}; in \`currency\`` });
const Status = z.enum(INSTRUMENT_STATUSES).openapi({
  description: "the status now: expired once the expiry date (UTC) has passed",
});

export const InstrumentHitSchema = z.object({
  id: z.string(),
  number: z.string(),
  seriesId: z.string(),
  seriesName: z.string(),
  type: z.enum(INSTRUMENT_TYPES),
  status: Status,
  balance: Minor("on the card"),
  currency: z.string(),
  expiresAt: Timestamp.nullable(),
}).openapi("InstrumentHit");

export const instrumentHitJson = (h: InstrumentHit) => ({
  id: h.id,
  number: h.number,
  seriesId: h.seriesId,
  seriesName: h.seriesName,
  type: h.type,
  status: h.status,
  balance: h.balance,
  currency: h.currency,
  expiresAt: h.expiresAt && isoTime(h.expiresAt),
});

export const InstrumentDetailSchema = z.object({
  id: z.string(),
  merchantGroupId: z.string(),
  number: z.string(),
  type: z.enum(INSTRUMENT_TYPES),
  series: z.object({ id: z.string(), name: z.string() }),
  status: Status,
  balance: Minor("on the card, from its ledger account"),
  currency: z.string(),
  expiresAt: Timestamp.nullable(),
  activatedAt: Timestamp.nullable(),
  uses: z.number().int(),
  customerId: z.string().nullable(),
  createdAt: Timestamp,
}).openapi("InstrumentDetail");

export const instrumentDetailJson = (
  { instrument: i, series, status, balance }: InstrumentDetail,
) => ({
  id: i.id,
  merchantGroupId: i.group_id,
  number: i.number,
  type: series.type,
  series: { id: series.id, name: series.name },
  status,
  balance,
  currency: series.currency,
  expiresAt: i.expires_at && isoTime(i.expires_at),
  activatedAt: i.activated_at && isoTime(i.activated_at),
  uses: i.uses,
  customerId: i.customer_id,
  createdAt: isoTime(i.created_at),
});

export const InstrumentActivitySchema = z.object({
  id: z.string(),
  kind: z.enum(MOVES),
  statusBefore: z.enum(INSTRUMENT_STATUSES),
  statusAfter: z.enum(INSTRUMENT_STATUSES),
  amount: Minor("signed: what it added to the balance"),
  balanceAfter: Minor("the balance after it"),
  store: z.object({ number: z.number().int(), name: z.string() }).nullable(),
  posNumber: z.number().int().nullable(),
  receiptNumber: z.string().nullable(),
  actor: z.string().openapi({ description: "a POS or a staff member's email, as then" }),
  reason: z.string().nullable(),
  at: Timestamp,
}).openapi("InstrumentHistoryLine");

export const InstrumentHistorySchema = z.object({
  currency: z.string().openapi({ description: "ISO 4217 code of the instrument's amounts" }),
  items: z.array(InstrumentActivitySchema),
  nextCursor: z.string().nullable(),
}).openapi("InstrumentHistory");

/** A page of the history and the cursor of the older page. */
export const historyJson = (lines: ActivityLine[], next: number | null, currency: string) => ({
  currency,
  items: lines.map((l) => ({
    id: String(l.id),
    kind: l.kind,
    statusBefore: l.statusBefore,
    statusAfter: l.statusAfter,
    amount: l.amount,
    balanceAfter: l.balanceAfter,
    store: l.storeNumber === null ? null : { number: l.storeNumber, name: l.storeName ?? "" },
    posNumber: l.posNumber,
    receiptNumber: l.receiptNumber,
    actor: l.actor,
    reason: l.reason,
    at: isoTime(l.at),
  })),
  nextCursor: next === null ? null : encodeCursor([String(next)]),
});

export const MoveParam = IdParam.extend({
  move: z.enum(STAFF_MOVES).openapi({ param: { name: "move", in: "path" } }),
});

/** What staff send with a move: why, always; how much, on an activation only. */
export const MoveSchema = z.object({
  reason: z.string({ error: "a reason is required" }).trim()
    .min(1, "a reason is required").max(500, "at most 500 characters")
    .describe("why; kept on the instrument's history and in the audit log"),
  amount: money(
    z.int({ error: "must be a whole number" }).min(0, "must be 0 or more")
      .max(1_000_000_000, "at most 1000000000"),
    "activate only: loaded, in the series' currency; absent = the series' initial value",
  ).optional(),
}).strict().openapi("InstrumentMove");

export type MoveInput = z.output<typeof MoveSchema>;

/** The move's input, refusing an amount on a move that loads nothing (422 on `amount`). */
export function moveInput(move: StaffMove, body: MoveInput) {
  if (body.amount !== undefined && move !== "activate") {
    throw validationError([{ field: "amount", message: "only an activation loads an amount" }]);
  }
  return { move, ...body };
}
