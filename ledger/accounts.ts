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

/** An account as a posting holds it: an owner's locked, with its balance; the programme's not. */
export interface LockedAccount {
  id: string;
  key: AccountKey;
  /** The kept balance (null on the programme's accounts). */
  balance: number | null;
}

interface AccountRow {
  id: string;
  group_id: string;
  customer_id: string | null;
  instrument_id: string | null;
  code: string;
  unit: string;
  balance: number | null;
}

const rowOf = (key: AccountKey) => ({
  org_id: key.orgId,
  group_id: key.groupId,
  customer_id: key.customerId ?? null,
  instrument_id: key.instrumentId ?? null,
  code: key.code,
  unit: key.unit,
});

type Row = ReturnType<typeof rowOf>;

/**
 * Whether the account keeps its balance on its row: a customer's or an instrument's, which
 * redemptions are checked against. The programme's accounts keep none (migration 0017): every
 * sale of a group posts to them, so a kept balance would be a row every sale waits on.
 */
const keepsBalance = (r: Row) => r.customer_id !== null || r.instrument_id !== null;

const matches = (a: AccountRow, r: Row) =>
  a.group_id === r.group_id && a.customer_id === r.customer_id &&
  a.instrument_id === r.instrument_id && a.code === r.code && a.unit === r.unit;

/**
 * One statement: the owners' accounts of `rows` locked (FOR UPDATE, in id order, so two
 * postings on the same accounts never deadlock), the programme's only read, as a JSON column
 * beside them (FOR UPDATE may not take part in a UNION). The programme's accounts are created
 * at slot 0; the slots of before (migration 0007) stay, summed by their readers.
 */
async function find(tx: Db, rows: readonly Row[]): Promise<AccountRow[]> {
  // `=` where there is an owner, not `is not distinct from`: an index can serve only `=`.
  const is = (column: string, id: string | null) =>
    id === null ? sql`${sql.ref(column)} is null` : sql`${sql.ref(column)} = ${id}::uuid`;
  const where = (rs: readonly Row[]) =>
    sql.join(
      rs.map((r) =>
        sql`(group_id = ${r.group_id}::uuid and ${is("customer_id", r.customer_id)}
          and ${is("instrument_id", r.instrument_id)}
          and code = ${r.code} and unit = ${r.unit} and slot = 0)`
      ),
      sql` or `,
    );
  const owned = rows.filter(keepsBalance);
  const programme = rows.filter((r) => !keepsBalance(r));
  const columns = sql`id, group_id, customer_id, instrument_id, code, unit, balance`;
  if (!owned.length) {
    return (await sql<AccountRow>`select ${columns} from ledger_accounts
      where ${where(programme)}`.execute(tx)).rows;
  }
  const theirs = programme.length
    ? sql`(select coalesce(json_agg(json_build_object('id', id, 'group_id', group_id,
        'customer_id', null, 'instrument_id', null, 'code', code, 'unit', unit,
        'balance', null)), '[]') from ledger_accounts where ${where(programme)})`
    : sql`'[]'::json`;
  const found = await sql<AccountRow & { programme: AccountRow[] }>`
    select ${columns}, ${theirs} as programme from ledger_accounts where ${where(owned)}
    order by id for update`.execute(tx);
  return [
    ...found.rows.map(({ programme: _, ...a }) => ({ ...a, balance: Number(a.balance) })),
    ...found.rows[0]?.programme ?? [],
  ];
}

/**
 * The accounts of `keys`: a customer's or an instrument's locked with its balance, the
 * programme's found without a lock (no two postings wait on them). One statement when they all
 * exist; the missing ones are created first (`on conflict do nothing`: only a posting creating
 * the same account waits, until the first creator commits), then all found again.
 */
export async function lockAccounts(tx: Db, keys: readonly AccountKey[]): Promise<LockedAccount[]> {
  const rows = keys.map(rowOf);
  let found = await find(tx, rows);
  const missing = rows.filter((r) => !found.some((a) => matches(a, r)));
  if (missing.length) {
    await tx.insertInto("ledger_accounts")
      .values(missing.map((r) => ({
        ...r,
        slot: 0,
        balance: keepsBalance(r) ? 0 : null,
      })))
      .onConflict((oc) => oc.constraint("ledger_accounts_key").doNothing()).execute();
    found = await find(tx, rows);
  }
  return rows.map((r, i) => {
    const row = found.find((a) => matches(a, r));
    if (!row) throw new Error(`ledger account ${r.code}/${r.unit} was not created`);
    return { id: row.id, key: keys[i], balance: row.balance };
  });
}
