/**
 * An instrument's history as staff read it: every activity (activation, loads, redemptions,
 * refunds, blocks, voids) with the store, POS and receipt where it happened, the amount and the
 * balance after it, who made it and why.
 */
import type { Db } from "../db/connection.ts";
import type { InstrumentActivityKind, InstrumentStatus } from "../db/schema.ts";
import { validationError } from "../errors/problem.ts";

export interface ActivityLine {
  id: number;
  kind: InstrumentActivityKind;
  statusBefore: InstrumentStatus;
  statusAfter: InstrumentStatus;
  /** Signed minor units: what it added to the balance. */
  amount: number;
  balanceAfter: number;
  storeNumber: number | null;
  storeName: string | null;
  posNumber: number | null;
  receiptNumber: string | null;
  /** A POS or a staff member, as they were called then. */
  actor: string;
  reason: string | null;
  at: Date;
}

/** The cursor of a history page: the id of its last activity, as digits. */
export function historyBefore(cursor: string[] | undefined): number | undefined {
  if (!cursor) return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(cursor[0])) {
    throw validationError([{ field: "cursor", message: "not a cursor from this API" }]);
  }
  return Number(cursor[0]);
}

/**
 * A page of the instrument's activities, newest first (in the order they were written, which
 * the identity keeps even when two share a time); `next` is the id the older page starts before.
 */
export async function instrumentHistory(
  db: Db,
  instrumentId: string,
  page: { limit: number; before?: number },
): Promise<{ lines: ActivityLine[]; next: number | null }> {
  let query = db.selectFrom("instrument_activities as ia")
    .leftJoin("stores as st", "st.id", "ia.store_id")
    .leftJoin("pos as p", "p.id", "ia.pos_id")
    .select([
      "ia.id",
      "ia.kind",
      "ia.status_before",
      "ia.status_after",
      "ia.amount",
      "ia.balance_after",
      "st.number as store_number",
      "st.name as store_name",
      "p.number as pos_number",
      "ia.receipt_number",
      "ia.actor_label",
      "ia.reason",
      "ia.at",
    ])
    .where("ia.instrument_id", "=", instrumentId)
    .orderBy("ia.id", "desc").limit(page.limit + 1);
  if (page.before !== undefined) query = query.where("ia.id", "<", page.before);
  const rows = await query.execute();
  const lines = rows.slice(0, page.limit).map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    statusBefore: r.status_before,
    statusAfter: r.status_after,
    amount: r.amount,
    balanceAfter: r.balance_after,
    storeNumber: r.store_number,
    storeName: r.store_name,
    posNumber: r.pos_number,
    receiptNumber: r.receipt_number,
    actor: r.actor_label,
    reason: r.reason,
    at: r.at,
  }));
  return { lines, next: rows.length > page.limit ? lines[lines.length - 1].id : null };
}
