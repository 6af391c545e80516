import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { inTransaction } from "../db/transaction.ts";
import { ProblemError } from "../errors/problem.ts";
import { type AccountKey, lockAccounts, POINTS } from "./accounts.ts";

/** One entry of a posting. */
export interface Leg {
  account: AccountKey;
  /** Signed, in the account's unit: what the entry adds to its balance. 0 is dropped. */
  amount: number;
  /** The entry's reference when it differs from the transaction's (an earning rule's). */
  reference?: string;
  ruleId?: string;
  /**
   * When set, this entry may not take the account below zero (a redemption); the refusal
   * names this request field. Without it an account may go negative (a return's reversal).
   */
  noOverdraw?: { field: string };
}

/** Who moved value: a POS (through its device token) or a staff member. */
export interface Actor {
  posId?: string;
  staffId?: string;
  /** How they are called now: kept when they are gone. */
  label: string;
}

export interface Posting {
  orgId: string;
  groupId: string;
  /** SALE, RETURN, ADJUST, …: why value moved. */
  reference: string;
  /** When it happened in business terms. */
  at: Date | string;
  actor: Actor;
  saleId?: string;
  reversesId?: string;
  reason?: string;
  legs: readonly Leg[];
}

export interface Posted {
  id: string;
  /**
   * Balance of each leg's account after the posting, in leg order; null on the programme's
   * accounts, which keep none.
   */
  balances: (number | null)[];
}

/** The balance `posted` left on leg `index`'s account, a customer's or an instrument's. */
export function balanceAfter(posted: Posted, index: number): number {
  const balance = posted.balances[index];
  if (balance === null || balance === undefined) {
    throw new Error(`leg ${index} is on an account that keeps no balance`);
  }
  return balance;
}

const keyOf = (k: AccountKey) =>
  [k.groupId, k.customerId ?? "", k.instrumentId ?? "", k.code, k.unit].join("|");

/** Insufficient balance for a redemption: 409, naming the unit and the field. */
export function insufficient(unit: string, balance: number, field: string): ProblemError {
  const points = unit === POINTS;
  return new ProblemError(
    409,
    points ? "insufficient-points" : "insufficient-funds",
    points ? "Not enough points" : "Not enough funds",
    {
      detail: points
        ? `the balance is ${balance / 100} points`
        : `the balance is ${balance} minor units of ${unit}`,
      errors: [{ field, message: "more than the balance" }],
    },
  );
}

/**
 * Writes one ledger transaction: its entries, and the new balance of every touched account
 * that keeps one, in the caller's transaction (or its own). Its legs must sum to zero per unit,
 * a programming error otherwise. A customer's or instrument's accounts are locked before their
 * balances are read, so concurrent postings on one account queue, and a leg with `noOverdraw`
 * is refused (409, nothing written by the posting) when it would take its account below zero.
 * The programme's accounts are neither locked nor updated: their entries carry no running
 * balance, so postings of different customers never wait on each other. One statement after
 * the accounts' one: the transaction, the entries and the balances in data-modifying CTEs.
 */
export async function post(db: Db, posting: Posting): Promise<Posted> {
  const legs = posting.legs.filter((l) => l.amount !== 0);
  const sums = new Map<string, number>();
  for (const leg of legs) {
    if (!Number.isSafeInteger(leg.amount)) throw new Error(`ledger amount ${leg.amount}`);
    sums.set(leg.account.unit, (sums.get(leg.account.unit) ?? 0) + leg.amount);
  }
  for (const [unit, sum] of sums) {
    if (sum !== 0) throw new Error(`ledger posting ${posting.reference} is off by ${sum} ${unit}`);
  }
  return await inTransaction(db, async (tx) => {
    const keys = [...new Map(legs.map((l) => [keyOf(l.account), l.account])).values()];
    const accounts = legs.length ? await lockAccounts(tx, keys) : [];
    const byKey = new Map(accounts.map((a) => [keyOf(a.key), a]));
    const balance = new Map<string, number>();
    for (const a of accounts) if (a.balance !== null) balance.set(a.id, a.balance);
    const entries = legs.map((leg) => {
      const account = byKey.get(keyOf(leg.account))!;
      const before = balance.get(account.id);
      if (before === undefined) return { leg, account: account.id, after: null };
      const after = before + leg.amount;
      if (leg.noOverdraw && leg.amount < 0 && after < 0) {
        throw insufficient(leg.account.unit, before, leg.noOverdraw.field);
      }
      balance.set(account.id, after);
      return { leg, account: account.id, after };
    });
    const steps = [sql`t as (insert into ledger_transactions (org_id, group_id, reference,
        sale_id, reverses_id, pos_id, staff_id, actor_label, reason, at)
      values (${posting.orgId}::uuid, ${posting.groupId}::uuid, ${posting.reference},
        ${posting.saleId ?? null}::uuid, ${posting.reversesId ?? null}::uuid,
        ${posting.actor.posId ?? null}::uuid, ${posting.actor.staffId ?? null}::uuid,
        ${posting.actor.label}, ${posting.reason ?? null}, ${posting.at}::timestamptz)
      returning id)`];
    if (entries.length) {
      // Ordered as the legs: a running balance is its account's entries summed in id order.
      const values = sql.join(
        entries.map((e, i) =>
          sql`(${i}::integer, ${e.account}::uuid, ${e.leg.account.unit}, ${e.leg.amount}::bigint,
          ${e.after}::bigint, ${e.leg.reference ?? posting.reference}, ${e.leg.ruleId ?? null})`
        ),
      );
      steps.push(sql`e as (insert into ledger_entries (org_id, transaction_id, account_id, unit,
          amount, balance_after, reference, rule_id)
        select ${posting.orgId}::uuid, t.id, v.account, v.unit, v.amount, v.after, v.reference,
          v.rule_id
        from t, (values ${values}) as v (i, account, unit, amount, after, reference, rule_id)
        order by v.i)`);
    }
    if (balance.size) {
      const values = sql.join(
        [...balance].map(([account, b]) => sql`(${account}::uuid, ${b}::bigint)`),
      );
      steps.push(sql`u as (update ledger_accounts a set balance = v.balance
        from (values ${values}) as v (id, balance) where a.id = v.id)`);
    }
    const { rows } = await sql<{ id: string }>`with ${sql.join(steps)} select id from t`
      .execute(tx);
    return { id: rows[0].id, balances: entries.map((e) => e.after) };
  });
}

/**
 * Posts the exact opposite of transaction `id` (every entry negated, same accounts and
 * references). A transaction is reversed at most once: a second reversal is a 409.
 */
export async function reverse(
  db: Db,
  id: string,
  reversal: Pick<Posting, "reference" | "at" | "actor" | "reason">,
): Promise<Posted> {
  return await inTransaction(db, async (tx) => {
    const original = await tx.selectFrom("ledger_transactions")
      .select(["id", "org_id", "group_id", "sale_id"]).where("id", "=", id)
      .executeTakeFirst();
    if (!original) throw new ProblemError(404, "not-found", "No such ledger transaction");
    const done = await tx.selectFrom("ledger_transactions").select("id")
      .where("reverses_id", "=", id).executeTakeFirst();
    if (done) {
      throw new ProblemError(409, "already-reversed", "This transaction was already reversed");
    }
    const entries = await tx.selectFrom("ledger_entries as e")
      .innerJoin("ledger_accounts as a", "a.id", "e.account_id")
      .select([
        "e.amount",
        "e.reference",
        "e.rule_id",
        "a.customer_id",
        "a.instrument_id",
        "a.code",
        "a.unit",
      ])
      .where("e.transaction_id", "=", id).orderBy("e.id").execute();
    return await post(tx, {
      ...reversal,
      orgId: original.org_id,
      groupId: original.group_id,
      saleId: original.sale_id ?? undefined,
      reversesId: id,
      legs: entries.map((e) => ({
        account: {
          orgId: original.org_id,
          groupId: original.group_id,
          ...(e.customer_id ? { customerId: e.customer_id } : {}),
          ...(e.instrument_id ? { instrumentId: e.instrument_id } : {}),
          code: e.code,
          unit: e.unit,
        },
        amount: -e.amount,
        reference: e.reference,
        ruleId: e.rule_id ?? undefined,
      })),
    });
  });
}
