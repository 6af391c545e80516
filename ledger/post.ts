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
  /** Balance of each leg's account after the posting, in leg order. */
  balances: number[];
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
 * Writes one ledger transaction: its entries, and every touched account's new balance, in the
 * caller's transaction (or its own). Its legs must sum to zero per unit, a programming error
 * otherwise. The accounts are locked before their balances are read, so concurrent postings
 * on one account queue, and a leg with `noOverdraw` is refused (409, nothing written by the
 * posting) when it would take its account below zero. Four statements after the accounts'
 * two: the lock, the transaction, the entries, the balances.
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
    const balance = new Map(accounts.map((a) => [a.id, a.balance]));
    const entries = legs.map((leg) => {
      const account = byKey.get(keyOf(leg.account))!;
      const after = balance.get(account.id)! + leg.amount;
      if (leg.noOverdraw && leg.amount < 0 && after < 0) {
        throw insufficient(leg.account.unit, balance.get(account.id)!, leg.noOverdraw.field);
      }
      balance.set(account.id, after);
      return { leg, account: account.id, after };
    });
    const { id } = await tx.insertInto("ledger_transactions").values({
      org_id: posting.orgId,
      group_id: posting.groupId,
      reference: posting.reference,
      sale_id: posting.saleId ?? null,
      reverses_id: posting.reversesId ?? null,
      pos_id: posting.actor.posId ?? null,
      staff_id: posting.actor.staffId ?? null,
      actor_label: posting.actor.label,
      reason: posting.reason ?? null,
      at: posting.at,
    }).returning("id").executeTakeFirstOrThrow();
    if (entries.length) {
      await tx.insertInto("ledger_entries").values(entries.map((e) => ({
        org_id: posting.orgId,
        transaction_id: id,
        account_id: e.account,
        unit: e.leg.account.unit,
        amount: e.leg.amount,
        balance_after: e.after,
        reference: e.leg.reference ?? posting.reference,
        rule_id: e.leg.ruleId ?? null,
      }))).execute();
      const values = sql.join(
        [...balance].map(([account, b]) => sql`(${account}::uuid, ${b}::bigint)`),
      );
      await sql`update ledger_accounts a set balance = v.balance
        from (values ${values}) as v (id, balance) where a.id = v.id`.execute(tx);
    }
    return { id, balances: entries.map((e) => balance.get(e.account)!) };
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
