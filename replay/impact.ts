/**
 * The impact of a draft on real sales: the draft and the published version each re-price the
 * group's sales of a window (replay/reprice.ts), and the two are added up side by side —
 * points and their value, per rule, per customer category, per store — with the sales whose
 * points change most. Sales recorded before their pricing was kept (migration 0011) cannot be
 * re-priced: they are counted as `unreplayable` and left out of every figure.
 *
 * A sale priced by the published version is not re-priced on that side: re-pricing it with
 * the version that priced it gives its recorded points and awards (tests/replay/
 * exactness_test.ts), so its `sales.points` and its `sale_awards` (summed per rule in one
 * query) stand.
 */
import { setImmediate } from "node:timers";
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { getSettings } from "../programme/settings.ts";
import { parseRuleSet, type Rule } from "../rules/schema.ts";
import { defaultWorkers, type Pricer, startPricer } from "./pricers.ts";
import type { Sides } from "./replayer.ts";
import type { RecordedVersion, RepriceStats } from "./reprice.ts";
import {
  type Group,
  onOneCore,
  pageKeys,
  recordedSales,
  replayableSales,
  type Window,
  windowSales,
} from "./sales_pages.ts";
import { addRecorded, mainCurrency, type Tally } from "./tally.ts";

export interface Figures {
  points: number;
  value: number;
}

export interface Change {
  saleId: string;
  receiptNumber: string;
  storeName: string;
  at: string;
  customerNumber: string | null;
  published: number;
  draft: number;
  delta: number;
}

/** Points in integer hundredths, money in minor units, as the API answers them. */
export interface ImpactResult {
  currency: string;
  pointValue: number;
  sales: number;
  unreplayable: number;
  salesChanged: number;
  membersAffected: number;
  published: Figures;
  draft: Figures;
  byRule: { ruleId: string; name: string; published: number; draft: number }[];
  byCategory: {
    category: number;
    code: string;
    name: string;
    published: number;
    draft: number;
  }[];
  byStore: {
    storeId: string;
    storeNumber: number;
    storeName: string;
    published: number;
    draft: number;
  }[];
  topChanges: Change[];
  /** What the shortcuts spared: decisions taken as recorded, remembered, engine runs. */
  evaluations: RepriceStats;
}

const PAGE = 500;

/**
 * Stored rules parsed as the POS parses them (earning/rule_sets.ts): every side of a
 * comparison then has the same shape, so rules compare by their JSON.
 */
export function parsedRules(label: string, rules: unknown): Rule[] {
  const result = parseRuleSet(rules);
  if (!result.success) throw new Error(`${label} does not parse`);
  return result.data;
}

/** The rules of each of `versions` (of the group's published rule sets). */
async function recordedVersions(db: Db, group: Group, versions: number[]) {
  const out = new Map<RecordedVersion, readonly Rule[]>([[null, []]]);
  if (!versions.length) return out;
  const rows = await db.selectFrom("rule_set_versions").select(["version", "rules"])
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
    .where("version", "in", versions).execute();
  for (const row of rows) {
    out.set(row.version, parsedRules(`published rule set ${row.version}`, row.rules));
  }
  return out;
}

/** Per rule, the points recorded on the window's replayable sales priced by `version`. */
async function recordedAwards(db: Db, group: Group, window: Window, version: number) {
  const rows = await db.selectFrom("sale_awards")
    .where(
      "sale_awards.sale_id",
      "in",
      replayableSales(db, group, window).select("id").where("rules_version", "=", version),
    )
    .where("sale_awards.org_id", "=", group.org_id)
    .groupBy("sale_awards.rule_id")
    .select((eb) => ["sale_awards.rule_id", eb.fn.sum<string>("sale_awards.points").as("points")])
    .execute();
  return rows.map((r) => ({ rule_id: r.rule_id, points: Number(r.points) }));
}

/**
 * How many sales of the window a replay re-prices and the versions that priced them, and how
 * many it cannot re-price: each read from an index of its own (migration 0023), one after the
 * other, so that neither holds more than a core of the database server the till shares.
 */
export async function countSales(db: Db, group: Group, window: Window) {
  const replayable = await replayableSales(db, group, window)
    .select((eb) => [
      eb.fn.countAll<string>().as("count"),
      sql<
        number[] | null
      >`array_agg(distinct rules_version) filter (where rules_version is not null)`
        .as("versions"),
    ]).executeTakeFirstOrThrow();
  const unreplayable = await windowSales(db, group, window).where("pricing", "is", null)
    .select((eb) => eb.fn.countAll<string>().as("count")).executeTakeFirstOrThrow();
  return {
    replayable: Number(replayable.count),
    unreplayable: Number(unreplayable.count),
    versions: replayable.versions ?? [],
  };
}

/** Minor units of `points` hundredths at `pointValue` minor units a point, half up. */
export const pointsValue = (points: number, pointValue: number) =>
  Math.sign(points) * Math.round(Math.abs(points) * pointValue / 100);

/** How a replay reports: the sales it will replay, then those replayed after each page. */
export interface Progress {
  total(total: number): Promise<void>;
  /** False stops the replay (cancelled): it then answers null. */
  step(done: number): Promise<boolean>;
}

/**
 * A turn of the event loop for the till's requests. On the embedded database a query is only
 * promise continuations (no I/O), so a replay's reads would otherwise follow one another
 * without the loop turning: requests that arrived meanwhile wait for the whole replay.
 */
const turn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * How a replay runs: sales read a page at a time, re-priced by `workers` replay workers (0: in
 * the calling thread). With `databaseUrl` (the Postgres server `db` is on), the workers read
 * their pages themselves.
 */
export interface ReplayOptions {
  pageSize?: number;
  workers?: number;
  databaseUrl?: string;
}

/**
 * Hands the window's pages to the pricer: where each starts when it reads them itself, else
 * the pages as read here. Answers the sales re-priced, or null when the replay was cancelled.
 */
async function replayPages(
  db: Db,
  group: Group,
  window: Window,
  size: number,
  pricer: Pricer,
  progress: Progress,
): Promise<number | null> {
  const pages = pricer.readsPages
    ? (await onOneCore(db, (db) => pageKeys(db, group, window, size))).map((from) => ({ from }))
    : recordedSales(db, group, window, size);
  let done = 0;
  for await (const page of pages) {
    await turn();
    done = await pricer.add("from" in page ? page : { rows: page });
    await turn();
    if (!await progress.step(done)) return null;
  }
  return done;
}

/** Replays both sides on the group's sales of the window. */
export async function replayImpact(
  db: Db,
  group: Group,
  sides: Sides,
  window: Window,
  progress: Progress,
  opts: ReplayOptions = {},
): Promise<ImpactResult | null> {
  const counts = await onOneCore(db, (db) => countSales(db, group, window));
  const [recorded, settings] = await Promise.all([
    recordedVersions(db, group, counts.versions),
    getSettings(db, group),
  ]);
  await progress.total(counts.replayable);
  await turn();
  const size = opts.pageSize ?? PAGE;
  const source = opts.databaseUrl
    ? { databaseUrl: opts.databaseUrl, group, window, size }
    : undefined;
  const pricer = startPricer(opts.workers ?? defaultWorkers(), sides, recorded, source);
  await turn();
  let tally: Tally;
  try {
    const done = await replayPages(db, group, window, size, pricer, progress);
    if (done === null) return null;
    tally = await pricer.finish();
    if (tally.sales !== done && !await progress.step(tally.sales)) return null;
  } finally {
    pricer.close();
  }
  if (sides.published.version !== null) {
    // One sum at the end: summed a page at a time, it cost about 40 ms a page whatever the
    // page's size on the embedded database, the till's requests waiting behind each.
    const version = sides.published.version;
    addRecorded(tally, await onOneCore(db, (db) => recordedAwards(db, group, window, version)));
  }
  const storeIds = [...tally.byStore.keys()];
  const topIds = tally.top.map((t) => t.saleId);
  const [stores, tops] = await Promise.all([
    storeIds.length
      ? db.selectFrom("stores").select(["id", "name"]).where("id", "in", storeIds).execute()
      : [],
    topIds.length
      ? db.selectFrom("sales").leftJoin("customers", "customers.id", "sales.customer_id")
        .select(["sales.id", "sales.receipt_number", "sales.at", "customers.number"])
        .where("sales.id", "in", topIds).execute()
      : [],
  ]);
  const storeName = new Map(stores.map((s) => [s.id, s.name]));
  const topSale = new Map(tops.map((s) => [s.id, s]));
  const { pointValue, categoryNames } = settings.settings;
  const names = new Map<string, string>();
  for (const r of [...sides.published.rules, ...sides.draft.rules]) names.set(r.id, r.name);
  const ruleIds = [...new Set([...sides.draft.rules, ...sides.published.rules].map((r) => r.id))];
  const currency = mainCurrency(tally);
  return {
    currency,
    pointValue,
    sales: tally.sales,
    unreplayable: counts.unreplayable,
    salesChanged: tally.changed,
    membersAffected: tally.members.size,
    published: { points: tally.published, value: pointsValue(tally.published, pointValue) },
    draft: { points: tally.draft, value: pointsValue(tally.draft, pointValue) },
    byRule: ruleIds.map((ruleId) => ({
      ruleId,
      name: names.get(ruleId)!,
      published: tally.byRule.get(ruleId)?.published ?? 0,
      draft: tally.byRule.get(ruleId)?.draft ?? 0,
    })),
    byCategory: [...tally.byCategory.values()]
      .sort((a, b) => a.index - b.index || a.code.localeCompare(b.code))
      .map((c) => ({
        category: c.index + 1,
        code: c.code,
        name: categoryNames[c.index] ?? `Category ${c.index + 1}`,
        published: c.published,
        draft: c.draft,
      })),
    byStore: [...tally.byStore].map(([storeId, s]) => ({
      storeId,
      storeNumber: s.storeNumber,
      storeName: storeName.get(storeId) ?? "",
      published: s.published,
      draft: s.draft,
    })).sort((a, b) => a.storeNumber - b.storeNumber),
    topChanges: tally.top.map((t) => ({
      saleId: t.saleId,
      receiptNumber: topSale.get(t.saleId)!.receipt_number,
      storeName: storeName.get(t.storeId) ?? "",
      at: topSale.get(t.saleId)!.at.toISOString(),
      customerNumber: topSale.get(t.saleId)!.number,
      published: t.published,
      draft: t.draft,
      delta: t.delta,
    })),
    evaluations: tally.stats,
  };
}
