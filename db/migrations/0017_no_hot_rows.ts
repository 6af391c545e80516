import { type Kysely, sql } from "kysely";

// No row every sale of a store or of a group must lock (issue 21).
//
// The programme's side of the ledger (POINTS_ISSUED, POINTS_REDEEMED, a series' LIABILITY, …)
// keeps no balance: its accounts are found, never locked nor updated, and its entries carry no
// running balance; its balance is the sum of its entries (the account index covers the amount).
// Only a customer's or an instrument's account keeps a balance, locked by the postings that
// move it: those are what a redemption is checked against. Entries the programme's accounts got
// before keep their running balance (entries are append-only), still the sum up to them.
//
// A store's day statistics are summed from its sales on read (a view over an index of the
// sales by store and day), where every sale of the store used to update one row.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ledger_accounts alter column balance drop not null`.execute(db);
  await sql`update ledger_accounts set balance = null
    where customer_id is null and instrument_id is null`.execute(db);
  await sql`alter table ledger_accounts add constraint ledger_accounts_balance_kept
    check ((balance is null) = (customer_id is null and instrument_id is null))`.execute(db);
  await sql`alter table ledger_entries alter column balance_after drop not null`.execute(db);
  await sql`create index ledger_entries_account_amount on ledger_entries (account_id, id)
    include (amount)`.execute(db);
  await sql`drop index ledger_entries_account`.execute(db);

  await sql`drop table store_day_statistics`.execute(db);
  await sql`create index sales_store_day on sales (store_id, trading_day)
    include (kind, member, total)`.execute(db);
  // A store's day keeps the group of its first transaction.
  await sql`create view store_day_statistics as
    select store_id, trading_day, org_id,
      (array_agg(group_id order by created_at, id))[1] as group_id,
      (count(*) filter (where kind = 'sale' and member))::integer as member_count,
      coalesce(sum(case when kind = 'sale' then total else -total end) filter (where member), 0)
        ::bigint as member_total,
      (count(*) filter (where kind = 'sale' and not member))::integer as non_member_count,
      coalesce(sum(case when kind = 'sale' then total else -total end) filter (where not member),
        0)::bigint as non_member_total
    from sales group by store_id, trading_day, org_id`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create table store_day_statistics_kept as select * from store_day_statistics`
    .execute(db);
  await sql`drop view store_day_statistics`.execute(db);
  await sql`drop index sales_store_day`.execute(db);
  await sql`alter table store_day_statistics_kept rename to store_day_statistics`.execute(db);
  await sql`alter table store_day_statistics
    add constraint store_day_statistics_pk primary key (store_id, trading_day),
    add foreign key (store_id) references stores (id),
    add foreign key (org_id) references organizations (id),
    add foreign key (group_id) references merchant_groups (id),
    alter column member_count set default 0, alter column member_total set default 0,
    alter column non_member_count set default 0, alter column non_member_total set default 0,
    alter column group_id set not null, alter column org_id set not null`.execute(db);

  await sql`create index ledger_entries_account on ledger_entries (account_id, id)`.execute(db);
  await sql`drop index ledger_entries_account_amount`.execute(db);
  // The programme's balances kept again, each account's entries summed; the entries written
  // without a running balance keep none (the ledger is append-only).
  await sql`alter table ledger_accounts drop constraint ledger_accounts_balance_kept`.execute(db);
  await sql`update ledger_accounts a set balance = coalesce(
      (select sum(e.amount) from ledger_entries e where e.account_id = a.id), 0)
    where balance is null`.execute(db);
  await sql`alter table ledger_accounts alter column balance set not null`.execute(db);
}
