/**
 * Offline sync: a POS that was offline posts its sales and returns in one batch. Each is
 * applied in order, in its own transaction, exactly as its single call would be (same
 * Idempotency-Key semantics), and answers what that call would have answered; one refused
 * transaction does not stop the others. Posting the same batch again writes nothing new and
 * answers the same results, since each key replays its stored answer.
 */
import { z } from "zod";
import type { Db } from "../db/connection.ts";
import { ProblemError, validationError, zodFieldErrors } from "../errors/problem.ts";
import { recordReturn } from "./return.ts";
import { ReturnRequestSchema } from "./return_json.ts";
import { recordSale, type SaleContext } from "./sale.ts";
import { SaleRequestSchema } from "./sale_json.ts";

/** The same keys the single calls accept in their Idempotency-Key header. */
export const IdempotencyKeySchema = z.string().regex(
  /^[\x21-\x7e]{1,200}$/,
  "1 to 200 visible ASCII characters",
);

export const MAX_SYNC_TRANSACTIONS = 500;

export interface SyncItem {
  kind: "sale" | "return";
  idempotencyKey: string;
  body: unknown;
}

export interface SyncResult {
  idempotencyKey: string;
  status: number;
  /** The single call's answer: the sale or return, or its problem+json. */
  body: unknown;
}

/** What a refused or failed call would have answered, as problem+json data. */
function problemOf(err: unknown): { status: number; body: unknown } {
  if (err instanceof ProblemError) return { status: err.status, body: err.toProblem() };
  console.error(JSON.stringify({ msg: "sync transaction failed", error: String(err) }));
  const internal = new ProblemError(500, "internal", "Internal server error");
  return { status: 500, body: internal.toProblem() };
}

/** Applies one transaction of a batch as its single call would. */
async function applyOne(
  db: Db,
  ctx: Omit<SaleContext, "idempotency">,
  scope: string,
  item: SyncItem,
): Promise<{ status: number; body: unknown }> {
  const idempotency = { scope, key: item.idempotencyKey };
  try {
    if (item.kind === "sale") {
      const parsed = SaleRequestSchema.safeParse(item.body);
      if (!parsed.success) throw validationError(zodFieldErrors(parsed.error));
      const answer = await recordSale(db, { ...ctx, idempotency }, parsed.data);
      return { status: answer.status, body: JSON.parse(answer.text) };
    }
    const parsed = ReturnRequestSchema.safeParse(item.body);
    if (!parsed.success) throw validationError(zodFieldErrors(parsed.error));
    const answer = await recordReturn(db, { ...ctx, idempotency }, parsed.data);
    return { status: answer.status, body: JSON.parse(answer.text) };
  } catch (err) {
    return problemOf(err);
  }
}

/** Applies a batch in order; one result per transaction, in the same order. */
export async function syncBatch(
  db: Db,
  ctx: Omit<SaleContext, "idempotency">,
  scope: string,
  items: readonly SyncItem[],
): Promise<SyncResult[]> {
  const results: SyncResult[] = [];
  for (const item of items) {
    results.push({ idempotencyKey: item.idempotencyKey, ...await applyOne(db, ctx, scope, item) });
  }
  return results;
}
