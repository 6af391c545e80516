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
 * Runs `run` once per key. The key is claimed first (its row inserted), and the first call's
 * answer is stored in the same transaction as what `run` wrote, so a crash leaves neither; a
 * retry with the same fingerprint gets that answer back and writes nothing, a different
 * fingerprint is refused. A concurrent retry of one key waits on the claimed row until the
 * first commits (then reads its answer) or rolls back (then claims the key itself). A failure
 * (a thrown problem) is not stored: the key stays free and a corrected retry may use it. Two
 * statements besides `run` on a first call: claim, answer.
 */
export async function idempotent(
  db: Db,
  request: IdempotentRequest,
  run: (tx: Db) => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const hash = sha256(canonical(request.fingerprint));
  const where = { org_id: request.orgId, scope: request.scope, key: request.key };
  return await inTransaction(db, async (tx) => {
    const claimed = await tx.insertInto("idempotency_keys")
      .values({ ...where, request_hash: hash, status: 0, body: "null" })
      .onConflict((oc) => oc.constraint("idempotency_keys_pk").doNothing())
      .returning("key").executeTakeFirst();
    if (!claimed) {
      // Taken, and committed: the unique index made this wait for the first to finish.
      const prior = await tx.selectFrom("idempotency_keys")
        .select(["request_hash", "status", "body"])
        .where("org_id", "=", where.org_id).where("scope", "=", where.scope)
        .where("key", "=", where.key).executeTakeFirstOrThrow();
      if (prior.request_hash !== hash) throw keyReused();
      return { status: prior.status, body: prior.body, replayed: true };
    }
    const response = await run(tx);
    await tx.updateTable("idempotency_keys")
      .set({ status: response.status, body: JSON.stringify(response.body) })
      .where("org_id", "=", where.org_id).where("scope", "=", where.scope)
      .where("key", "=", where.key).execute();
    return { ...response, replayed: false };
  });
}

/**
 * A request's stored answer, when there is one with the same fingerprint (else null; another
 * fingerprint under the key is a 422 `idempotency-key-reused`).
 */
export async function storedAnswer(
  db: Db,
  request: IdempotentRequest,
): Promise<StoredResponse | null> {
  const prior = await db.selectFrom("idempotency_keys")
    .select(["request_hash", "status", "body"])
    .where("org_id", "=", request.orgId).where("scope", "=", request.scope)
    .where("key", "=", request.key).executeTakeFirst();
  if (!prior) return null;
  if (prior.request_hash !== sha256(canonical(request.fingerprint))) throw keyReused();
  return { status: prior.status, body: prior.body };
}

/** Keeps `response` as the answer to `request`, unless one is kept already. */
export async function storeAnswer(
  db: Db,
  request: IdempotentRequest,
  response: StoredResponse,
): Promise<void> {
  await db.insertInto("idempotency_keys").values({
    org_id: request.orgId,
    scope: request.scope,
    key: request.key,
    request_hash: sha256(canonical(request.fingerprint)),
    status: response.status,
    body: JSON.stringify(response.body),
  }).onConflict((oc) => oc.constraint("idempotency_keys_pk").doNothing()).execute();
}
