import { type Kysely, sql } from "kysely";

/** The tables a POS call reads as programme data (cached per instance, see programme/cache.ts). */
const PROGRAMME_TABLES = ["merchants", "merchant_stores", "merchant_groups", "loyalty_settings"];

export async function up(db: Kysely<unknown>): Promise<void> {
  // Every change to programme data announces itself on commit, whoever writes it (the app, a
  // script, psql): instances listening on the channel drop their cached copies.
  await sql`create function le_programme_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('le_programme', '');
      return null;
    end $$`.execute(db);
  for (const table of PROGRAMME_TABLES) {
    await sql`create trigger ${sql.id(`${table}_changed`)}
      after insert or update or delete or truncate on ${sql.table(table)}
      for each statement execute function le_programme_changed()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of PROGRAMME_TABLES) {
    await sql`drop trigger ${sql.id(`${table}_changed`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function le_programme_changed()`.execute(db);
}
