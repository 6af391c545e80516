import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { CLOCK_TOLERANCE_SECONDS, createSigningKey } from "./signing_keys.ts";
import { STAFF_TOKEN_TTL_SECONDS } from "./staff_tokens.ts";
import { inTransaction } from "../db/transaction.ts";
import { recordAudit } from "../audit/log.ts";

export interface Rotation {
  /** The key that signs from now on. */
  kid: string;
  /** The keys it replaced, and until when each still verifies. */
  retired: { kid: string; verifyUntil: Date }[];
}

/**
 * Adds a signing key and retires the current one. A retired key verifies until the last
 * unrevoked device token it signed expires, and at least as long as a staff token it signed
 * just now lives, both plus the clock tolerance (a token is accepted that long past its `exp`).
 * Past `verify_until` it is neither used nor published; its row stays, since access_tokens
 * names it.
 */
export async function rotateSigningKey(
  db: Db,
  secret?: string,
  now = new Date(),
): Promise<Rotation> {
  return await inTransaction(db, async (tx) => {
    // Waits for device token issuance in progress and holds new issuance until commit (it takes
    // the conflicting lock before choosing its key), so no token of the old key is missed below.
    await sql`lock table access_tokens in share mode`.execute(tx);
    const kid = await createSigningKey(tx, secret);
    const floor = new Date(
      now.getTime() + (STAFF_TOKEN_TTL_SECONDS + CLOCK_TOLERANCE_SECONDS) * 1000,
    );
    const retired = await tx.updateTable("signing_keys")
      .set({
        retired_at: now,
        verify_until: sql<Date>`greatest(${floor}::timestamptz, (
          select max(t.expires_at) + make_interval(secs => ${CLOCK_TOLERANCE_SECONDS})
          from access_tokens t where t.kid = signing_keys.kid and t.revoked_at is null))`,
      })
      .where("retired_at", "is", null).where("kid", "!=", kid)
      .returning(["kid", "verify_until"]).execute();
    await recordAudit(tx, {
      orgId: null,
      entity: "signing-key",
      entityId: kid,
      label: kid,
      action: "rotate",
      // Only the command rotates keys: whoever ran it on the server.
      actor: { id: null, email: "keys:rotate" },
      before: { signingKeys: retired.map((r) => r.kid) },
      after: { signingKeys: [kid] },
    });
    return { kid, retired: retired.map((r) => ({ kid: r.kid, verifyUntil: r.verify_until! })) };
  });
}

if (import.meta.main) {
  const { connect } = await import("../db/connection.ts");
  const { migrateToLatest } = await import("../db/migrate.ts");
  const { loadConfig, startRefusal } = await import("../config.ts");
  const config = loadConfig();
  const refusal = startRefusal(config);
  if (refusal) {
    console.error(`cannot rotate: ${refusal}`);
    Deno.exit(1);
  }
  const conn = await connect(config.databaseUrl, { dataDir: config.dataDir });
  try {
    await migrateToLatest(conn.db);
    const rotation = await rotateSigningKey(conn.db, config.tokenKeySecret);
    console.log(JSON.stringify({ msg: "signing key rotated", ...rotation }));
  } finally {
    await conn.close();
  }
}
