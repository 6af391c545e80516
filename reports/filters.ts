/**
 * What a report is asked for: a period of trading days (both ends included), optionally one
 * store of the group and one customer type (category 1). Days are the stores' own dates: a sale
 * counts on its `trading_day`; a ledger movement without a sale on the date of its time on its
 * POS's store's clock, else on the group's clock (the zone of its first store).
 */
import { sql } from "kysely";
import { todayIn } from "../calendar/zones.ts";
import type { Db } from "../db/connection.ts";
import { type FieldError, validationError } from "../errors/problem.ts";
import type { MerchantGroup } from "../programme/groups.ts";

export const DEFAULT_DAYS = 30;
/** The longest period a report answers: a year and a day (a leap year's whole year). */
export const MAX_DAYS = 366;

export interface ReportFilters {
  /** First trading day, YYYY-MM-DD. */
  from: string;
  /** Last trading day, included. */
  to: string;
  /** Only this store's sales (an id of a store of the group). */
  storeId?: string;
  /** Only customers whose type (category 1) is this code. */
  category?: string;
}

/** The filters as typed (a query string or a form); absent or empty fields are defaults. */
export interface FilterInput {
  from?: string;
  to?: string;
  store?: string;
  category?: string;
}

/** A store of the group, as the filters offer it. */
export interface ReportStore {
  id: string;
  number: number;
  name: string;
  timezone: string;
}

/** What a report needs to know of its group: its stores and the clock of its own movements. */
export interface ReportScope {
  group: MerchantGroup;
  stores: ReportStore[];
  /** The group's clock: its first store's zone (UTC without a store). */
  timezone: string;
}

export async function reportScope(db: Db, group: MerchantGroup): Promise<ReportScope> {
  const stores = await db.selectFrom("merchant_stores as ms")
    .innerJoin("merchants as m", "m.id", "ms.merchant_id")
    .innerJoin("stores as s", "s.id", "ms.store_id")
    .select(["s.id", "s.number", "s.name", "s.timezone"])
    .where("m.group_id", "=", group.id).where("ms.org_id", "=", group.org_id)
    .orderBy("s.number").orderBy("s.name").execute();
  return { group, stores, timezone: stores[0]?.timezone ?? "UTC" };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CATEGORY = /^[\x21-\x7e]{1,20}$/;

const isDay = (s: string) =>
  DAY.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

/** `day` plus `n` days (n may be negative). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both included. */
export function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The last `DEFAULT_DAYS` trading days on the group's clock, today included. */
export function defaultPeriod(scope: ReportScope, now = new Date()) {
  const to = todayIn(scope.timezone, now);
  return { from: addDays(to, 1 - DEFAULT_DAYS), to };
}

/**
 * The filters of `input`, checked against the group: a 422 naming each field at fault (a date
 * that is no date, `to` before `from`, a period over MAX_DAYS, a store not of the group, a
 * category that is no code).
 */
export function parseFilters(
  scope: ReportScope,
  input: FilterInput,
  now = new Date(),
): ReportFilters {
  const errors: FieldError[] = [];
  const period = defaultPeriod(scope, now);
  const day = (field: "from" | "to") => {
    const value = input[field]?.trim();
    if (!value) return undefined;
    if (isDay(value)) return value;
    errors.push({ field, message: "a date such as 2026-01-31" });
  };
  const asked = { from: day("from"), to: day("to") };
  const to = asked.to ?? period.to;
  const from = asked.from ?? addDays(to, 1 - DEFAULT_DAYS);
  if (!errors.length && from > to) errors.push({ field: "to", message: "must not be before from" });
  else if (!errors.length && daysOf(from, to).length > MAX_DAYS) {
    errors.push({ field: "to", message: `at most ${MAX_DAYS} days after from` });
  }
  const storeId = input.store?.trim() || undefined;
  if (storeId && !scope.stores.some((s) => s.id === storeId)) {
    errors.push({ field: "store", message: "not a store of this merchant group" });
  }
  const category = input.category?.trim() || undefined;
  if (category && !CATEGORY.test(category)) {
    errors.push({ field: "category", message: "a customer type code of 1 to 20 characters" });
  }
  if (errors.length) throw validationError(errors);
  return { from, to, storeId, category };
}

/**
 * The group's ledger transactions with the trading day and store each counts on: a sale's or
 * return's own, else the day of its time on its POS's store's clock, else on the group's; and
 * the customer it moved points of (its sale's, else its customer account's). A subquery for
 * the report statements.
 */
export const transactionDays = (scope: ReportScope) =>
  sql`(select t.id, s.kind, coalesce(s.store_id, p.store_id) as store_id,
      coalesce(s.trading_day,
        (t.at at time zone coalesce(ps.timezone, ${scope.timezone}))::date) as day,
      coalesce(s.customer_id, (select ca.customer_id from ledger_entries ce
        join ledger_accounts ca on ca.id = ce.account_id
        where ce.transaction_id = t.id and ca.customer_id is not null limit 1)) as customer_id
    from ledger_transactions t
    left join sales s on s.id = t.sale_id
    left join pos p on p.id = t.pos_id
    left join stores ps on ps.id = p.store_id
    where t.group_id = ${scope.group.id}::uuid)`;

/** The condition on a customer id column for the category filter (true without one). */
export const inCategory = (column: string, f: ReportFilters) =>
  f.category
    ? sql`${sql.ref(column)} in (select id from customers where categories[1] = ${f.category})`
    : sql`true`;

/** The condition on a store id column for the store filter (true without one). */
export const atStore = (column: string, f: ReportFilters) =>
  f.storeId ? sql`${sql.ref(column)} = ${f.storeId}::uuid` : sql`true`;

/** The customer types (category 1 codes) the group's customers have, for the filter. */
export async function categoryCodes(db: Db, scope: ReportScope): Promise<string[]> {
  const rows = await sql<{ code: string }>`select distinct categories[1] as code from customers
    where group_id = ${scope.group.id}::uuid and categories[1] is not null order by 1`
    .execute(db);
  return rows.rows.map((r) => r.code);
}
