import { type Kysely, sql } from "kysely";

/**
 * Tables whose rows POS calls read from a per-instance cache, by the channel that announces
 * their changes: programme data (programme/cache.ts) and what a device token's check depends
 * on (tokens/device_verifier.ts).
 */
const WATCHED = {
  le_programme: ["merchants", "merchant_stores", "merchant_groups", "loyalty_settings"],
  le_devices: ["access_tokens", "signing_keys", "organizations", "sites", "stores", "pos"],
};

export async function up(db: Kysely<unknown>): Promise<void> {
  // Every change announces itself on commit, whoever writes it (the app, a script, psql):
  // instances listening on the channel drop their cached copies at once.
  await sql`create function le_notify_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify(tg_argv[0], '');
      return null;
    end $$`.execute(db);
  for (const [channel, tables] of Object.entries(WATCHED)) {
    for (const table of tables) {
      await sql`create trigger ${sql.id(`${table}_changed`)}
        after insert or update or delete or truncate on ${sql.table(table)}
        for each statement execute function le_notify_change(${sql.lit(channel)})`.execute(db);
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of Object.values(WATCHED).flat()) {
    await sql`drop trigger ${sql.id(`${table}_changed`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function le_notify_change()`.execute(db);
}
