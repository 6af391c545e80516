import { type Kysely, sql } from "kysely";

// The replay's readings of a window answered from an index (issue 19, the till during a
// replay). Where each page starts (replay/sales_pages.ts `pageKeys`), how many sales it
// re-prices and the versions that priced them (replay/impact.ts `countSales`) each read the
// whole window: from the table, a visit of every sale's row (its pricing is most of the table),
// and a sort for the page keys, about 100 ms each for 100,000 sales on a core of the database
// server that the till's statements share. The replayable sales' index holds the page order
// (at, id) and what those readings ask (org, version), so they read the index alone; the sales
// that cannot be replayed (pricing null: recorded before migration 0011) have one of their own,
// which no sale written since enters. It replaces `sales_group_at` (kind = 'sale'), so a sale
// still writes one index entry for the replay.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index sales_replayable on sales (group_id, at, id) include (org_id, rules_version)
    where kind = 'sale' and pricing is not null`.execute(db);
  await sql`create index sales_unreplayable on sales (group_id, at) include (org_id)
    where kind = 'sale' and pricing is null`.execute(db);
  await sql`drop index sales_group_at`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index sales_group_at on sales (group_id, at) where kind = 'sale'`.execute(db);
  await sql`drop index sales_unreplayable`.execute(db);
  await sql`drop index sales_replayable`.execute(db);
}
