import { type Kysely, sql } from "kysely";

// Wholesale back-office orders (issue 20, seed 004).
//
// Staff write a customer order for a member: lines from the catalogue at the programme's
// wholesale price level, a pickup or delivery store. Accepting it records a sale through the
// sale service at the first till of that store, else at the wholesale default till; the sale
// keeps the till code and operator number it was recorded under (`sales.till_code`,
// `sales.operator_number`: null for POS sales). `version` is the order's optimistic
// concurrency; `accepted_version` the version an accept was sent with, so a retried accept
// answers the accepted order instead of a conflict.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sales
    add column till_code text,
    add column operator_number integer`.execute(db);

  await sql`create sequence wholesale_order_numbers`.execute(db);
  await sql`create table wholesale_orders (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations (id),
    group_id uuid not null references merchant_groups (id),
    number bigint not null unique default nextval('wholesale_order_numbers'),
    customer_id uuid not null references customers (id),
    store_id uuid not null references stores (id),
    fulfilment text not null check (fulfilment in ('pickup', 'delivery')),
    state text not null default 'draft' check (state in ('draft', 'accepted', 'cancelled')),
    version integer not null default 1,
    currency text not null,
    price_level integer not null check (price_level between 1 and 5),
    total bigint not null check (total >= 0),
    note text,
    sale_id uuid references sales (id),
    accepted_version integer,
    created_by uuid not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((state = 'accepted') = (sale_id is not null))
  )`.execute(db);
  await sql`create index wholesale_orders_group on wholesale_orders (group_id, number desc)`
    .execute(db);

  await sql`create table wholesale_order_lines (
    order_id uuid not null references wholesale_orders (id),
    index integer not null,
    org_id uuid not null references organizations (id),
    sku text not null,
    name text not null,
    quantity integer not null check (quantity > 0),
    unit_price bigint not null check (unit_price > 0),
    primary key (order_id, index)
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table wholesale_order_lines`.execute(db);
  await sql`drop table wholesale_orders`.execute(db);
  await sql`drop sequence wholesale_order_numbers`.execute(db);
  await sql`alter table sales drop column till_code, drop column operator_number`.execute(db);
}
