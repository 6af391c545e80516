import { type Kysely, sql } from "kysely";

// Indexes for the reports (reports/): a group's sales by trading day, and its ledger
// transactions (whose day is their sale's, or their time's on a store's clock) by time.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index sales_group_day on sales (group_id, trading_day)`.execute(db);
  await sql`create index ledger_transactions_group_at on ledger_transactions (group_id, at)`
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index ledger_transactions_group_at`.execute(db);
  await sql`drop index sales_group_day`.execute(db);
}
