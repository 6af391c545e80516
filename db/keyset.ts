import { sql } from "kysely";

/**
 * The keyset condition of a list ordered by name then id: rows after the page that ended at
 * `[name, id]`. A row comparison, so Postgres can walk a (name, id) index.
 */
export const afterNameAndId = ([name, id]: string[]) =>
  sql<boolean>`(name, id) > (${name}, ${id}::uuid)`;
