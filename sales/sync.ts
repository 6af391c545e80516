/**
 * Offline sync: a POS that was offline posts its sales and returns in one batch. Each is
 * applied in order, in its own transaction, exactly as its single call would be (same
 * Idempotency-Key semantics), and answers what that call would have answered; one refused
 * transaction does not stop the others. Posting the same batch again writes nothing new and
 * answers the same results, since each key replays its stored answer.
 */
import type { Db } from "../db/connection.ts";
import { isDatabaseUnavailable } from "../db/errors.ts";
import type { Json } from "../db/schema.ts";
import { storeAnswer, storedAnswer, type StoredResponse } from "../db/idempotency.ts";
import { ProblemError, validationError, zodFieldErrors } from "../errors/problem.ts";
import { recordReturn } from "./return.ts";
import { ReturnRequestSchema } from "./return_json.ts";
import { recordSale, type SaleContext } from "./sale.ts";
import { SaleRequestSchema } from "./sale_json.ts";

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
function problemOf(err: unknown): StoredResponse {
  if (err instanceof ProblemError) return { status: err.status, body: err.toProblem() as Json };
  console.error(JSON.stringify({ msg: "sync transaction failed", error: String(err) }));
  const internal = new ProblemError(500, "internal", "Internal server error");
  return { status: 500, body: internal.toProblem() as Json };
}

/**
 * Applies one transaction of a batch as its single call would. A refusal is kept too (under
 * the batch's own scope, so a single call may still retry the key): the outcome of an offline
 * transaction is final, and the same batch posted again answers it again instead of trying it
 * against a ledger that the rest of the batch has since changed.
 */
async function applyOne(
  db: Db,
  ctx: Omit<SaleContext, "idempotency">,
  scope: string,
  item: SyncItem,
): Promise<{ status: number; body: unknown }> {
  const idempotency = { scope, key: item.idempotencyKey };
  const refusal = {
    orgId: ctx.programme.group.org_id,
    scope: `${scope}/sync-refusals`,
    key: item.idempotencyKey,
    fingerprint: { kind: item.kind, body: item.body },
  };
  try {
    const refused = await storedAnswer(db, refusal);
    if (refused) return refused;
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
    // Not an outcome of the transaction: the batch answers 503 and the POS posts it again
    // (what was applied replays).
    if (isDatabaseUnavailable(err)) throw err;
    const answer = problemOf(err);
    if (answer.status < 500) await storeAnswer(db, refusal, answer);
    return answer;
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
