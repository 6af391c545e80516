/**
 * A programme's members as CSV, made as it is read: a keyset page of customers (by customer
 * number, the `customers_group_number` index) per pull of the stream, their figures read for the
 * page in three set-based statements (`figuresOf`, the profile's own), the page written by
 * csv-stringify. A client that stops reading stops the queries; an export of a million members
 * holds one page. The pages are separate statements, not one snapshot (a transaction held for
 * as long as a client reads would hold PGlite's only connection): a member created or changed
 * during the export may or may not be in it as of then.
 */
import { sql } from "kysely";
import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import type { Db } from "../db/connection.ts";
import { validationError } from "../errors/problem.ts";
import { recordAudit } from "../audit/log.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import type { LoyaltySettings } from "../programme/settings_schema.ts";
import { hundredthsToNumber } from "../rules/points.ts";
import type { StaffUser } from "../staff/users.ts";
import { figuresOf } from "./profile.ts";
import type { CustomerFigures } from "./statistics.ts";

/** Customers per page: few round trips, little held. */
export const EXPORT_PAGE = 1_000;

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD")
  .refine((d) => {
    const at = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(at) && new Date(at).toISOString().startsWith(d);
  }, "not a date");

/**
 * What to export, as query parameters (every one optional, unless the settings require the
 * location). Dates are whole days in UTC, both ends included.
 */
export const MemberExportFilterSchema = z.object({
  homeStoreNumber: z.coerce.number({ error: "must be a number" }).int("must be a whole number")
    .min(1, "must be 1 or more").max(99_999_999, "at most 99999999").optional()
    .describe("the members whose home store (location) is this store of the programme"),
  categoryNumber: z.coerce.number({ error: "must be a number" }).int("must be a whole number")
    .min(1, "1 to 5").max(5, "1 to 5").optional()
    .describe("which category categoryCode is (1, the customer type, when absent)"),
  categoryCode: z.string().trim().toUpperCase().min(1, "must not be empty")
    .max(20, "at most 20 characters").optional()
    .describe("the members whose category categoryNumber has this code"),
  createdFrom: Day.optional().describe("created on or after this day (UTC)"),
  createdTo: Day.optional().describe("created on or before this day (UTC)"),
  lastVisitFrom: Day.optional().describe("last visit on or after this day (UTC)"),
  lastVisitTo: Day.optional().describe("last visit on or before this day (UTC)"),
}).superRefine((f, ctx) => {
  for (const [from, to] of [["createdFrom", "createdTo"], ["lastVisitFrom", "lastVisitTo"]]) {
    const a = f[from as keyof typeof f], b = f[to as keyof typeof f];
    if (a !== undefined && b !== undefined && String(a) > String(b)) {
      ctx.addIssue({ code: "custom", path: [to], message: `must not be before ${from}` });
    }
  }
  if (f.categoryNumber !== undefined && f.categoryCode === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["categoryCode"],
      message: "required with categoryNumber",
    });
  }
});

export type MemberExportFilter = z.output<typeof MemberExportFilterSchema>;

/**
 * The header: customer number, card numbers, name, email, phone, the five category codes (each
 * headed with its name in the settings), home store, points balance, key line total, visits,
 * sales, spend, first and last visit, created.
 */
export function exportHeader(settings: LoyaltySettings): string[] {
  const categories = settings.categoryNames.map((name, i) => {
    const plain = `Category ${i + 1}`;
    return name && name !== plain ? `${plain}: ${name}` : plain;
  });
  return [
    "Customer number",
    "Card numbers",
    "Name",
    "Email",
    "Phone",
    ...categories,
    "Home store",
    "Points balance",
    "Key line total",
    "Visits",
    "Sales",
    "Spend (minor units)",
    "First visit",
    "Last visit",
    "Created",
  ];
}

const iso = (d: Date | null) => d ? new Date(d).toISOString() : "";
const points = (hundredths: number) => hundredthsToNumber(hundredths).toFixed(2);

/** The first instant of the UTC day after `day`: the exclusive end of a range ending on it. */
const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000);

/** The store ids a home store number names in the programme; none is a 422. */
async function homeStoreIds(db: Db, group: MerchantGroup, number: number): Promise<string[]> {
  const rows = await db.selectFrom("stores as s")
    .innerJoin("merchant_stores as ms", "ms.store_id", "s.id")
    .innerJoin("merchants as m", "m.id", "ms.merchant_id")
    .select("s.id").distinct()
    .where("m.group_id", "=", group.id).where("s.org_id", "=", group.org_id)
    .where("s.number", "=", number).execute();
  if (!rows.length) {
    throw validationError([{ field: "homeStoreNumber", message: "not a store of this programme" }]);
  }
  return rows.map((r) => r.id);
}

interface PageQuery {
  group: MerchantGroup;
  filter: MemberExportFilter;
  storeIds: string[] | undefined;
  after: string | undefined;
  limit: number;
}

/** One page of the programme's customers matching the filter, in customer number order. */
function customersPage(db: Db, q: PageQuery) {
  const { filter: f } = q;
  let query = db.selectFrom("customers as c")
    .leftJoin("stores as st", "st.id", "c.home_store_id")
    .select([
      "c.id",
      "c.number",
      "c.name",
      "c.email",
      "c.phone",
      "c.categories",
      "c.created_at",
      "st.number as home_store_number",
      sql<string | null>`(select string_agg(i.number, ' ' order by i.created_at, i.number)
        from instruments i join series s on s.id = i.series_id
        where i.customer_id = c.id and i.org_id = c.org_id and s.type = 'loyalty-card')`
        .as("cards"),
    ])
    .where("c.group_id", "=", q.group.id).where("c.org_id", "=", q.group.org_id);
  if (q.after !== undefined) query = query.where("c.number", ">", q.after);
  if (q.storeIds) query = query.where("c.home_store_id", "in", q.storeIds);
  if (f.categoryCode !== undefined) {
    query = query.where(
      sql<boolean>`c.categories[${f.categoryNumber ?? 1}::int] = ${f.categoryCode}`,
    );
  }
  if (f.createdFrom) query = query.where("c.created_at", ">=", new Date(f.createdFrom));
  if (f.createdTo) query = query.where("c.created_at", "<", dayAfter(f.createdTo));
  if (f.lastVisitFrom || f.lastVisitTo) {
    query = query.where((eb) =>
      eb.exists(
        eb.selectFrom("customer_statistics as cs").select("cs.customer_id")
          .whereRef("cs.customer_id", "=", "c.id")
          .$if(!!f.lastVisitFrom, (s) => s.where("cs.last_visit", ">=", new Date(f.lastVisitFrom!)))
          .$if(!!f.lastVisitTo, (s) => s.where("cs.last_visit", "<", dayAfter(f.lastVisitTo!))),
      )
    );
  }
  return query.orderBy("c.number").limit(q.limit).execute();
}

type PageRow = Awaited<ReturnType<typeof customersPage>>[number];

/** One customer's CSV record, in the header's order. */
function record(row: PageRow, figures: CustomerFigures): string[] {
  const s = figures.statistics;
  return [
    row.number,
    row.cards ?? "",
    row.name,
    row.email ?? "",
    row.phone ?? "",
    ...[0, 1, 2, 3, 4].map((i) => row.categories[i] ?? ""),
    row.home_store_number === null ? "" : String(row.home_store_number),
    points(figures.points),
    figures.keyLineTotal === null ? "" : points(figures.keyLineTotal),
    String(s.visits),
    String(s.salesCount),
    String(s.spend),
    iso(s.firstVisit),
    iso(s.lastVisit),
    iso(row.created_at),
  ];
}

/** RFC 4180 lines (CRLF); quoting is csv-stringify's. */
const CSV = { record_delimiter: "windows" } as const;

/** The answer's headers: a CSV download named after the group, never cached. */
export function exportHeaders(group: MerchantGroup): Record<string, string> {
  const name = group.name.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "") || "programme";
  return {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="${name}-members.csv"`,
    "Cache-Control": "no-store",
  };
}

/**
 * The export of the group's members matching `filter`, checked first (a 422 before any byte:
 * the location when the settings require it, a home store not of the programme), then streamed:
 * a byte-order mark (spreadsheets then read UTF-8 accents right) and the header, then a page per
 * pull. One audit entry per export (entity merchant-group, action export-members: who, the
 * filter, the rows written, whether it completed), written when the stream ends — after the last
 * page, or when the client stops reading (cancel: `completed` false, `rows` those written so
 * far), or after a failed read.
 */
export async function exportMembers(
  db: Db,
  group: MerchantGroup,
  settings: LoyaltySettings,
  filter: MemberExportFilter,
  actor: Pick<StaffUser, "id" | "email">,
  opts: { pageSize?: number } = {},
): Promise<ReadableStream<Uint8Array>> {
  if (settings.exportCustomersRequiresLocation && filter.homeStoreNumber === undefined) {
    throw validationError([{
      field: "homeStoreNumber",
      message: "required: the programme's settings require a location for an export",
    }]);
  }
  const storeIds = filter.homeStoreNumber === undefined
    ? undefined
    : await homeStoreIds(db, group, filter.homeStoreNumber);
  const limit = opts.pageSize ?? EXPORT_PAGE;
  const encoder = new TextEncoder();
  let after: string | undefined;
  let rows = 0;
  let header = true;
  let audited = false;
  const audit = async (completed: boolean) => {
    if (audited) return;
    audited = true;
    await recordAudit(db, {
      orgId: group.org_id,
      entity: "merchant-group",
      entityId: group.id,
      action: "export-members",
      actor,
      before: null,
      // Only the filters given: JSON has no undefined.
      after: { filter: JSON.parse(JSON.stringify(filter)), rows, completed },
    });
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (header) {
        header = false;
        controller.enqueue(
          encoder.encode(stringify([exportHeader(settings)], { ...CSV, bom: true })),
        );
        return;
      }
      try {
        const page = await customersPage(db, { group, filter, storeIds, after, limit });
        if (page.length) {
          after = page[page.length - 1].number;
          const figures = await figuresOf(db, page.map((r) => r.id), settings);
          controller.enqueue(encoder.encode(
            stringify(page.map((r) => record(r, figures.get(r.id)!)), CSV),
          ));
          rows += page.length;
        }
        if (page.length < limit) {
          await audit(true);
          controller.close();
        }
      } catch (err) {
        // The export is audited as far as it went; if that write fails too, the read's error
        // is the one to report.
        await audit(false).catch(() => undefined);
        throw err;
      }
    },
    async cancel() {
      await audit(false);
    },
  }, { highWaterMark: 0 });
}
