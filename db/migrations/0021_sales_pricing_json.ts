import { type Kysely, sql } from "kysely";

// A sale's recorded pricing kept as the JSON text it was written as (`json`), not parsed into
// `jsonb` (issue 19, the till during a replay). Nothing queries inside it; a replay reads it
// whole, thousands of rows a page, and printing jsonb back as text was three quarters of the
// cost of reading a page on the embedded database (2,000 rows: 300 ms against 80 ms), time
// the till's requests waited for on the server's thread. The change rewrites the table once.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sales alter column pricing type json using pricing::json`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sales alter column pricing type jsonb using pricing::jsonb`.execute(db);
}
