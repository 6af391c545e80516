import { Kysely, PostgresDialect } from "kysely";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
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
  /**
   * Calls `onNotify` for each notification on `channel` (sent by a transaction, delivered
   * when it commits), and again whenever listening resumes after the connection was lost, as
   * notifications may have been missed meanwhile. Resolves once listening.
   */
  listen(channel: string, onNotify: () => void): Promise<void>;
  close(): Promise<void>;
}

/** Channel names are plain identifiers of ours; anything else is a programming error. */
function channelName(channel: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  return channel;
}

export interface ConnectOptions {
  /** Folder for the embedded database when no URL is given. */
  dataDir?: string;
  /** A dump of a migrated PGlite to start from (tests clone it instead of migrating). */
  loadDataDir?: Blob | File;
  /** A server's connections at most (default DATABASE_POOL_SIZE, else 10). */
  poolSize?: number;
  /** How the server's connections are named in pg_stat_activity (default APPLICATION_NAME). */
  applicationName?: string;
}

/**
 * Unset → PGlite in `dataDir`; `memory://` → in-memory PGlite; `postgres://…` → a pg pool.
 */
export async function connect(url: string | undefined, opts: ConnectOptions = {}) {
  if (url && /^postgres(ql)?:\/\//.test(url)) return connectServer(url, opts);
  if (url && url !== "memory://") {
    // Only the scheme: the rest of a URL may hold a password.
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? "no scheme";
    throw new Error(
      `DATABASE_URL must be postgres://…, postgresql://… or memory:// (got ${scheme})`,
    );
  }
  const dataDir = url === "memory://" ? undefined : (opts.dataDir ?? "./data");
  if (dataDir) await Deno.mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create({
    dataDir,
    loadDataDir: opts.loadDataDir,
    extensions: PGLITE_EXTENSIONS,
    // A date (a store's trading day) stays its text, as from pg below.
    parsers: { [DATE]: (text: string) => text },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: "pglite",
    pglite,
    // The embedded database is this process's own: a notification arrives before the COMMIT
    // that sent it resolves.
    listen: async (channel, onNotify) => {
      await pglite.listen(channelName(channel), () => onNotify());
    },
    close: async () => {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  } satisfies Connection as Connection;
}

function connectServer(url: string, opts: ConnectOptions): Connection {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? Number(Deno.env.get("DATABASE_POOL_SIZE") ?? 10),
    types: { getTypeParser: typeParser },
    // A request waits at most this long for a connection (the server unreachable, or every
    // connection busy), then answers 503 instead of hanging.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    application_name: opts.applicationName ?? APPLICATION_NAME,
  });
  // An idle client dropped by the server (a restart, a failover) would otherwise be an
  // unhandled error that ends the process; the pool replaces it on the next query.
  pool.on("error", (err) => {
    console.error(JSON.stringify({ msg: "idle database connection lost", error: err.message }));
  });
  pool.on("connect", (client) => {
    // The pool listens only to its idle clients: one checked out (mid-transaction) that the
    // server drops emits "error" to nobody, which ends the process. Its queries reject
    // anyway, and the pool discards it when it is released.
    client.on("error", (err) => {
      console.error(JSON.stringify({ msg: "database connection lost", error: err.message }));
    });
    prepareStatements(client);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const listener = new ServerListener(url);
  return {
    db,
    kind: "postgres",
    listen: (channel, onNotify) => listener.listen(channelName(channel), onNotify),
    close: async () => {
      await listener.close();
      await db.destroy();
    },
  };
}

const CONNECT_TIMEOUT_MS = 5_000;
/** How the server's connections are named in pg_stat_activity. */
export const APPLICATION_NAME = "loyalty-edge";
export const LISTENER_APPLICATION_NAME = "loyalty-edge listen";
/** A replay worker's own connection (replay/worker.ts). */
export const REPLAY_APPLICATION_NAME = "loyalty-edge replay";

const INT8 = 20;
/** A calendar date has no time zone: a Date at the process's local midnight would invent one. */
const DATE = 1082;

/**
 * The Postgres extensions the migrations create (0008: pg_trgm for the customer search). Every
 * PGlite instance must load them, a clone from a dump (`loadDataDir`) too: its catalog
 * refers to them, and a trigram index cannot be read or written without the extension's code.
 */
export const PGLITE_EXTENSIONS = { pg_trgm };

/**
 * bigint columns (ledger amounts and balances) come back as PGlite returns them: a number when
 * it is a safe integer, else a BigInt; pg alone would give strings.
 */
const typeParser =
  ((oid: number, format?: string) =>
    oid === INT8 && format !== "binary"
      ? (text: string) => {
        const n = Number(text);
        return Number.isSafeInteger(n) ? n : BigInt(text);
      }
      : oid === DATE && format !== "binary"
      ? (text: string) => text
      : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser;

/** Statements worth preparing: queries and writes, never DDL or transaction control. */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

const statementNames = new Map<string, string>();

/** A stable name for a statement's text (FNV-1a, 64 bits), computed once per text. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    let h = 0xcbf29ce484222325n;
    for (let i = 0; i < text.length; i++) {
      h = BigInt.asUintN(64, (h ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n);
    }
    name = `le_${h.toString(36)}`;
    // The texts of one app are few; a runaway set (ad-hoc IN lists) only costs a recount.
    if (statementNames.size >= 10_000) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Every query of a pooled connection runs as a named prepared statement (parsed once per
 * connection, by the text Kysely compiles). Postgres spent as long planning the hot POS
 * statements as running them (0.58 ms against 0.04 ms); a prepared statement is parsed once
 * and, after a few runs, planned once.
 */
function prepareStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (text: unknown, values?: unknown) =>
    typeof text === "string" && PREPARABLE.test(text)
      ? query({ name: statementName(text), text, values })
      : query(text, values);
}

const RELISTEN_DELAY_MS = 1_000;

/**
 * One connection of its own that LISTENs (a pooled connection would lose its LISTEN when
 * returned). When it drops, or cannot be opened, it is tried again every second until it is
 * back; then every channel is told, since what was sent meanwhile is lost.
 */
class ServerListener {
  #client?: pg.Client;
  #connecting?: Promise<void>;
  #retry?: ReturnType<typeof setTimeout>;
  #closed = false;
  readonly #channels = new Map<string, (() => void)[]>();

  constructor(readonly url: string) {}

  async listen(channel: string, onNotify: () => void): Promise<void> {
    const known = this.#channels.has(channel);
    this.#channels.set(channel, [...(this.#channels.get(channel) ?? []), onNotify]);
    // Reconnecting: the channel is listened to with the others once the connection is back.
    if (this.#retry) return;
    if (this.#client && !known) await this.#client.query(`listen ${channel}`);
    else {
      try {
        await (this.#connecting ??= this.#connect());
      } catch (err) {
        this.#connecting = undefined;
        this.#scheduleResume();
        throw err;
      }
    }
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      keepAlive: true,
      application_name: LISTENER_APPLICATION_NAME,
    });
    client.on("notification", (n) => this.#channels.get(n.channel)?.forEach((f) => f()));
    client.on("error", () => {/* followed by "end", handled there */});
    client.on("end", () => {
      if (this.#closed || this.#client !== client) return;
      this.#client = undefined;
      this.#scheduleResume();
    });
    try {
      await client.connect();
      for (const channel of this.#channels.keys()) await client.query(`listen ${channel}`);
    } catch (err) {
      // Connected but not listening: not kept, so it is closed.
      await client.end().catch(() => {});
      throw err;
    }
    this.#client = client;
    this.#connecting = undefined;
  }

  #scheduleResume() {
    if (this.#closed || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#resume();
    }, RELISTEN_DELAY_MS);
  }

  async #resume() {
    if (this.#closed) return;
    try {
      await (this.#connecting = this.#connect());
      for (const fs of this.#channels.values()) fs.forEach((f) => f());
    } catch (err) {
      this.#connecting = undefined;
      console.error(JSON.stringify({ msg: "LISTEN connection lost", error: String(err) }));
      this.#scheduleResume();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.#connecting?.catch(() => {});
    await this.#client?.end();
  }
}
