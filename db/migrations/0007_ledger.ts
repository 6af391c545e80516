import { type Kysely, sql } from "kysely";

const uuid = sql`gen_random_uuid()`;
const now = sql`now()`;

// The ledger, and the sales and returns whose value it moves, and member statistics.
//
// Ledger: accounts (a customer's points, an instrument's money, the programme's side of each),
// transactions and their entries. Entries are append-only: a trigger refuses UPDATE, DELETE
// and TRUNCATE of entries and transactions, so a correction can only be a reversal. An
// account's balance is kept on its row, written in the same transaction as its entries. The
// programme's side of the points is split over a few slots (rows) so concurrent sales of one
// group do not queue on one row lock; its balance is the sum of its slots.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table ledger_accounts (
    id uuid primary key default ${uuid},
    org_id uuid not null references organizations (id),
    group_id uuid not null references merchant_groups (id),
    customer_id uuid references customers (id),
    instrument_id uuid references instruments (id),
    code text not null,
    unit text not null,
    slot smallint not null default 0,
    balance bigint not null default 0,
    created_at timestamptz not null default ${now},
    constraint ledger_accounts_key unique nulls not distinct
      (group_id, customer_id, instrument_id, code, unit, slot)
  )`.execute(db);
  // Balances and key line totals are read by customer (a sale's answer, the profile): the
  // unique key above starts with the group, so it cannot serve them.
  await sql`create index ledger_accounts_customer on ledger_accounts (customer_id, code, unit)
    where customer_id is not null`.execute(db);

  await sql`create table sales (
    id uuid primary key default ${uuid},
    org_id uuid not null references organizations (id),
    group_id uuid not null references merchant_groups (id),
    store_id uuid not null references stores (id),
    pos_id uuid not null references pos (id),
    kind text not null check (kind in ('sale', 'return')),
    receipt_number text not null,
    at timestamptz not null,
    trading_day date not null,
    customer_id uuid references customers (id),
    member boolean not null,
    currency text not null,
    total bigint not null,
    points bigint not null default 0,
    points_redeemed bigint not null default 0,
    rules_version integer,
    original_sale_id uuid references sales (id),
    returned_total bigint not null default 0,
    points_redeemed_returned bigint not null default 0,
    created_at timestamptz not null default ${now},
    constraint sales_pos_receipt unique (pos_id, receipt_number)
  )`.execute(db);
  await sql`create index sales_customer on sales (customer_id, at desc)
    where customer_id is not null`.execute(db);
  await sql`create index sales_original on sales (original_sale_id)
    where original_sale_id is not null`.execute(db);

  await sql`create table sale_lines (
    sale_id uuid not null references sales (id),
    index integer not null,
    org_id uuid not null references organizations (id),
    sku text not null,
    quantity integer not null,
    unit_price bigint not null,
    net bigint not null,
    points bigint not null default 0,
    returned_quantity integer not null default 0,
    constraint sale_lines_pk primary key (sale_id, index)
  )`.execute(db);

  // What each line of a sale earned from each rule (the sale's attribution): a return
  // reverses from these, never more than `points` across all its returns.
  await sql`create table sale_awards (
    sale_id uuid not null references sales (id),
    line_index integer not null,
    rule_id text not null,
    org_id uuid not null references organizations (id),
    type text not null,
    reference text not null,
    points bigint not null,
    reversed bigint not null default 0,
    constraint sale_awards_pk primary key (sale_id, line_index, rule_id)
  )`.execute(db);

  await sql`create table ledger_transactions (
    id uuid primary key default ${uuid},
    org_id uuid not null references organizations (id),
    group_id uuid not null references merchant_groups (id),
    reference text not null,
    sale_id uuid references sales (id),
    reverses_id uuid references ledger_transactions (id),
    pos_id uuid references pos (id),
    staff_id uuid,
    actor_label text not null,
    reason text,
    at timestamptz not null,
    created_at timestamptz not null default ${now},
    constraint ledger_transactions_reverses unique (reverses_id)
  )`.execute(db);
  await sql`create index ledger_transactions_sale on ledger_transactions (sale_id)
    where sale_id is not null`.execute(db);

  await sql`create table ledger_entries (
    id bigint generated always as identity primary key,
    org_id uuid not null references organizations (id),
    transaction_id uuid not null references ledger_transactions (id),
    account_id uuid not null references ledger_accounts (id),
    unit text not null,
    amount bigint not null check (amount <> 0),
    balance_after bigint not null,
    reference text not null,
    rule_id text
  )`.execute(db);
  await sql`create index ledger_entries_account on ledger_entries (account_id, id)`.execute(db);
  await sql`create index ledger_entries_transaction on ledger_entries (transaction_id)`
    .execute(db);

  await sql`create function le_ledger_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the ledger is append-only: % on % refused', tg_op, tg_table_name
        using errcode = 'P0001';
    end $$`.execute(db);
  for (const table of ["ledger_entries", "ledger_transactions"]) {
    await sql`create trigger ${sql.id(`${table}_append_only`)}
      before update or delete on ${sql.table(table)}
      for each row execute function le_ledger_append_only()`.execute(db);
    await sql`create trigger ${sql.id(`${table}_no_truncate`)}
      before truncate on ${sql.table(table)}
      for each statement execute function le_ledger_append_only()`.execute(db);
  }

  // A replayed answer must be the first one byte for byte: `json` keeps the text as written,
  // where `jsonb` reorders keys.
  await sql`alter table idempotency_keys alter column body type json using body::json`
    .execute(db);

  // Member statistics (seed 004), kept incrementally by sales and returns; `stats:rebuild`
  // recomputes them from the sales.
  await sql`create table customer_statistics (
    customer_id uuid primary key references customers (id),
    org_id uuid not null references organizations (id),
    visits integer not null default 0,
    sales_count integer not null default 0,
    spend bigint not null default 0,
    first_visit timestamptz,
    last_visit timestamptz
  )`.execute(db);
  // The trading days a member visited on, so several sales in one day count as one visit.
  await sql`create table customer_visit_days (
    customer_id uuid not null references customers (id),
    trading_day date not null,
    org_id uuid not null references organizations (id),
    constraint customer_visit_days_pk primary key (customer_id, trading_day)
  )`.execute(db);
  await sql`create table store_day_statistics (
    store_id uuid not null references stores (id),
    trading_day date not null,
    org_id uuid not null references organizations (id),
    group_id uuid not null references merchant_groups (id),
    member_count integer not null default 0,
    member_total bigint not null default 0,
    non_member_count integer not null default 0,
    non_member_total bigint not null default 0,
    constraint store_day_statistics_pk primary key (store_id, trading_day)
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (
    const table of [
      "store_day_statistics",
      "customer_visit_days",
      "customer_statistics",
      "ledger_entries",
      "ledger_transactions",
      "sale_awards",
      "sale_lines",
      "sales",
      "ledger_accounts",
    ]
  ) await sql`drop table ${sql.table(table)}`.execute(db);
  await sql`drop function le_ledger_append_only()`.execute(db);
  await sql`alter table idempotency_keys alter column body type jsonb using body::jsonb`
    .execute(db);
}
