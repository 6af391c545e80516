import { type Kysely, sql } from "kysely";

const id = "uuid";
const uuidDefault = sql`gen_random_uuid()`;
// Every table below organizations carries org_id (the tenant key) so every query can filter
// on it, and the schema can later be sharded by tenant.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable("organizations")
    .addColumn("id", id, (c) => c.primaryKey().defaultTo(uuidDefault))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("active"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("organizations_status", sql`status in ('active', 'disabled')`)
    .execute();

  await db.schema.createTable("sites")
    .addColumn("id", id, (c) => c.primaryKey().defaultTo(uuidDefault))
    .addColumn("org_id", id, (c) => c.notNull().references("organizations.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("active"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("sites_status", sql`status in ('active', 'disabled')`)
    .execute();
  await db.schema.createIndex("sites_org").on("sites").column("org_id").execute();

  await db.schema.createTable("stores")
    .addColumn("id", id, (c) => c.primaryKey().defaultTo(uuidDefault))
    .addColumn("org_id", id, (c) => c.notNull().references("organizations.id"))
    .addColumn("site_id", id, (c) => c.notNull().references("sites.id"))
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("timezone", "text", (c) => c.notNull())
    .addColumn("address", "text")
    .addColumn("status", "text", (c) => c.notNull().defaultTo("active"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("stores_status", sql`status in ('active', 'disabled')`)
    .addUniqueConstraint("stores_site_number", ["site_id", "number"])
    .execute();
  await db.schema.createIndex("stores_org").on("stores").column("org_id").execute();

  await db.schema.createTable("pos")
    .addColumn("id", id, (c) => c.primaryKey().defaultTo(uuidDefault))
    .addColumn("org_id", id, (c) => c.notNull().references("organizations.id"))
    .addColumn("site_id", id, (c) => c.notNull().references("sites.id"))
    .addColumn("store_id", id, (c) => c.notNull().references("stores.id"))
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("active"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("pos_status", sql`status in ('active', 'disabled')`)
    .addUniqueConstraint("pos_store_number", ["store_id", "number"])
    .execute();
  await db.schema.createIndex("pos_org").on("pos").column("org_id").execute();

  // Installation owner vs organization members: roles now live on memberships.
  await db.schema.alterTable("staff_users").addColumn(
    "is_owner",
    "boolean",
    (c) => c.notNull().defaultTo(false),
  ).execute();
  await sql`update staff_users set is_owner = (role = 'owner')`.execute(db);
  await db.schema.alterTable("staff_users").dropColumn("role").execute();
  // An invited user has no password until they follow the invitation link.
  await db.schema.alterTable("staff_users").alterColumn("password_hash", (c) => c.dropNotNull())
    .execute();

  await db.schema.createTable("staff_memberships")
    .addColumn("staff_id", id, (c) => c.notNull().references("staff_users.id").onDelete("cascade"))
    .addColumn("org_id", id, (c) => c.notNull().references("organizations.id"))
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("staff_memberships_pk", ["staff_id", "org_id"])
    .addCheckConstraint("staff_memberships_role", sql`role in ('admin', 'marketing', 'support')`)
    .execute();
  await db.schema.createIndex("staff_memberships_org").on("staff_memberships").column("org_id")
    .execute();

  await db.schema.createTable("staff_invites")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("staff_id", id, (c) => c.notNull().references("staff_users.id").onDelete("cascade"))
    .addColumn("org_id", id, (c) => c.notNull().references("organizations.id"))
    .addColumn("created_by", id, (c) => c.notNull().references("staff_users.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("used_at", "timestamptz")
    .execute();

  await db.schema.createTable("access_tokens")
    .addColumn("jti", id, (c) => c.primaryKey())
    .addColumn("org_id", id, (c) => c.notNull().references("organizations.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("principal_id", id, (c) => c.notNull())
    .addColumn("label", "text")
    .addColumn("kid", "text", (c) => c.notNull().references("signing_keys.kid"))
    .addColumn("created_by", id, (c) => c.references("staff_users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("revoked_at", "timestamptz")
    .addCheckConstraint("access_tokens_kind", sql`kind in ('pos', 'site')`)
    .execute();
  await db.schema.createIndex("access_tokens_principal").on("access_tokens")
    .columns(["org_id", "kind", "principal_id"]).execute();

  // A retired key still verifies until every token it signed has expired.
  await db.schema.alterTable("signing_keys").addColumn("verify_until", "timestamptz").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("signing_keys").dropColumn("verify_until").execute();
  for (
    const t of ["access_tokens", "staff_invites", "staff_memberships", "pos", "stores", "sites"]
  ) {
    await db.schema.dropTable(t).execute();
  }
  await db.schema.alterTable("staff_users").addColumn(
    "role",
    "text",
    (c) => c.notNull().defaultTo("support"),
  ).execute();
  await sql`update staff_users set role = case when is_owner then 'owner' else 'support' end`
    .execute(db);
  await db.schema.alterTable("staff_users").dropColumn("is_owner").execute();
  await db.schema.dropTable("organizations").execute();
}
