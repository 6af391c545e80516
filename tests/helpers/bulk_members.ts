import { sql } from "kysely";
import type { Db } from "../../db/connection.ts";
import { CUSTOMER_POINTS, POINTS } from "../../ledger/accounts.ts";
import type { World } from "./world.ts";

/**
 * `count` members of the world's group written set-based (generate_series), with what every
 * export column reads: a loyalty card each, statistics, a points account with its balance and
 * one ONBO entry (the key line). Numbers M0000001…; every member's home store is the world's.
 * Written behind the services for speed: the ledger's programme side is left out (these tests
 * read balances, they do not check the ledger).
 */
export async function insertBulkMembers(db: Db, w: World, count: number): Promise<void> {
  const org = w.org.id, group = w.group.id;
  await sql`insert into customers (org_id, group_id, number, name, email, phone, home_store_id,
      categories, created_at)
    select ${org}::uuid, ${group}::uuid, 'M' || lpad(g::text, 7, '0'),
      'Member ' || g || ', "bulk"', 'm' || g || '@example.com', '+3361' || lpad(g::text, 7, '0'),
      ${w.store.id}::uuid, array['GOLD', 'R' || (g % 10)],
      timestamptz '2025-01-01' + g * interval '1 minute'
    from generate_series(1, ${count}::int) g`.execute(db);
  const series = await db.insertInto("series").values({
    org_id: org,
    group_id: group,
    name: "Bulk cards",
    type: "loyalty-card",
    prefix: "9",
    currency: "EUR",
  }).returning("id").executeTakeFirstOrThrow();
  await sql`insert into instruments (org_id, group_id, series_id, number, status, customer_id)
    select org_id, group_id, ${series.id}::uuid, '9' || number, 'active', id
    from customers where group_id = ${group}::uuid`.execute(db);
  await sql`insert into customer_statistics (customer_id, org_id, visits, sales_count, spend,
      first_visit, last_visit)
    select id, org_id, 3, 4, 12345, created_at + interval '1 day', created_at + interval '9 days'
    from customers where group_id = ${group}::uuid`.execute(db);
  await sql`insert into ledger_accounts (org_id, group_id, customer_id, code, unit, balance)
    select org_id, group_id, id, ${CUSTOMER_POINTS}, ${POINTS}, 4675
    from customers where group_id = ${group}::uuid`.execute(db);
  const tx = await db.insertInto("ledger_transactions").values({
    org_id: org,
    group_id: group,
    reference: "ONBO",
    actor_label: "bulk",
    at: new Date(),
  }).returning("id").executeTakeFirstOrThrow();
  await sql`insert into ledger_entries (org_id, transaction_id, account_id, unit, amount,
      balance_after, reference)
    select org_id, ${tx.id}::uuid, id, unit, 425, 4675, 'ONBO'
    from ledger_accounts where group_id = ${group}::uuid and customer_id is not null`
    .execute(db);
  // What autovacuum does after a bulk load on a server (PGlite has none): without statistics
  // the planner reads the rows after the cursor whole instead of walking the index to the limit.
  await sql`analyze`.execute(db);
}

export interface ExportRun {
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  /** RSS when the export started, and its highest sample while it was read, in bytes. */
  rssBefore: number;
  rssPeak: number;
  /**
   * The live JS heap (heapUsed just after a forced collection) before and at its highest while
   * the stream was read: what the export holds, without the garbage RSS also counts. Null when
   * the process runs without `--v8-flags=--expose-gc`.
   */
  liveHeapBefore: number | null;
  liveHeapPeak: number | null;
}

/** Collects garbage when the process exposes it, then reads the heap in use. */
function liveHeap(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  gc();
  return Deno.memoryUsage().heapUsed;
}

/**
 * Reads a CSV body to its end, counting lines, sampling the process's RSS after every chunk
 * (a page) and the live heap every tenth, so the peaks are what holding a page at a time costs.
 */
export async function consumeExport(body: ReadableStream<Uint8Array>): Promise<ExportRun> {
  const liveHeapBefore = liveHeap();
  let liveHeapPeak = liveHeapBefore;
  const rssBefore = Deno.memoryUsage().rss;
  let rssPeak = rssBefore, lines = 0, bytes = 0, chunks = 0;
  const started = performance.now();
  for await (const chunk of body) {
    bytes += chunk.length;
    for (const byte of chunk) if (byte === 0x0a) lines++;
    rssPeak = Math.max(rssPeak, Deno.memoryUsage().rss);
    if (liveHeapPeak !== null && ++chunks % 10 === 0) {
      liveHeapPeak = Math.max(liveHeapPeak, liveHeap()!);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  // Rows, not lines: every bulk name is one line, and the header is one more.
  const rows = lines - 1;
  return {
    rows,
    bytes,
    seconds,
    rowsPerSecond: rows / seconds,
    rssBefore,
    rssPeak,
    liveHeapBefore,
    liveHeapPeak,
  };
}

export const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
