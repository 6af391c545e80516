import { sql } from "kysely";
import type { Db } from "./connection.ts";
import type { Json } from "./schema.ts";
import { sha256 } from "../crypto/random.ts";
import { ProblemError } from "../errors/problem.ts";
import { inTransaction } from "./transaction.ts";

/** The first answer to a request, replayed to its retries. */
export interface StoredResponse {
  status: number;
  body: Json;
}

export interface IdempotentRequest {
  orgId: string;
  /** Whose keys these are, e.g. `pos:<id>`: two terminals may pick the same key. */
  scope: string;
  key: string;
  /** What makes two requests the same: the operation and its validated body (JSON data). */
  fingerprint: unknown;
}

/** JSON with object keys sorted, so equal bodies hash alike whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export const keyReused = () =>
  new ProblemError(
    422,
    "idempotency-key-reused",
    "The Idempotency-Key was used for another request",
    {
      detail: "send a new key for a different request",
      errors: [{ field: "Idempotency-Key", message: "already used with a different body" }],
    },
  );

/**
 * Runs `run` once per key. The first call's answer is stored in the same transaction as what
 * `run` wrote, so a crash leaves neither; a retry with the same fingerprint gets that answer
 * back and writes nothing, a different fingerprint is refused. Concurrent retries of one key
 * queue on a transaction-scoped advisory lock, so the second sees the first's answer. A
 * failure (a thrown problem) is not stored: the key stays free and a corrected retry may use it.
 */
export async function idempotent(
  db: Db,
  request: IdempotentRequest,
  run: (tx: Db) => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const hash = await sha256(canonical(request.fingerprint));
  return await inTransaction(db, async (tx) => {
    const lockName = `${request.orgId}|${request.scope}|${request.key}`;
    await sql`select pg_advisory_xact_lock(hashtext(${lockName}))`.execute(tx);
    const prior = await tx.selectFrom("idempotency_keys").select(["request_hash", "status", "body"])
      .where("org_id", "=", request.orgId).where("scope", "=", request.scope)
      .where("key", "=", request.key).executeTakeFirst();
    if (prior) {
      if (prior.request_hash !== hash) throw keyReused();
      return { status: prior.status, body: prior.body, replayed: true };
    }
    const response = await run(tx);
    await tx.insertInto("idempotency_keys").values({
      org_id: request.orgId,
      scope: request.scope,
      key: request.key,
      request_hash: hash,
      status: response.status,
      body: JSON.stringify(response.body),
    }).execute();
    return { ...response, replayed: false };
  });
}
