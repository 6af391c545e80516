import { sql } from "kysely";
import type { Db } from "../db/connection.ts";

/** The unit of points: integer hundredths of a point. */
export const POINTS = "PTS";

/** A customer's points. */
export const CUSTOMER_POINTS = "POINTS";
/** The programme's side of points: earned by members (negative: points owed to them). */
export const POINTS_ISSUED = "POINTS_ISSUED";
/** The programme's side of points spent as tender. */
export const POINTS_REDEEMED = "POINTS_REDEEMED";
/** The programme's side of manual adjustments by staff. */
export const POINTS_ADJUSTED = "POINTS_ADJUSTED";

/** How many rows the programme's side of an account is split over (see the migration). */
export const PROGRAMME_SLOTS = 8;

/** Names one account; absent owners make it the programme's account of `code`. */
export interface AccountKey {
  orgId: string;
  groupId: string;
  customerId?: string;
  instrumentId?: string;
  code: string;
  unit: string;
}

/** A customer's points account. */
export const customerPoints = (
  orgId: string,
  groupId: string,
  customerId: string,
): AccountKey => ({ orgId, groupId, customerId, code: CUSTOMER_POINTS, unit: POINTS });

/** The programme's points account of `code`. */
export const programmePoints = (orgId: string, groupId: string, code: string): AccountKey => ({
  orgId,
  groupId,
  code,
  unit: POINTS,
});

const ownedBy = (key: AccountKey) => key.customerId !== undefined || key.instrumentId !== undefined;

/** An account as a posting holds it: locked, with its balance. */
export interface LockedAccount {
  id: string;
  key: AccountKey;
  balance: number;
}

/**
 * The accounts of `keys`, created when missing and locked (FOR UPDATE, in id order, so two
 * postings on the same accounts never deadlock). The programme's accounts are taken at a random
 * slot: concurrent postings of one group then rarely wait on each other. Two statements.
 */
export async function lockAccounts(tx: Db, keys: readonly AccountKey[]): Promise<LockedAccount[]> {
  const rows = keys.map((key) => ({
    org_id: key.orgId,
    group_id: key.groupId,
    customer_id: key.customerId ?? null,
    instrument_id: key.instrumentId ?? null,
    code: key.code,
    unit: key.unit,
    slot: ownedBy(key) ? 0 : Math.floor(Math.random() * PROGRAMME_SLOTS),
  }));
  await tx.insertInto("ledger_accounts").values(rows)
    .onConflict((oc) => oc.constraint("ledger_accounts_key").doNothing()).execute();
  const locked = await tx.selectFrom("ledger_accounts")
    .select(["id", "group_id", "customer_id", "instrument_id", "code", "unit", "slot", "balance"])
    .where((eb) =>
      eb.or(rows.map((r) =>
        eb.and([
          eb("group_id", "=", r.group_id),
          sql<boolean>`customer_id is not distinct from ${r.customer_id}::uuid`,
          sql<boolean>`instrument_id is not distinct from ${r.instrument_id}::uuid`,
          eb("code", "=", r.code),
          eb("unit", "=", r.unit),
          eb("slot", "=", r.slot),
        ])
      ))
    )
    .orderBy("id").forUpdate().execute();
  return rows.map((r, i) => {
    const row = locked.find((a) =>
      a.group_id === r.group_id && a.customer_id === r.customer_id &&
      a.instrument_id === r.instrument_id && a.code === r.code && a.unit === r.unit &&
      a.slot === r.slot
    );
    if (!row) throw new Error(`ledger account ${r.code}/${r.unit} was not created`);
    return { id: row.id, key: keys[i], balance: row.balance };
  });
}
