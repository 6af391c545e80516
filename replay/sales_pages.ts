/**
 * The sales a replay reads: the group's sales of a window that recorded their pricing, in
 * (at, id) order, a page at a time. Read by the server's thread (the embedded database is
 * there) or, on a Postgres server, by each replay worker over a connection of its own
 * (replay/worker.ts): the server's thread then reads only where each page starts.
 */
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import type { SaleRow } from "./replayer.ts";

export type Group = Pick<MerchantGroup, "id" | "org_id">;

export interface Window {
  from: Date;
  to: Date;
}

/**
 * Where a page starts: its first sale's time as the database's text (a Date would drop its
 * microseconds) and its id.
 */
export interface PageKey {
  at: string;
  id: string;
}

/**
 * Runs a reading of a whole window (a count, the page keys, a sum) on one core of the database
 * server: Postgres gives a large scan or join a parallel plan, two more processes that take the
 * cores the till's statements share (the awards' sum of 100,000 sales: three processes for
 * 85 ms each).
 */
export function onOneCore<T>(db: Db, read: (db: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`set local max_parallel_workers_per_gather = 0`.execute(tx);
    return read(tx);
  });
}

/** The sales of the group in the window, as a query to count or page. */
export function windowSales(db: Db, group: Group, window: Window) {
  return db.selectFrom("sales")
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
    .where("kind", "=", "sale")
    .where("at", ">=", window.from).where("at", "<", window.to);
}

/** The sales of the window that recorded their pricing (index `sales_replayable`). */
export const replayableSales = (db: Db, group: Group, window: Window) =>
  windowSales(db, group, window).where("pricing", "is not", null);

/** The replayable sales from `from` (all of them: null) on, in (at, id) order. */
function replayable(db: Db, group: Group, window: Window, from: PageKey | null) {
  let q = replayableSales(db, group, window);
  if (from) {
    const at = sql<Date>`${from.at}::timestamptz`;
    // `at >=` first: the index range starts at the key, so a page reads only its rows.
    q = q.where("at", ">=", at).where((eb) => eb.or([eb("at", ">", at), eb("id", ">=", from.id)]));
  }
  return q.orderBy("at").orderBy("id");
}

/** A page of `size` sales from `from` on, as re-pricing needs them. */
function page(db: Db, group: Group, window: Window, from: PageKey | null, size: number) {
  return replayable(db, group, window, from)
    .select(["id", "store_id", "customer_id", "rules_version", "points"])
    // As text: parsed where it is re-priced (a replay worker), not in the server's thread.
    .select(sql<string>`pricing::text`.as("pricing"))
    .select(sql<string>`at::text`.as("key"))
    .limit(size);
}

const saleRow = ({ key: _, ...row }: SaleRow & { key: string }): SaleRow => row;

/** The window's replayable sales, a page at a time. */
export async function* recordedSales(
  db: Db,
  group: Group,
  window: Window,
  size: number,
): AsyncGenerator<SaleRow[]> {
  let from: PageKey | null = null;
  for (;;) {
    // One more than a page: the next page's first sale, so pages follow without overlap.
    const rows = await page(db, group, window, from, size + 1).execute();
    if (!rows.length) return;
    yield rows.slice(0, size).map(saleRow);
    if (rows.length <= size) return;
    from = { at: rows[size].key, id: rows[size].id };
  }
}

/**
 * Where each page of `size` sales starts, in order: the pages `readPage` reads from them are
 * the pages `recordedSales` yields.
 */
export async function pageKeys(db: Db, group: Group, window: Window, size: number) {
  const numbered = replayableSales(db, group, window)
    .select([
      sql<string>`at::text`.as("at"),
      "id",
      sql<string>`row_number() over (order by at, id)`.as("n"),
    ]);
  const rows = await db.selectFrom(numbered.as("s")).select(["s.at", "s.id"])
    .where(sql<boolean>`(s.n - 1) % ${size} = 0`).orderBy("s.n").execute();
  return rows.map((r): PageKey => ({ at: r.at, id: r.id }));
}

/** The page of `size` sales that starts at `from`. */
export async function readPage(
  db: Db,
  group: Group,
  window: Window,
  from: PageKey,
  size: number,
): Promise<SaleRow[]> {
  return (await page(db, group, window, from, size).execute()).map(saleRow);
}
