import { sql } from "kysely";
import { Migrator } from "kysely/migration";
import type { Db } from "./connection.ts";
import { migrations } from "./migrations/mod.ts";

/** The migrations this code knows, in the order they apply (Kysely orders them by name). */
export const knownMigrations: readonly string[] = Object.keys(migrations).sort();

/** The newest migration this code knows: the schema version it needs. */
export const latestKnownMigration = knownMigrations[knownMigrations.length - 1];

/**
 * Where the database's schema stands against the code: `current`; `pending` (older than the
 * code: `db:migrate` has not run yet); `ahead` (migrated by a newer version, whose
 * migrations this code does not know — an old instance during a rolling deploy).
 */
export type SchemaState = "current" | "pending" | "ahead";

export function schemaState(applied: string | null): SchemaState {
  if (applied === latestKnownMigration) return "current";
  return applied !== null && !knownMigrations.includes(applied) ? "ahead" : "pending";
}

const UNDEFINED_TABLE = "42P01";

/**
 * The latest migration recorded in the database (null when none ran yet), in one statement:
 * the health check's database round trip. Kysely applies migrations in name order, so the
 * greatest name is the latest. Throws when the database does not answer.
 */
export async function latestAppliedMigration(db: Db): Promise<string | null> {
  const query = sql<{ name: string | null }>`select max(name) as name from kysely_migration`;
  return (await unlessNeverMigrated(query.execute(db), { rows: [] })).rows[0]?.name ?? null;
}

/** A query of Kysely's migration table, or `none` when it does not exist yet. */
async function unlessNeverMigrated<T>(query: Promise<T>, none: T): Promise<T> {
  try {
    return await query;
  } catch (err) {
    if ((err as { code?: string }).code === UNDEFINED_TABLE) return none;
    throw err;
  }
}

/** A database migrated by a newer version of the code: this one must not migrate it. */
export class SchemaAheadError extends Error {
  constructor(readonly unknown: string[]) {
    super(
      `the database has migrations this code does not know (${unknown.join(", ")}): it was ` +
        `migrated by a newer version; run db:migrate of that version or newer`,
    );
  }
}

/**
 * Applies the pending migrations; answers their names. On Postgres, Kysely holds an advisory
 * lock while it migrates, so two migrators at once apply each migration once: the second
 * waits, then finds nothing pending.
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
  const recorded = await unlessNeverMigrated(
    sql<{ name: string }>`select name from kysely_migration`.execute(db),
    { rows: [] },
  );
  const unknown = recorded.rows.map((r) => r.name).filter((n) => !knownMigrations.includes(n));
  if (unknown.length) throw new SchemaAheadError(unknown);
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

if (import.meta.main) {
  const { connect } = await import("./connection.ts");
  const { loadConfig } = await import("../config.ts");
  const config = loadConfig();
  const conn = await connect(config.databaseUrl, { dataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(conn.db);
    console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
  } catch (err) {
    // One line, never the URL: a driver's message names the server, not the password.
    console.error(`db:migrate failed: ${err instanceof Error ? err.message : err}`);
    Deno.exitCode = 1;
  } finally {
    await conn.close();
  }
}
