import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  // An invitation only ever adds a PENDING membership: it grants nothing until the invited
  // person accepts it (with their own password). The inviter's wording of the name is kept
  // on the membership, so a list of members never shows an existing account's real name.
  await db.schema.alterTable("staff_memberships")
    .addColumn("status", "text", (c) => c.notNull().defaultTo("active"))
    .addColumn("invited_name", "text")
    .execute();
  await sql`alter table staff_memberships add constraint staff_memberships_status
    check (status in ('pending', 'active'))`.execute(db);
  await sql`update staff_memberships m set status = 'pending'
    from staff_users u where u.id = m.staff_id and u.password_hash is null`.execute(db);
  await db.schema.createIndex("staff_invites_staff").on("staff_invites").column("staff_id")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("staff_invites_staff").execute();
  await db.schema.alterTable("staff_memberships").dropConstraint("staff_memberships_status")
    .execute();
  await db.schema.alterTable("staff_memberships").dropColumn("status").dropColumn("invited_name")
    .execute();
}
