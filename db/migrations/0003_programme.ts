import { type Kysely, sql } from "kysely";

const uuid = sql`gen_random_uuid()`;
const now = sql`now()`;

// The loyalty programme: merchant groups own settings, series, instruments, customers and
// items. Every table carries org_id, the tenant key every query filters on.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable("merchant_groups")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuid))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("organizations.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex("merchant_groups_org").on("merchant_groups").column("org_id")
    .execute();

  await db.schema.createTable("merchants")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuid))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("organizations.id"))
    .addColumn("name", "text", (c) => c.notNull())
    // Null until the merchant joins a group: until then its POS calls are refused.
    .addColumn("group_id", "uuid", (c) => c.references("merchant_groups.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex("merchants_org").on("merchants").column("org_id").execute();

  // A store belongs to at most one merchant, so a POS resolves to one programme.
  await db.schema.createTable("merchant_stores")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("organizations.id"))
    .addColumn("merchant_id", "uuid", (c) => c.notNull().references("merchants.id"))
    .addColumn("store_id", "uuid", (c) => c.notNull().references("stores.id").unique())
    .addPrimaryKeyConstraint("merchant_stores_pk", ["merchant_id", "store_id"])
    .execute();

  await db.schema.createTable("loyalty_settings")
    .addColumn("group_id", "uuid", (c) => c.primaryKey().references("merchant_groups.id"))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("organizations.id"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("settings", "jsonb", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addColumn("updated_by", "uuid", (c) => c.references("staff_users.id").onDelete("set null"))
    .execute();

  await db.schema.createTable("audit_log")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuid))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("organizations.id"))
    .addColumn("entity", "text", (c) => c.notNull())
    .addColumn("entity_id", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("actor_id", "uuid", (c) => c.references("staff_users.id").onDelete("set null"))
    .addColumn("actor_label", "text", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addColumn("before", "jsonb")
    .addColumn("after", "jsonb")
    .addColumn("diff", "jsonb", (c) => c.notNull())
    .execute();
  await sql`create index audit_log_entity on audit_log (org_id, entity, entity_id, at desc)`
    .execute(db);
  await sql`create index audit_log_actor on audit_log (org_id, actor_id, at desc)`.execute(db);

  await db.schema.createTable("series")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuid))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("organizations.id"))
    .addColumn("group_id", "uuid", (c) => c.notNull().references("merchant_groups.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("prefix", "text", (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("initial_value", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("expiry_days", "integer")
    .addColumn("max_uses", "integer")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addCheckConstraint(
      "series_type",
      sql`type in ('gift-card', 'loyalty-card', 'store-credit', 'coupon')`,
    )
    .addUniqueConstraint("series_group_prefix", ["group_id", "prefix"])
    .execute();

  await db.schema.createTable("customers")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuid))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("organizations.id"))
    .addColumn("group_id", "uuid", (c) => c.notNull().references("merchant_groups.id"))
    .addColumn("number", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("email", "text")
    .addColumn("phone", "text")
    .addColumn("home_store_id", "uuid", (c) => c.references("stores.id"))
    // Category codes 1–5; index 0 is category 1, the customer type.
    .addColumn("categories", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint("customers_group_number", ["group_id", "number"])
    .execute();
  await sql`create index customers_email on customers (group_id, lower(email))`.execute(db);
  await sql`create index customers_phone on customers (group_id, phone)`.execute(db);
  await sql`create index customers_name on customers (group_id, lower(name) text_pattern_ops)`
    .execute(db);

  await db.schema.createTable("instrument_generations")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuid))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("organizations.id"))
    .addColumn("series_id", "uuid", (c) => c.notNull().references("series.id"))
    .addColumn("idempotency_key", "text", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addColumn("created", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("running"))
    .addColumn("error", "text")
    .addColumn("created_by", "uuid", (c) => c.references("staff_users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addColumn("finished_at", "timestamptz")
    .addCheckConstraint("generation_status", sql`status in ('running', 'done', 'failed')`)
    .addUniqueConstraint("generation_key", ["series_id", "idempotency_key"])
    .execute();

  await db.schema.createTable("instruments")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuid))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("organizations.id"))
    .addColumn("group_id", "uuid", (c) => c.notNull().references("merchant_groups.id"))
    .addColumn("series_id", "uuid", (c) => c.notNull().references("series.id"))
    .addColumn("number", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("inactive"))
    .addColumn("customer_id", "uuid", (c) => c.references("customers.id"))
    .addColumn("uses", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("expires_at", "timestamptz")
    .addColumn("generation_id", "uuid", (c) => c.references("instrument_generations.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addCheckConstraint(
      "instrument_status",
      sql`status in ('inactive', 'active', 'blocked', 'expired', 'void')`,
    )
    .addUniqueConstraint("instruments_group_number", ["group_id", "number"])
    .execute();
  await db.schema.createIndex("instruments_series").on("instruments").columns(["series_id", "id"])
    .execute();
  await db.schema.createIndex("instruments_customer").on("instruments").column("customer_id")
    .execute();

  await db.schema.createTable("accounts")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuid))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("organizations.id"))
    .addColumn("customer_id", "uuid", (c) => c.notNull().references("customers.id"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex("accounts_customer").on("accounts").column("customer_id").execute();

  await db.schema.createTable("items")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(uuid))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("organizations.id"))
    .addColumn("group_id", "uuid", (c) => c.notNull().references("merchant_groups.id"))
    .addColumn("sku", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("category", "text", (c) => c.notNull())
    // Sell prices 1–5 in minor units (seed 004: wholesale orders use one price level).
    .addColumn("prices", sql`integer[]`, (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint("items_group_sku", ["group_id", "sku"])
    .execute();

  // A retried POS call with the same key returns the first answer and changes nothing.
  await db.schema.createTable("idempotency_keys")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("organizations.id"))
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("status", "integer", (c) => c.notNull())
    .addColumn("body", "jsonb", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint("idempotency_keys_pk", ["org_id", "scope", "key"])
    .execute();

  await sql`alter table access_tokens drop constraint access_tokens_kind`.execute(db);
  await sql`alter table access_tokens add constraint access_tokens_kind
    check (kind in ('pos', 'site', 'merchant'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table access_tokens drop constraint access_tokens_kind`.execute(db);
  await sql`alter table access_tokens add constraint access_tokens_kind
    check (kind in ('pos', 'site'))`.execute(db);
  for (
    const t of [
      "idempotency_keys",
      "items",
      "accounts",
      "instruments",
      "instrument_generations",
      "customers",
      "series",
      "audit_log",
      "loyalty_settings",
      "merchant_stores",
      "merchants",
      "merchant_groups",
    ]
  ) {
    await db.schema.dropTable(t).execute();
  }
}
