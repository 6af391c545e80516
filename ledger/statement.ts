import type { Db } from "../db/connection.ts";
import { CUSTOMER_POINTS, POINTS } from "./accounts.ts";

/** One line of a points statement. */
export interface StatementLine {
  entryId: number;
  transactionId: string;
  at: Date;
  /** The entry's reference (the earning rule's, or the transaction's). */
  reference: string;
  /** SALE, RETURN, ADJUST, …: the transaction's reference. */
  transactionReference: string;
  ruleId: string | null;
  /** Hundredths, signed. */
  amount: number;
  /** The balance after this entry, hundredths. */
  balance: number;
  saleId: string | null;
  receiptNumber: string | null;
  storeNumber: number | null;
  posNumber: number | null;
  actor: string;
  reason: string | null;
}

/**
 * A customer's points entries, newest first, `limit` per page; `before` is the last entry id
 * of the previous page. Each line carries its running balance, the sale or return behind it
 * (receipt, store, POS) and who made it.
 */
export async function pointsStatement(
  db: Db,
  customerId: string,
  page: { limit: number; before?: number },
): Promise<StatementLine[]> {
  let q = db.selectFrom("ledger_entries as e")
    .innerJoin("ledger_accounts as a", "a.id", "e.account_id")
    .innerJoin("ledger_transactions as t", "t.id", "e.transaction_id")
    .leftJoin("sales as s", "s.id", "t.sale_id")
    .leftJoin("stores as st", "st.id", "s.store_id")
    .leftJoin("pos as p", "p.id", "s.pos_id")
    .select([
      "e.id",
      "e.transaction_id",
      "t.at",
      "e.reference",
      "t.reference as transaction_reference",
      "e.rule_id",
      "e.amount",
      "e.balance_after",
      "t.sale_id",
      "s.receipt_number",
      "st.number as store_number",
      "p.number as pos_number",
      "t.actor_label",
      "t.reason",
    ])
    .where("a.customer_id", "=", customerId).where("a.code", "=", CUSTOMER_POINTS)
    .where("a.unit", "=", POINTS);
  if (page.before !== undefined) q = q.where("e.id", "<", page.before);
  const rows = await q.orderBy("e.id", "desc").limit(page.limit).execute();
  return rows.map((r) => ({
    entryId: r.id,
    transactionId: r.transaction_id,
    at: r.at,
    reference: r.reference,
    transactionReference: r.transaction_reference,
    ruleId: r.rule_id,
    amount: r.amount,
    balance: r.balance_after!,
    saleId: r.sale_id,
    receiptNumber: r.receipt_number,
    storeNumber: r.store_number,
    posNumber: r.pos_number,
    actor: r.actor_label,
    reason: r.reason,
  }));
}
