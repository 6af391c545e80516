import { type Kysely, sql } from "kysely";

// Indexes for the admin customer search (members/customers.ts, searchCustomers): a word of
// the name from its start and any part of the email by trigrams, a phone number by its
// trailing digits through the reversed number.
//
// pg_trgm is a trusted extension (Postgres 13+): the database owner may create it without
// superuser rights. PGlite loads it as an extension of the instance (db/connection.ts).
//
// The trigram indexes span every group: GIN cannot lead with group_id without btree_gin. The
// search filters the group on the rows an index finds, so a term costs what it matches across
// groups, not the whole table. The expressions are exactly the ones the search compares, so
// the planner matches them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  // The name after its first word, each word separator as a space: " smith" for "Anna Smith",
  // " carmen ortega ruiz" for "Maria del-Carmen Ortega-Ruiz"; "% smi%" then finds a later word
  // by its start. The first word is found through customers_name (a prefix range, in order):
  // a frequent first name would otherwise put all its holders through the trigram index.
  await sql`create index customers_name_later_words on customers using gin (
    substr(translate(lower(name), E'-\\t\\n\\r', '    '),
      strpos(translate(lower(name), E'-\\t\\n\\r', '    '), ' ')) gin_trgm_ops)`.execute(db);
  // The whole name so: a name that starts with several words of `q` ("anna smi"), whose first
  // word alone may be frequent.
  await sql`create index customers_name_words on customers
    using gin (translate(lower(name), E'-\\t\\n\\r', '    ') gin_trgm_ops)`.execute(db);
  await sql`create index customers_email_trigrams on customers
    using gin (lower(email) gin_trgm_ops) where email is not null`.execute(db);
  // "ends with 345678" is "starts with 876543" on the reversed number: a prefix range.
  await sql`create index customers_phone_reversed on customers
    (group_id, reverse(phone) text_pattern_ops) where phone is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index customers_phone_reversed`.execute(db);
  await sql`drop index customers_email_trigrams`.execute(db);
  await sql`drop index customers_name_words`.execute(db);
  await sql`drop index customers_name_later_words`.execute(db);
  // The extension stays: other objects may have come to depend on it, and keeping it is
  // harmless.
}
