/**
 * The running sums of a replay, as plain data: a worker keeps one over the sales it re-prices
 * and posts it back (structured clone keeps maps and sets), and tallies of several workers
 * merge into the one a single thread would have kept.
 */
import type { RecordedSale, Replayed } from "./replayer.ts";
import type { RepriceStats } from "./reprice.ts";

export const TOP_CHANGES = 20;

/** A sale of the top changes; `seq` is its place in the replay's order (ties: earlier first). */
export interface TopChange {
  saleId: string;
  storeId: string;
  published: number;
  draft: number;
  delta: number;
  seq: number;
}

export interface Tally {
  sales: number;
  changed: number;
  members: Set<string>;
  published: number;
  draft: number;
  /** Sales per currency, with the place of its first sale (the most used wins, then the first). */
  currencies: Map<string, { sales: number; first: number }>;
  byRule: Map<string, { published: number; draft: number }>;
  byCategory: Map<string, { index: number; code: string; published: number; draft: number }>;
  byStore: Map<string, { storeNumber: number; published: number; draft: number }>;
  /** At most TOP_CHANGES, the largest |delta| first, then the earliest. */
  top: TopChange[];
  stats: RepriceStats;
}

export const emptyTally = (): Tally => ({
  sales: 0,
  changed: 0,
  members: new Set(),
  published: 0,
  draft: 0,
  currencies: new Map(),
  byRule: new Map(),
  byCategory: new Map(),
  byStore: new Map(),
  top: [],
  stats: { recorded: 0, remembered: 0, engine: 0 },
});

const ranked = (a: TopChange, b: TopChange) =>
  Math.abs(b.delta) - Math.abs(a.delta) || a.seq - b.seq;

function addSides(
  map: Map<string, { published: number; draft: number }>,
  key: string,
  published: number,
  draft: number,
) {
  const row = map.get(key) ?? { published: 0, draft: 0 };
  row.published += published;
  row.draft += draft;
  map.set(key, row);
}

/** Per rule, points recorded on the sales that stand on the published side. */
export function addRecorded(tally: Tally, rows: { rule_id: string; points: number }[]) {
  for (const { rule_id, points } of rows) addSides(tally.byRule, rule_id, points, 0);
}

/** Adds the sale at place `seq` of the replay, re-priced as `r`. */
export function addSale(tally: Tally, seq: number, sale: RecordedSale, r: Replayed) {
  const p = r.published?.points ?? sale.points;
  const d = r.draft.points;
  tally.sales++;
  tally.published += p;
  tally.draft += d;
  const { basket } = sale.pricing;
  const currency = tally.currencies.get(basket.currency) ?? { sales: 0, first: seq };
  currency.sales++;
  tally.currencies.set(basket.currency, currency);
  for (const a of r.published?.awards ?? []) addSides(tally.byRule, a.ruleId, a.points, 0);
  for (const a of r.draft.awards) addSides(tally.byRule, a.ruleId, 0, a.points);
  basket.customer?.categories.forEach((code, index) => {
    if (code === null) return;
    const key = `${index}|${code}`;
    const row = tally.byCategory.get(key) ?? { index, code, published: 0, draft: 0 };
    row.published += p;
    row.draft += d;
    tally.byCategory.set(key, row);
  });
  const store = tally.byStore.get(sale.store_id) ??
    { storeNumber: basket.storeNumber, published: 0, draft: 0 };
  store.published += p;
  store.draft += d;
  tally.byStore.set(sale.store_id, store);
  if (p === d) return;
  tally.changed++;
  if (sale.customer_id) tally.members.add(sale.customer_id);
  const change = { saleId: sale.id, storeId: sale.store_id, published: p, draft: d, delta: d - p };
  const worst = tally.top.length < TOP_CHANGES ? null : tally.top[tally.top.length - 1];
  if (worst && ranked({ ...change, seq }, worst) >= 0) return;
  tally.top.push({ ...change, seq });
  tally.top.sort(ranked);
  if (tally.top.length > TOP_CHANGES) tally.top.pop();
}

/** Adds `from` (the tally of other sales of the same replay) into `into`. */
export function mergeTally(into: Tally, from: Tally) {
  into.sales += from.sales;
  into.changed += from.changed;
  for (const m of from.members) into.members.add(m);
  into.published += from.published;
  into.draft += from.draft;
  for (const [code, c] of from.currencies) {
    const row = into.currencies.get(code) ?? { sales: 0, first: c.first };
    row.sales += c.sales;
    row.first = Math.min(row.first, c.first);
    into.currencies.set(code, row);
  }
  for (const [id, r] of from.byRule) addSides(into.byRule, id, r.published, r.draft);
  for (const [key, c] of from.byCategory) {
    const row = into.byCategory.get(key) ?? { ...c, published: 0, draft: 0 };
    row.published += c.published;
    row.draft += c.draft;
    into.byCategory.set(key, row);
  }
  for (const [id, s] of from.byStore) {
    const row = into.byStore.get(id) ?? { ...s, published: 0, draft: 0 };
    row.published += s.published;
    row.draft += s.draft;
    into.byStore.set(id, row);
  }
  into.top = [...into.top, ...from.top].sort(ranked).slice(0, TOP_CHANGES);
  into.stats.recorded += from.stats.recorded;
  into.stats.remembered += from.stats.remembered;
  into.stats.engine += from.stats.engine;
}

/** The currency most sales were in (the first seen among equals); "" without sales. */
export const mainCurrency = (tally: Tally) =>
  [...tally.currencies].sort((a, b) => b[1].sales - a[1].sales || a[1].first - b[1].first)[0]
    ?.[0] ?? "";
