import { sql } from "kysely";
import { z } from "zod";
import type { Db } from "../db/connection.ts";
import { inTransaction } from "../db/transaction.ts";
import { validationError } from "../errors/problem.ts";
import { recordAudit } from "../audit/log.ts";
import { customerPoints, POINTS_ADJUSTED, programmePoints } from "../ledger/accounts.ts";
import { keyLineTotals, pointsBalances } from "../ledger/balances.ts";
import { balanceAfter, post } from "../ledger/post.ts";
import { pointsStatement, type StatementLine } from "../ledger/statement.ts";
import { hasAtMostTwoDecimals, toHundredths } from "../rules/points.ts";
import type { LoyaltySettings } from "../programme/settings_schema.ts";
import type { StaffUser } from "../staff/users.ts";
import type { Customer } from "./customers.ts";
import { type CustomerFigures, statisticsOf } from "./statistics.ts";

export type { CustomerFigures, StatementLine };

/** The reference the key line total matches, or null when the setting hides the total. */
export const keyLineReference = (settings: LoyaltySettings) =>
  settings.showKeyLineTotal ? settings.keyLineTotalReferenceMatch : null;

/**
 * The figures of a set of customers (a page of an export, or one profile), from the ledger and
 * the statistics: three set-based reads, whatever the number of customers.
 */
export async function figuresOf(
  db: Db,
  customerIds: readonly string[],
  settings: LoyaltySettings,
): Promise<Map<string, CustomerFigures>> {
  const reference = keyLineReference(settings);
  const [balances, keyLine, statistics] = await Promise.all([
    pointsBalances(db, customerIds),
    reference === null ? undefined : keyLineTotals(db, customerIds, reference),
    statisticsOf(db, customerIds),
  ]);
  return new Map(customerIds.map((id) => [id, {
    points: balances.get(id) ?? 0,
    keyLineTotal: keyLine ? keyLine.get(id) ?? 0 : null,
    statistics: statistics.get(id)!,
  }]));
}

/** A customer's figures, from the ledger and the statistics (three reads). */
export async function customerFigures(
  db: Db,
  customer: Customer,
  settings: LoyaltySettings,
): Promise<CustomerFigures> {
  return (await figuresOf(db, [customer.id], settings)).get(customer.id)!;
}

/** The cursor of a statement page: the id of its last entry, as digits. */
export function statementBefore(cursor: string[] | undefined): number | undefined {
  if (!cursor) return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(cursor[0])) {
    throw validationError([{ field: "cursor", message: "not a cursor from this API" }]);
  }
  return Number(cursor[0]);
}

/** A page of the customer's points statement, newest first; `limit + 1` lines are read. */
export async function statementPage(
  db: Db,
  customer: Customer,
  page: { limit: number; before?: number },
): Promise<{ lines: StatementLine[]; next: number | null }> {
  const rows = await pointsStatement(db, customer.id, {
    limit: page.limit + 1,
    ...page.before !== undefined ? { before: page.before } : {},
  });
  const lines = rows.slice(0, page.limit);
  return {
    lines,
    next: rows.length > page.limit ? lines[lines.length - 1].entryId : null,
  };
}

/** One sale or return of a customer, as their profile lists it. */
export interface CustomerSale {
  id: string;
  kind: "sale" | "return";
  receiptNumber: string;
  at: Date;
  storeNumber: number;
  storeName: string;
  posNumber: number;
  currency: string;
  /** Minor units of `currency`. */
  total: number;
  /** Points earned (a sale) or taken back (a return), hundredths. */
  points: number;
}

/**
 * The customer's sales and returns, newest first, `limit` per page; `after` is the id of the
 * last sale of the previous page (the cursor names a row: times are microseconds in Postgres).
 */
export async function customerSales(
  db: Db,
  customer: Customer,
  page: { limit: number; after?: string },
): Promise<CustomerSale[]> {
  let q = db.selectFrom("sales as s")
    .innerJoin("stores as st", "st.id", "s.store_id")
    .innerJoin("pos as p", "p.id", "s.pos_id")
    .select([
      "s.id",
      "s.kind",
      "s.receipt_number",
      "s.at",
      "st.number as store_number",
      "st.name as store_name",
      "p.number as pos_number",
      "s.currency",
      "s.total",
      "s.points",
    ])
    .where("s.customer_id", "=", customer.id).where("s.org_id", "=", customer.org_id);
  if (page.after) {
    q = q.where(sql<boolean>`(s.at, s.id) < (
      select last.at, last.id from sales as last where last.id = ${page.after})`);
  }
  const rows = await q.orderBy("s.at", "desc").orderBy("s.id", "desc").limit(page.limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind as "sale" | "return",
    receiptNumber: r.receipt_number,
    at: r.at,
    storeNumber: r.store_number,
    storeName: r.store_name,
    posNumber: r.pos_number,
    currency: r.currency,
    total: r.total,
    points: r.points,
  }));
}

/** Largest manual adjustment, in points: far beyond any real one, and exact in hundredths. */
export const MAX_ADJUSTMENT = 10_000_000;

/**
 * The console asks staff to confirm an adjustment of more than this many points either way
 * (a slip of the keyboard, 10000 for 100.00, moves real value). The API does not ask.
 */
export const CONFIRM_ADJUSTMENT_ABOVE = 1000;

/** A manual points adjustment by staff: signed points (two decimals at most) and why. */
export const AdjustmentSchema = z.object({
  points: z.number({ error: "must be a number" })
    .refine((p) => p !== 0, "must not be zero")
    .refine(hasAtMostTwoDecimals, "at most 2 decimals")
    .refine((p) => Math.abs(p) <= MAX_ADJUSTMENT, `at most ${MAX_ADJUSTMENT} either way`)
    .describe("signed: positive adds points, negative takes them away"),
  reason: z.string({ error: "a reason is required" }).trim()
    .min(1, "a reason is required").max(500, "at most 500 characters")
    .describe("why; kept on the ledger transaction and in the audit log"),
}).strict();

export type Adjustment = z.output<typeof AdjustmentSchema>;

export interface Adjusted {
  transactionId: string;
  /** Hundredths, signed. */
  points: number;
  /** The balance after the adjustment, hundredths. */
  balance: number;
  at: Date;
  reason: string;
}

/**
 * Adjusts the customer's points by hand: one ADJUST ledger transaction (the customer's points
 * against the programme's POINTS_ADJUSTED, actor the staff member, reason kept) and its audit
 * entry, in one transaction. A negative adjustment may not take the balance below zero (409
 * insufficient-points on `points`).
 */
export async function adjustPoints(
  db: Db,
  customer: Customer,
  input: Adjustment,
  staff: Pick<StaffUser, "id" | "email">,
): Promise<Adjusted> {
  const amount = toHundredths(input.points);
  const at = new Date();
  return await inTransaction(db, async (tx) => {
    const posted = await post(tx, {
      orgId: customer.org_id,
      groupId: customer.group_id,
      reference: "ADJUST",
      at,
      actor: { staffId: staff.id, label: staff.email },
      reason: input.reason,
      legs: [
        {
          account: customerPoints(customer.org_id, customer.group_id, customer.id),
          amount,
          noOverdraw: { field: "points" },
        },
        {
          account: programmePoints(customer.org_id, customer.group_id, POINTS_ADJUSTED),
          amount: -amount,
        },
      ],
    });
    const balance = balanceAfter(posted, 0);
    await recordAudit(tx, {
      orgId: customer.org_id,
      entity: "customer",
      entityId: customer.id,
      label: `${customer.name} (${customer.number})`,
      action: "adjust-points",
      actor: staff,
      before: { points: (balance - amount) / 100 },
      after: {
        points: balance / 100,
        adjustment: amount / 100,
        reason: input.reason,
        transactionId: posted.id,
      },
    });
    return { transactionId: posted.id, points: amount, balance, at, reason: input.reason };
  });
}
