import { type Kysely, sql } from "kysely";

const now = sql`now()`;
const TABLES = ["rule_set_drafts", "rule_set_versions"];

// The earning rules of a merchant group: one draft (absent until first written: a group
// starts with the empty draft at version 1) and numbered published versions, kept forever.
// Rules are `json`, not `jsonb`: the documents come back with their keys in the order they
// were saved, which is the order the rule editor shows.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable("rule_set_drafts")
    .addColumn("group_id", "uuid", (c) => c.primaryKey().references("merchant_groups.id"))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("organizations.id"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("rules", "json", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addColumn("updated_by", "uuid", (c) => c.references("staff_users.id").onDelete("set null"))
    // Who saved it, as they were called then: kept when the staff user is gone.
    .addColumn("updated_by_label", "text")
    .execute();

  await db.schema.createTable("rule_set_versions")
    .addColumn("group_id", "uuid", (c) => c.notNull().references("merchant_groups.id"))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("organizations.id"))
    .addColumn("version", "integer", (c) => c.notNull())
    // The draft version it was published from: the draft has unpublished changes when its
    // version differs from the latest published version's.
    .addColumn("draft_version", "integer", (c) => c.notNull())
    .addColumn("rules", "json", (c) => c.notNull())
    .addColumn("published_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addColumn("published_by", "uuid", (c) => c.references("staff_users.id").onDelete("set null"))
    .addColumn("published_by_label", "text")
    // The primary key is also the index of "the latest published version of a group".
    .addPrimaryKeyConstraint("rule_set_versions_pk", ["group_id", "version"])
    .execute();

  // POS instances cache the published rules (programme/cache.ts): a publish announces itself.
  for (const table of TABLES) {
    await sql`create trigger ${sql.id(`${table}_changed`)}
      after insert or update or delete or truncate on ${sql.table(table)}
      for each statement execute function le_notify_change('le_programme')`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) await db.schema.dropTable(table).execute();
}
