import { Kysely, PostgresDialect } from "kysely";
import { PGlite } from "@electric-sql/pglite";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import type { Database } from "./schema.ts";

export type Db = Kysely<Database>;

export interface Connection {
  db: Db;
  /** `pglite` (embedded, in a folder or in memory) or `postgres` (a server). */
  kind: "pglite" | "postgres";
  /** The PGlite instance, for dumps in tests; absent on a server. */
  pglite?: PGlite;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Folder for the embedded database when no URL is given. */
  dataDir?: string;
  /** A dump of a migrated PGlite to start from (tests clone it instead of migrating). */
  loadDataDir?: Blob | File;
}

/**
 * Unset → PGlite in `dataDir`; `memory://` → in-memory PGlite; `postgres://…` → a pg pool.
 */
export async function connect(url: string | undefined, opts: ConnectOptions = {}) {
  if (url && /^postgres(ql)?:\/\//.test(url)) return connectServer(url);
  if (url && url !== "memory://") {
    throw new Error(`DATABASE_URL must be postgres://…, postgresql://… or memory:// (got ${url})`);
  }
  const dataDir = url === "memory://" ? undefined : (opts.dataDir ?? "./data");
  if (dataDir) await Deno.mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create({ dataDir, loadDataDir: opts.loadDataDir });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: "pglite",
    pglite,
    close: async () => {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  } satisfies Connection as Connection;
}

function connectServer(url: string): Connection {
  const pool = new pg.Pool({
    connectionString: url,
    max: Number(Deno.env.get("DATABASE_POOL_SIZE") ?? 10),
  });
  // An idle client dropped by the server (a restart, a failover) would otherwise be an
  // unhandled error that ends the process; the pool replaces it on the next query.
  pool.on("error", (err) => {
    console.error(JSON.stringify({ msg: "idle database connection lost", error: err.message }));
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: "postgres", close: () => db.destroy() };
}
