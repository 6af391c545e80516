import { type Kysely, sql } from "kysely";
import { canonicalPhone } from "../../phones/canonical.ts";

// The customer search reads names as people type them (issue 20 item 5): without their
// accents, in either order of the words, and phones in one canonical form.
//
// `name_folded` is the name lower-cased, without accents and with each word separator as a
// space ("Marie-Hélène Lefèvre" → "marie helene lefevre"), kept by the database itself (a
// stored generated column) so every write of a name keeps it true. `unaccent` is there on our
// Postgres server and in PGlite, but it is STABLE (its rules file can change), so no index or
// generated column may use it: `fold_name` strips the combining marks of the NFD form instead
// (immutable, in core Postgres 13+) and spells out the letters NFD does not split (ø, ł, đ, ß,
// æ, œ). `lower` lower-cases only ASCII under the C locale both databases run with, which is
// why the marks go first: "É" is "E" + a mark, then "e". The search folds what is typed with
// the same function, so both sides agree to the letter.
//
// The indexes of 0008 on `lower(name)` give way to the same ones on `name_folded` (lists are
// now ordered by it, so "Élodie" sorts among the E's): the prefix range read in order, the
// later words' starts by trigrams, and every word's start by trigrams of the name with a space
// before it (words in any order: "Lefèvre Marie").
//
// Phones were stored as typed digits; they become E.164 from the country of the customer's
// home store, else of the group's most common store zone (phones/canonical.ts), in pages of
// 1,000 customers. A number that cannot be placed keeps its digits.
const FOLD = sql`
  create function fold_name(t text) returns text language sql immutable strict parallel safe as $$
    select translate(lower(replace(replace(replace(replace(replace(replace(
      regexp_replace(normalize(t, NFD), '[\u0300-\u036f]', '', 'g'),
      'ß', 'ss'), 'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'ẞ', 'ss')),
      E'-\\t\\n\\rØøŁłĐđ', '    oolldd')
  $$`;

const PAGE = 1_000;

export async function up(db: Kysely<unknown>): Promise<void> {
  await FOLD.execute(db);
  await sql`alter table customers
    add column name_folded text generated always as (fold_name(name)) stored`.execute(db);
  await sql`drop index customers_name_later_words`.execute(db);
  await sql`drop index customers_name_words`.execute(db);
  await sql`create index customers_name_folded
    on customers (group_id, name_folded text_pattern_ops)`.execute(db);
  await sql`create index customers_name_folded_later on customers
    using gin (substr(name_folded, strpos(name_folded, ' ')) gin_trgm_ops)`.execute(db);
  await sql`create index customers_name_folded_words on customers
    using gin ((' ' || name_folded) gin_trgm_ops)`.execute(db);
  await canonicalPhones(db);
}

async function canonicalPhones(db: Kysely<unknown>) {
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const { rows } = await sql<{ id: string; phone: string; zone: string | null }>`
      select c.id, c.phone, coalesce(home.timezone, (
        select st.timezone from merchants m
          join merchant_stores ms on ms.merchant_id = m.id
          join stores st on st.id = ms.store_id
        where m.group_id = c.group_id
        group by st.timezone order by count(*) desc, st.timezone limit 1)) as zone
      from customers c left join stores home on home.id = c.home_store_id
      where c.phone is not null and c.id > ${after}::uuid
      order by c.id limit ${PAGE}`.execute(db);
    if (!rows.length) return;
    after = rows[rows.length - 1].id;
    const changed = rows.map((r) => ({ id: r.id, phone: canonicalPhone(r.phone, r.zone) }))
      .filter((r, i) => r.phone !== rows[i].phone);
    if (!changed.length) continue;
    await sql`update customers set phone = v.phone
      from (values ${sql.join(changed.map((r) => sql`(${r.id}::uuid, ${r.phone})`))}) v(id, phone)
      where customers.id = v.id`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Phones stay in their canonical form: digits with the leading +, as 0008's search reads them.
  await sql`drop index customers_name_folded_words`.execute(db);
  await sql`drop index customers_name_folded_later`.execute(db);
  await sql`drop index customers_name_folded`.execute(db);
  await sql`create index customers_name_words on customers
    using gin (translate(lower(name), E'-\\t\\n\\r', '    ') gin_trgm_ops)`.execute(db);
  await sql`create index customers_name_later_words on customers using gin (
    substr(translate(lower(name), E'-\\t\\n\\r', '    '),
      strpos(translate(lower(name), E'-\\t\\n\\r', '    '), ' ')) gin_trgm_ops)`.execute(db);
  await sql`alter table customers drop column name_folded`.execute(db);
  await sql`drop function fold_name(text)`.execute(db);
}
