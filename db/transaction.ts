import type { Db } from "./connection.ts";

/**
 * Runs `work` in a transaction: the caller's, when `db` already is one, else a new one that
 * commits when `work` resolves and rolls back when it throws. Services write through this, so
 * a unit of work (a sale, say) can call customer, ledger and instrument services inside its
 * one transaction, and each still works alone. Kysely refuses nested transactions: joining is
 * the only way to compose.
 */
export function inTransaction<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
