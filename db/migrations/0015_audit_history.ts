import { type Kysely, sql } from "kysely";

// The audit log as a history (issue 20 item 4).
//
// An entry names what it changed as it was called then (`entity_label`), so the log reads
// "store Lyon Part-Dieu" after the store is renamed or deleted. The log outlives what it
// records: deleting an organization keeps its entries (no foreign key to organizations), and
// installation-wide changes (a signing key rotated, a sign-in throttled) belong to no
// organization (`org_id` null: only the installation owner reads them). The date filter and
// the owner's unfiltered pages read (at, id) newest first.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit_log drop constraint audit_log_org_id_fkey`.execute(db);
  await sql`alter table audit_log alter column org_id drop not null`.execute(db);
  await sql`alter table audit_log add column entity_label text`.execute(db);
  await sql`create index audit_log_at on audit_log (at desc, id desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index audit_log_at`.execute(db);
  await sql`alter table audit_log drop column entity_label`.execute(db);
  await sql`delete from audit_log where org_id is null
    or org_id not in (select id from organizations)`.execute(db);
  await sql`alter table audit_log alter column org_id set not null`.execute(db);
  await sql`alter table audit_log add constraint audit_log_org_id_fkey
    foreign key (org_id) references organizations (id)`.execute(db);
}
