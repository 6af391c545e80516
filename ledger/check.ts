import { sql } from "kysely";
import type { Db } from "../db/connection.ts";

/** What the invariant check found wrong; every list is empty in a sound ledger. */
export interface LedgerCheck {
  /** Transactions whose entries do not sum to zero in some unit. */
  unbalanced: { transactionId: string; unit: string; sum: number }[];
  /**
   * Accounts whose kept balance differs from the sum of their entries (a customer's or an
   * instrument's: the programme's keep none, their balance is that sum).
   */
  balances: { accountId: string; balance: number; entries: number }[];
  /**
   * Entries whose running balance is not the account's previous one plus the amount, or that
   * have none on an account that keeps its balance.
   */
  running: { entryId: number; accountId: string }[];
  /** Entries whose unit is not their account's. */
  units: { entryId: number }[];
  /**
   * Entries without their transaction, sale lines and awards (what a return reverses from)
   * without their sale, or with one of another organization: written with it in one
   * statement, they keep no foreign key to it (migration 0022).
   */
  orphans: { table: "ledger_entries" | "sale_lines" | "sale_awards"; parentId: string }[];
}

export const isSound = (c: LedgerCheck) =>
  !c.unbalanced.length && !c.balances.length && !c.running.length && !c.units.length &&
  !c.orphans.length;

/**
 * Recomputes the ledger from its entries (of one organization, or all) and compares it with
 * what was kept: per-transaction sums, account balances, running balances; and finds entries
 * without their transaction, sale lines and awards without their sale.
 */
export async function checkLedger(db: Db, orgId?: string): Promise<LedgerCheck> {
  const inOrg = (column: string) => orgId ? sql`${sql.ref(column)} = ${orgId}::uuid` : sql`true`;
  const unbalanced = await sql<{ transaction_id: string; unit: string; sum: string }>`
    select transaction_id, unit, sum(amount)::text as sum from ledger_entries
    where ${inOrg("org_id")} group by transaction_id, unit having sum(amount) <> 0`.execute(db);
  const balances = await sql<{ id: string; balance: string; entries: string }>`
    select a.id, a.balance::text as balance, coalesce(e.total, 0)::text as entries
    from ledger_accounts a
    left join (select account_id, sum(amount) as total from ledger_entries group by account_id) e
      on e.account_id = a.id
    where ${inOrg("a.org_id")} and a.balance <> coalesce(e.total, 0)`.execute(db);
  // The programme's entries since migration 0017 carry no running balance; those before it
  // carry their slot's, still checked.
  const running = await sql<{ id: string; account_id: string }>`
    select id::text, account_id from (
      select e.id, e.account_id, e.balance_after, a.balance is not null as kept,
        sum(e.amount) over (partition by e.account_id order by e.id) as expected
      from ledger_entries e join ledger_accounts a on a.id = e.account_id
      where ${inOrg("e.org_id")}) r
    where balance_after <> expected or (kept and balance_after is null)`.execute(db);
  const units = await sql<{ id: string }>`
    select e.id::text from ledger_entries e join ledger_accounts a on a.id = e.account_id
    where ${inOrg("e.org_id")} and e.unit <> a.unit`.execute(db);
  // `union`, not `union all`: one row per parent, however many of its rows are orphaned.
  const orphans = await sql<{ table: LedgerCheck["orphans"][number]["table"]; parent: string }>`
    select 'ledger_entries' as table, e.transaction_id as parent from ledger_entries e
    where ${inOrg("e.org_id")} and not exists (select from ledger_transactions t
      where t.id = e.transaction_id and t.org_id = e.org_id)
    union
    select r.source, r.sale_id from (
      select 'sale_lines' as source, sale_id, org_id from sale_lines
      union all select 'sale_awards', sale_id, org_id from sale_awards) r
    where ${inOrg("r.org_id")} and not exists (
      select from sales s where s.id = r.sale_id and s.org_id = r.org_id)`.execute(db);
  return {
    unbalanced: unbalanced.rows.map((r) => ({
      transactionId: r.transaction_id,
      unit: r.unit,
      sum: Number(r.sum),
    })),
    balances: balances.rows.map((r) => ({
      accountId: r.id,
      balance: Number(r.balance),
      entries: Number(r.entries),
    })),
    running: running.rows.map((r) => ({ entryId: Number(r.id), accountId: r.account_id })),
    units: units.rows.map((r) => ({ entryId: Number(r.id) })),
    orphans: orphans.rows.map((r) => ({ table: r.table, parentId: r.parent })),
  };
}
