import { type Kysely, sql } from "kysely";

const uuid = sql`gen_random_uuid()`;
const now = sql`now()`;

// The new member email (issue 20).
//
// A group's template (absent: the built-in one). The outbox: one row per new member, written in
// the member's transaction while the group's setting is on (a member without an email gets a
// `skipped` row, so they are counted); a sender claims due rows with a lease and records each
// attempt. One row per member and kind: a member is welcomed once. An insert announces itself
// on `le_outbox` at commit, so a listening sender starts at once.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table email_templates (
    group_id uuid primary key references merchant_groups (id),
    org_id uuid not null references organizations (id),
    subject text not null,
    text_body text not null,
    html_body text not null,
    version integer not null,
    updated_at timestamptz not null default ${now}
  )`.execute(db);
  await sql`create table email_outbox (
    id uuid primary key default ${uuid},
    org_id uuid not null references organizations (id),
    group_id uuid not null references merchant_groups (id),
    customer_id uuid not null references customers (id),
    kind text not null default 'new-member',
    to_address text,
    status text not null
      check (status in ('pending', 'sent', 'logged', 'failed', 'skipped')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default ${now},
    lease_until timestamptz,
    lease_token uuid,
    message_id text,
    last_error text,
    created_at timestamptz not null default ${now},
    finished_at timestamptz,
    constraint email_outbox_once unique (customer_id, kind)
  )`.execute(db);
  await sql`create index email_outbox_due on email_outbox (next_attempt_at)
    where status = 'pending'`.execute(db);
  await sql`create index email_outbox_group on email_outbox (group_id, created_at desc, id desc)`
    .execute(db);
  await sql`create table email_attempts (
    id uuid primary key default ${uuid},
    outbox_id uuid not null references email_outbox (id),
    org_id uuid not null references organizations (id),
    attempt integer not null,
    at timestamptz not null default ${now},
    outcome text not null check (outcome in ('sent', 'logged', 'error')),
    detail text not null
  )`.execute(db);
  await sql`create index email_attempts_outbox on email_attempts (outbox_id, at)`.execute(db);
  await sql`create trigger email_outbox_inserted after insert on email_outbox
    for each statement execute function le_notify_change('le_outbox')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table email_attempts`.execute(db);
  await sql`drop table email_outbox`.execute(db);
  await sql`drop table email_templates`.execute(db);
}
