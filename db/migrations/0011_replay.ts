import { type Kysely, sql } from "kysely";

// The impact of a draft on real sales (issue 19): a replay re-prices recorded sales.
//
// A sale keeps what its pricing read (`sales.pricing`, replay/recorded.ts `RecordedPricing`):
// the basket the rules saw (the request's lines with their categories, the customer's
// categories, card series and visits at the time, the coupons' money off), the earning
// settings it was priced under, and the rules that fired. Sales recorded before keep null and
// are not replayed (counted as `unreplayable`); returns keep null.
//
// A replay runs as a job (`replay_jobs`): status, progress, its result once done. The job
// keeps the draft version it replays and its rules (a job resumed after a restart replays
// what was asked): a draft save makes a new version, whose impact is a new job.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sales add column pricing jsonb`.execute(db);
  await sql`create index sales_group_at on sales (group_id, at) where kind = 'sale'`
    .execute(db);
  await sql`create table replay_jobs (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations (id),
    group_id uuid not null references merchant_groups (id),
    draft_version integer not null,
    draft_rules jsonb not null,
    published_version integer,
    days integer not null check (days between 1 and 365),
    from_at timestamptz not null,
    to_at timestamptz not null,
    status text not null check (status in ('queued', 'running', 'done', 'cancelled', 'failed')),
    done integer not null default 0,
    total integer not null default 0,
    started_at timestamptz not null default now(),
    finished_at timestamptz,
    heartbeat_at timestamptz not null default now(),
    error text,
    result jsonb,
    created_by uuid references staff_users (id)
  )`.execute(db);
  await sql`create index replay_jobs_group on replay_jobs (group_id, draft_version, started_at)`
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table replay_jobs`.execute(db);
  await sql`drop index sales_group_at`.execute(db);
  await sql`alter table sales drop column pricing`.execute(db);
}
