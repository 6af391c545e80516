import { type Kysely, sql } from "kysely";

// Instruments carry value (gift cards, store credit) or a benefit (coupons).
//
// A card's money is a ledger account of the instrument (code FUNDS, unit its series' currency)
// whose other side is the programme's liability account of the series: the ledger holds every
// cent, and `instrument_activities` is the card's history as staff read it (store, POS,
// receipt, amount, balance after, state moves included), written in the same transaction as
// the ledger posting it describes.
//
// A coupon series says what its coupons give (`coupon_benefit`) and from when (`starts_at`);
// each use is a row of `coupon_redemptions`, one per coupon and sale.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table series
    add column coupon_benefit jsonb,
    add column starts_at timestamptz`.execute(db);
  await sql`alter table instruments add column activated_at timestamptz`.execute(db);

  await sql`create table instrument_activities (
    id bigint generated always as identity primary key,
    org_id uuid not null references organizations (id),
    instrument_id uuid not null references instruments (id),
    kind text not null check (kind in
      ('activate', 'load', 'redeem', 'refund', 'void', 'block', 'unblock')),
    status_before text not null,
    status_after text not null,
    amount bigint not null default 0,
    balance_after bigint not null,
    store_id uuid references stores (id),
    pos_id uuid references pos (id),
    staff_id uuid,
    actor_label text not null,
    receipt_number text,
    sale_id uuid references sales (id),
    ledger_transaction_id uuid references ledger_transactions (id),
    reason text,
    at timestamptz not null default now()
  )`.execute(db);
  await sql`create index instrument_activities_instrument
    on instrument_activities (instrument_id, id)`.execute(db);
  await sql`create index instrument_activities_sale on instrument_activities (sale_id)
    where sale_id is not null`.execute(db);

  await sql`create table coupon_redemptions (
    instrument_id uuid not null references instruments (id),
    sale_id uuid not null references sales (id),
    org_id uuid not null references organizations (id),
    discount bigint not null default 0,
    points bigint not null default 0,
    at timestamptz not null,
    constraint coupon_redemptions_pk primary key (instrument_id, sale_id)
  )`.execute(db);
  await sql`create index coupon_redemptions_sale on coupon_redemptions (sale_id)`.execute(db);

  // A series' outstanding balance sums its cards' accounts.
  await sql`create index ledger_accounts_instrument on ledger_accounts (instrument_id)
    where instrument_id is not null`.execute(db);

  // The back office finds a card by any part of its number.
  await sql`create index instruments_number_trigrams on instruments
    using gin (number gin_trgm_ops)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table coupon_redemptions`.execute(db);
  await sql`drop table instrument_activities`.execute(db);
  await sql`drop index instruments_number_trigrams`.execute(db);
  await sql`drop index ledger_accounts_instrument`.execute(db);
  await sql`alter table instruments drop column activated_at`.execute(db);
  await sql`alter table series drop column coupon_benefit, drop column starts_at`.execute(db);
}
