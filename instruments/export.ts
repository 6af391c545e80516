/**
 * A series' instruments as CSV (RFC 4180: CRLF lines, fields quoted when they must be), made as
 * it is read: a keyset page of rows per pull of the stream, so a series of a million cards is
 * never in memory and a client that stops reading stops the queries. The pages are separate
 * statements: an instrument made during the export may or may not be in it.
 */
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { decimalAmount } from "../money/amount.ts";
import { FUNDS } from "./accounts.ts";
import type { Series } from "./series.ts";
import { currentStatus } from "./states.ts";

export const CSV_COLUMNS = [
  "number",
  "status",
  "balance",
  "currency",
  "expires_at",
  "uses",
  "created_at",
] as const;

/** Rows per statement: large enough to keep round trips few, small enough to hold little. */
export const EXPORT_PAGE = 1_000;

/** One field, quoted (quotes doubled) when it holds a comma, a quote or a line break. */
export const csvField = (value: string) =>
  /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

export const csvLine = (fields: readonly string[]) => fields.map(csvField).join(",") + "\r\n";

/** A file name for the series' export: its name in safe characters. */
export const csvFileName = (series: Series) =>
  `${series.name.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "") || "series"}-instruments.csv`;

/**
 * The CSV of the series' instruments in id order (the series index): number, status now (expiry
 * applied, UTC), balance as a decimal of the currency, currency, expiry, uses, creation.
 */
export function seriesCsv(
  db: Db,
  series: Series,
  opts: { pageSize?: number; now?: Date } = {},
): ReadableStream<Uint8Array> {
  const pageSize = opts.pageSize ?? EXPORT_PAGE;
  const encoder = new TextEncoder();
  let after: string | undefined;
  let header = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (header) {
        header = false;
        controller.enqueue(encoder.encode(csvLine(CSV_COLUMNS)));
        return;
      }
      let query = db.selectFrom("instruments as i")
        .leftJoin(
          "ledger_accounts as a",
          (join) =>
            join.onRef("a.instrument_id", "=", "i.id").on("a.code", "=", FUNDS)
              .on("a.unit", "=", series.currency),
        )
        .select([
          "i.id",
          "i.number",
          "i.status",
          "i.expires_at",
          "i.uses",
          "i.created_at",
          sql<number>`coalesce(a.balance, 0)`.as("balance"),
        ])
        .where("i.series_id", "=", series.id).orderBy("i.id").limit(pageSize);
      if (after) query = query.where("i.id", ">", after);
      const rows = await query.execute();
      const now = opts.now ?? new Date();
      if (rows.length) {
        after = rows[rows.length - 1].id;
        controller.enqueue(encoder.encode(
          rows.map((r) =>
            csvLine([
              r.number,
              currentStatus(r, "UTC", now),
              decimalAmount(r.balance, series.currency),
              series.currency,
              r.expires_at ? new Date(r.expires_at).toISOString() : "",
              String(r.uses),
              new Date(r.created_at).toISOString(),
            ])
          ).join(""),
        ));
      }
      if (rows.length < pageSize) controller.close();
    },
  }, { highWaterMark: 0 });
}
