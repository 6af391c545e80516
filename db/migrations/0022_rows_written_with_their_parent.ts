import { type Kysely, sql } from "kysely";

// Rows written in one statement with the row they belong to keep no foreign key to it: a
// sale's lines and awards (sales/sale.ts: one INSERT with data-modifying CTEs, the sale's id
// made in the process) and a ledger transaction's entries (ledger/post.ts: their
// transaction_id is the RETURNING of the transaction's insert in the same statement). None is
// ever re-keyed or deleted (the ledger is append-only), so those keys could never fail, yet
// each row's check was a `select … for key share` of its parent: under the chain's load
// (issue 21, Postgres 15) 13.5 such checks a sale at 0.1 ms each on `sales` and 5 at 0.12 ms
// on `ledger_transactions`, the two largest costs of a sale in the database.
// `ledger/check.ts` reports any such row whose parent is missing or of another organization.
const dropped = [
  { table: "sale_lines", column: "sale_id", parent: "sales" },
  { table: "sale_lines", column: "org_id", parent: "organizations" },
  { table: "sale_awards", column: "sale_id", parent: "sales" },
  { table: "sale_awards", column: "org_id", parent: "organizations" },
  { table: "ledger_entries", column: "transaction_id", parent: "ledger_transactions" },
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const { table, column } of dropped) {
    await sql`alter table ${sql.table(table)}
      drop constraint ${sql.ref(`${table}_${column}_fkey`)}`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const { table, column, parent } of dropped) {
    await sql`alter table ${sql.table(table)}
      add constraint ${sql.ref(`${table}_${column}_fkey`)}
      foreign key (${sql.ref(column)}) references ${sql.table(parent)} (id)`.execute(db);
  }
}
