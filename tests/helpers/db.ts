import pg from "pg";
import { connect, type Connection } from "../../db/connection.ts";
import { migrateToLatest } from "../../db/migrate.ts";

/**
 * A fresh, migrated database on the backend chosen by TEST_DATABASE_URL: unset → in-memory
 * PGlite (cloned from a dump migrated once per process); set → a new database on that
 * server, dropped by `close()`.
 */
export interface TestDatabase extends Connection {
  /** A URL the app can be started with: `memory://` or the new server database. */
  url: string;
}

const serverUrl = Deno.env.get("TEST_DATABASE_URL") || undefined;

export const testBackend = serverUrl ? "postgres" : "pglite";

let migratedDump: Promise<Blob> | undefined;

async function migratedPgliteDump(): Promise<Blob> {
  const conn = await connect("memory://");
  try {
    await migrateToLatest(conn.db);
    return await conn.pglite!.dumpDataDir("none");
  } finally {
    await conn.close();
  }
}

/** `migrated: false` gives an empty database, as a new deployment finds it. */
export async function createTestDatabase(
  { migrated = true }: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  if (!serverUrl) {
    if (!migrated) return { ...await connect("memory://"), url: "memory://" };
    migratedDump ??= migratedPgliteDump();
    const conn = await connect("memory://", { loadDataDir: await migratedDump });
    return { ...conn, url: "memory://" };
  }
  const name = `le_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const conn = await connect(url.toString());
  if (migrated) await migrateToLatest(conn.db);
  return {
    ...conn,
    url: url.toString(),
    close: async () => {
      await conn.close();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      // pool.end() resolves before its connections have closed; forcing the drop while one is
      // still closing kills it, and pg raises that as an uncaught error in the test process.
      for (let i = 0; i < 100; i++) {
        const open = await c.query(
          "select count(*)::int as n from pg_stat_activity where datname = $1",
          [name],
        );
        if (open.rows[0].n === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
