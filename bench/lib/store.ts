/**
 * The database the benchmarked server runs on, with the demo programme loaded by the
 * project's own loader (demo/load.ts) before the server starts — PGlite is one process, so
 * the data are loaded into its folder, the database is closed, then the server opens it.
 */
import { sql } from "kysely";
import pg from "pg";
import { connect, type Db } from "../../db/connection.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import { CHAIN_PRESET, databaseIsEmpty, loadDemo } from "../../demo/load.ts";
import { type ChainData, chainData } from "./chain.ts";
import { checkLedger, isSound } from "../../ledger/check.ts";
import { getDeviceToken, issueDeviceToken, revokeDeviceToken } from "../../tokens/device_tokens.ts";
import type { BasketItem } from "./endpoints.ts";
import {
  type BurstOutcome,
  checkGiftCards,
  type GiftCardCheck,
  type GiftCards,
  prepareGiftCards,
} from "./gift_cards.ts";
import { onCleanUp } from "./processes.ts";

export interface StoreOptions {
  db: "pglite" | "postgres";
  /** Postgres: run in the database of the URL itself instead of a throwaway one. */
  inPlace: boolean;
  customers: number;
  /** The server's PUBLIC_URL: the issuer the POS token must carry. */
  issuer: string;
  tokenKeySecret?: string;
  /** At most this many card numbers are read for lookups. */
  maxCards: number;
  /**
   * The redemption scenarios' gift cards (bench/lib/gift_cards.ts): `many` cards for
   * `redeem-many`, `one` for the `redeem-one` bursts; null when neither runs.
   */
  giftCards: { many: number; one: number } | null;
  /** The chain preset (demo/load.ts CHAIN_PRESET) and a token for each of its tills. */
  chain: boolean;
}

/** What the requests need from the data. */
export interface Fixture {
  token: string;
  cards: string[];
  item: BasketItem;
  merchantGroupId: string;
  /** The gift cards of the redemption scenarios, when they run. */
  giftCards?: GiftCards;
  /** The chain: every till's token, the flagship store's, and the draws of its load. */
  tills?: { all: string[]; flagship: string[] };
  chain?: ChainData;
  /** How the programme got there: loaded now (with its size and time) or found in place. */
  demo: { loaded: boolean; customers: number; seconds: number };
}

export interface Store {
  kind: "pglite" | "postgres";
  /** Where the data live, for the report (never a password). */
  description: string;
  /** DATABASE_URL or DATA_DIR for the server. */
  serverEnv: Record<string, string>;
  /** The database pgbench runs on (Postgres only). */
  pgUrl?: string;
  fixture: Fixture;
}

const log = (msg: string) => console.log(`  ${msg}`);

/** The URL without its password, for messages and the results file. */
export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

export async function prepareStore(opts: StoreOptions): Promise<Store> {
  if (opts.db === "pglite") {
    const dataDir = await Deno.makeTempDir({ prefix: "le_load_" });
    onCleanUp("remove the PGlite folder", () => Deno.remove(dataDir, { recursive: true }));
    log(`PGlite in ${dataDir}`);
    const fixture = await withDatabase(undefined, dataDir, (db) => seed(db, opts));
    return {
      kind: "pglite",
      description: `PGlite in a temporary folder`,
      serverEnv: { DATA_DIR: dataDir },
      fixture,
    };
  }

  const serverUrl = Deno.env.get("LOAD_PG_URL") || Deno.env.get("DATABASE_URL");
  if (!serverUrl || !/^postgres(ql)?:\/\//.test(serverUrl)) {
    throw new Error(
      "--db postgres needs LOAD_PG_URL or DATABASE_URL set to postgres://user@host:port/db",
    );
  }
  if (opts.inPlace) {
    const url = Deno.env.get("DATABASE_URL");
    if (!url || !/^postgres(ql)?:\/\//.test(url)) {
      throw new Error("--in-place needs DATABASE_URL set to postgres://…");
    }
    log(`in place: ${redact(url)}`);
    const fixture = await withDatabase(url, undefined, (db) => seed(db, opts));
    return {
      kind: "postgres",
      description: `in place: ${redact(url)}`,
      serverEnv: { DATABASE_URL: url },
      pgUrl: url,
      fixture,
    };
  }

  const name = `le_load_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await adminQuery(serverUrl, `create database ${name}`);
  onCleanUp(`drop database ${name}`, () => dropDatabase(serverUrl, name));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  log(`throwaway database ${redact(url.toString())}`);
  const fixture = await withDatabase(url.toString(), undefined, (db) => seed(db, opts));
  return {
    kind: "postgres",
    description: `throwaway database ${name} on ${url.host}`,
    serverEnv: { DATABASE_URL: url.toString() },
    pgUrl: url.toString(),
    fixture,
  };
}

/**
 * The ledger invariant check (ledger/check.ts) on the store, once the server has stopped: after
 * the load, every transaction must still balance and every kept balance equal its entries.
 * Also counts what the load wrote and, when the redemption scenarios ran, checks the gift
 * cards (overdraws, the bursts' exact counts, every series' liability: bench/lib/gift_cards.ts).
 */
export async function checkStoreLedger(
  store: Store,
  bursts: BurstOutcome[] = [],
): Promise<{
  sound: boolean;
  check: Awaited<ReturnType<typeof checkLedger>>;
  sales: number;
  transactions: number;
  entries: number;
  giftCards: GiftCardCheck | null;
}> {
  const conn = await connect(store.pgUrl, { dataDir: store.serverEnv.DATA_DIR });
  try {
    const check = await checkLedger(conn.db);
    const gift = store.fixture.giftCards;
    const giftCards = gift || bursts.length ? await checkGiftCards(conn.db, gift, bursts) : null;
    const count = async (table: "sales" | "ledger_transactions" | "ledger_entries") =>
      Number(
        (await conn.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as("n"))
          .executeTakeFirstOrThrow()).n,
      );
    return {
      sound: isSound(check),
      check,
      sales: await count("sales"),
      transactions: await count("ledger_transactions"),
      entries: await count("ledger_entries"),
      giftCards,
    };
  } finally {
    await conn.close();
  }
}

async function withDatabase<T>(
  url: string | undefined,
  dataDir: string | undefined,
  fn: (db: Db) => Promise<T>,
): Promise<T> {
  const conn = await connect(url, { dataDir });
  try {
    await migrateToLatest(conn.db);
    return await fn(conn.db);
  } finally {
    await conn.close();
  }
}

/** Loads the demo into an empty database; in place, reuses the programme already there. */
async function seed(db: Db, opts: StoreOptions): Promise<Fixture> {
  const secret = opts.tokenKeySecret;
  let token: string;
  let groupId: string;
  let demo: Fixture["demo"];
  if (await databaseIsEmpty(db)) {
    log(`loading the demo (${opts.customers.toLocaleString("en")} customers)…`);
    const started = performance.now();
    const loaded = await loadDemo(db, {
      customers: opts.customers,
      items: 500,
      giftCards: 1_000,
      coupons: 0,
      sales: 0,
      force: false,
      issuer: opts.issuer,
      tokenKeySecret: secret,
      ...(opts.chain ? { chain: CHAIN_PRESET.chain } : {}),
    });
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    log(`demo loaded in ${seconds} s`);
    token = loaded.posToken;
    groupId = loaded.merchantGroupId;
    demo = { loaded: true, customers: opts.customers, seconds };
  } else {
    if (!opts.inPlace) throw new Error("the benchmark's new database is not empty");
    // A POS of a store whose merchant is in a group, and a short-lived token for it.
    const found = await db.selectFrom("pos as p")
      .innerJoin("merchant_stores as ms", "ms.store_id", "p.store_id")
      .innerJoin("merchants as m", "m.id", "ms.merchant_id")
      .selectAll("p").select("m.group_id")
      .where("m.group_id", "is not", null).where("p.status", "=", "active")
      .orderBy("p.created_at").limit(1).executeTakeFirst();
    const staff = await db.selectFrom("staff_users").select(["id", "email"])
      .orderBy("is_owner", "desc").orderBy("created_at").limit(1).executeTakeFirst();
    if (!found || !staff) {
      throw new Error(
        "the database holds data but no POS of a merchant in a group: load the demo into an " +
          "empty database (or drop --in-place for a throwaway one)",
      );
    }
    const { group_id, ...pos } = found;
    const issued = await issueDeviceToken(
      { db, issuer: opts.issuer, secret },
      { kind: "pos", pos },
      { ttlDays: 1, label: "load benchmark", createdBy: staff },
    );
    onCleanUp("revoke the benchmark's POS token", async () => {
      const url = Deno.env.get("DATABASE_URL")!;
      await withDatabase(url, undefined, async (db) => {
        const record = await getDeviceToken(db, issued.jti);
        if (record) await revokeDeviceToken(db, record, staff);
      });
    });
    token = issued.token;
    groupId = group_id!;
    const { n } = await db.selectFrom("customers").select(sql<number>`count(*)::int`.as("n"))
      .where("group_id", "=", groupId).executeTakeFirstOrThrow();
    demo = { loaded: false, customers: n, seconds: 0 };
    log(`reusing the programme in place (${n.toLocaleString("en")} customers)`);
  }

  const giftCards = opts.giftCards
    ? await prepareGiftCards(db, groupId, {
      ...opts.giftCards,
      // A few activations at a time on a pool; PGlite's one connection takes them in turn.
      workers: opts.db === "postgres" ? 8 : 1,
    }, log)
    : undefined;

  const tills = opts.chain ? await chainTills(db, groupId, opts) : undefined;

  // Postgres: the statistics autovacuum would gather a minute later, gathered now, so the
  // plans do not change during the run. PGlite never gathers any (no autovacuum): left as is.
  if (opts.db === "postgres") await sql`analyze`.execute(db);
  const cards = await db.selectFrom("instruments as i")
    .innerJoin("series as s", "s.id", "i.series_id")
    .select("i.number")
    .where("i.group_id", "=", groupId).where("s.type", "=", "loyalty-card")
    .where("i.customer_id", "is not", null)
    .orderBy(sql`random()`).limit(opts.maxCards).execute();
  if (cards.length === 0) throw new Error("no customer cards in the programme");
  const items = await db.selectFrom("items").select(["sku", "category", "prices"])
    .where("group_id", "=", groupId).orderBy("sku").execute();
  const item = items[0];
  const chain = opts.chain
    ? chainData({
      members: opts.customers,
      holders: CHAIN_PRESET.chain.pointsHolders,
      items: items.map((i) => ({ sku: i.sku, category: i.category, price: i.prices[0] })),
      giftCards: giftCards?.many ?? [],
    })
    : undefined;
  return {
    tills,
    chain,
    token,
    cards: cards.map((c) => c.number),
    item: item
      ? { sku: item.sku, category: item.category, price: item.prices[0] }
      : { sku: "LOAD00001", category: "LOAD", price: 1_000 },
    merchantGroupId: groupId,
    giftCards,
    demo,
  };
}

/** A day's token for every POS of the group's stores; the flagship is store number 1. */
export async function chainTills(
  db: Db,
  groupId: string,
  opts: Pick<StoreOptions, "issuer" | "tokenKeySecret">,
): Promise<{ all: string[]; flagship: string[] }> {
  const staff = await db.selectFrom("staff_users").select(["id", "email"])
    .orderBy("is_owner", "desc").orderBy("created_at").limit(1).executeTakeFirstOrThrow();
  const tills = await db.selectFrom("pos as p")
    .innerJoin("stores as s", "s.id", "p.store_id")
    .innerJoin("merchant_stores as ms", "ms.store_id", "p.store_id")
    .innerJoin("merchants as m", "m.id", "ms.merchant_id")
    .selectAll("p").select("s.number as store_number")
    .where("m.group_id", "=", groupId).where("p.status", "=", "active")
    .orderBy("s.number").orderBy("p.number").execute();
  log(`issuing a token for each of ${tills.length} tills…`);
  const all: string[] = [];
  const flagship: string[] = [];
  for (const { store_number, ...pos } of tills) {
    const { token } = await issueDeviceToken(
      { db, issuer: opts.issuer, secret: opts.tokenKeySecret },
      { kind: "pos", pos },
      { ttlDays: 1, label: "load benchmark", createdBy: staff },
    );
    all.push(token);
    if (store_number === 1) flagship.push(token);
  }
  return { all, flagship };
}

async function adminQuery(serverUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await adminQuery(serverUrl, `drop database if exists ${name} with (force)`);
}

/** `select version()` of the server, for the report. */
export async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query("show server_version");
    return rows[0].server_version;
  } finally {
    await client.end();
  }
}
