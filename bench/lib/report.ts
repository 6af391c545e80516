/** The load benchmark's figures: ratios, targets, the table on stdout. */
import type { CpuPerRequest } from "./cpu.ts";
import type { PgbenchResult } from "./pgbench.ts";
import type { WrkResult } from "./wrk.ts";

export interface EndpointFigures {
  endpoint: string;
  method: string;
  path: string;
  what: string;
  status: "measured" | "skipped";
  /** Why it was skipped, or what to know about the figures. */
  note?: string;
  /** The status the probe request answered before the measurement. */
  probeStatus?: number;
  /** wrk for a duration (absent: the default), or one burst sent at once (bench/lib/burst.ts). */
  driver?: "burst";
  result?: WrkResult;
  /** The warm-up's figures, kept for endpoints that count their answers. */
  warmUp?: WrkResult;
  /** A burst: how many requests, on which card. */
  burst?: { requests: number; card: string };
  /** A burst's refusals by status and problem type. */
  problems?: Record<string, number>;
  /** req/s of this endpoint / req/s of the hello world. */
  ofHello: number | null;
  /** Writes only: req/s / pgbench TPS (null without pgbench). */
  ofPgbench: number | null;
  /** Writes only: req/s / the sale-shaped pgbench TPS (null without it). */
  ofSaleShaped?: number | null;
  /** wrk connections, when not `--connections`. */
  connections?: number;
  /** The server's resident memory (its processes together) after the endpoint's load, bytes. */
  rssBytes?: number | null;
  /** Processor time during the measurement (bench/lib/cpu.ts), where /proc can be read. */
  cpu?: CpuPerRequest;
  wrkCommand?: string[];
}

export interface Target {
  name: string;
  endpoint: string;
  /** "hello" / "pgbench" / "saleShaped": a minimum ratio; "p99": a maximum in ms. */
  kind: "hello" | "pgbench" | "saleShaped" | "p99";
  limit: number;
  value: number | null;
  pass: boolean | null;
}

/** The targets of the issue: ratios in one run, Postgres, 64 connections. */
const TARGETS: Omit<Target, "value" | "pass">[] = [
  { name: "/me ≥ 25 % of hello world", endpoint: "me", kind: "hello", limit: 0.25 },
  { name: "lookup ≥ 10 % of hello world", endpoint: "lookup", kind: "hello", limit: 0.10 },
  { name: "create ≥ 40 % of pgbench", endpoint: "create", kind: "pgbench", limit: 0.40 },
  { name: "/me p99 ≤ 50 ms", endpoint: "me", kind: "p99", limit: 50 },
  { name: "lookup p99 ≤ 50 ms", endpoint: "lookup", kind: "p99", limit: 50 },
  { name: "create p99 ≤ 50 ms", endpoint: "create", kind: "p99", limit: 50 },
];

/** Issue 21's targets for the chain-shaped load (`--chain`): one run, Postgres. */
export const CHAIN_TARGETS: Omit<Target, "value" | "pass">[] = [
  {
    name: "sale ≥ 50 % of sale-shaped pgbench",
    endpoint: "chain-sale",
    kind: "saleShaped",
    limit: 0.50,
  },
  {
    name: "sale ≥ 15 % of two-statement pgbench",
    endpoint: "chain-sale",
    kind: "pgbench",
    limit: 0.15,
  },
  { name: "flagship ≥ 35 % of sale-shaped", endpoint: "flagship", kind: "saleShaped", limit: 0.35 },
  { name: "quote ≥ 10 % of hello world", endpoint: "chain-quote", kind: "hello", limit: 0.10 },
  { name: "lookup ≥ 10 % of hello world", endpoint: "lookup", kind: "hello", limit: 0.10 },
  { name: "/me ≥ 25 % of hello world", endpoint: "me", kind: "hello", limit: 0.25 },
  { name: "create ≥ 40 % of two-statement", endpoint: "create", kind: "pgbench", limit: 0.40 },
  { name: "sale p99 ≤ 25 ms at 8 connections", endpoint: "chain-sale-c8", kind: "p99", limit: 25 },
  {
    name: "quote p99 ≤ 10 ms at 8 connections",
    endpoint: "chain-quote-c8",
    kind: "p99",
    limit: 10,
  },
];

/**
 * The answers of an endpoint that counts them: successes (its `expect` status), 409s, and
 * every other status, socket error or timeout.
 */
export function answersOf(
  r: WrkResult,
  expect: number,
): { successes: number; conflicts: number; others: number } {
  const statuses = r.statuses ?? {};
  const successes = statuses[expect] ?? 0;
  const conflicts = statuses[409] ?? 0;
  const answered = Object.values(statuses).reduce((s, n) => s + n, 0);
  const socket = r.errors.connect + r.errors.read + r.errors.write + r.errors.timeout;
  return { successes, conflicts, others: answered - successes - conflicts + socket };
}

/** The sale-shaped ceiling: the best of its runs (at 16, 64 and 8 clients). */
export const saleShapedCeiling = (runs: PgbenchResult[]): PgbenchResult | null =>
  runs.reduce<PgbenchResult | null>((best, r) => (!best || r.tps > best.tps ? r : best), null);

export function withRatios(
  figures: EndpointFigures[],
  pgbench: PgbenchResult | null,
  writes: Set<string>,
  saleShaped: PgbenchResult | null = null,
): EndpointFigures[] {
  const hello = figures.find((f) => f.endpoint === "hello")?.result?.rps;
  const of = (f: EndpointFigures, p: PgbenchResult | null) =>
    f.result && p && writes.has(f.endpoint) ? f.result.rps / p.tps : null;
  return figures.map((f) => ({
    ...f,
    ofHello: f.result && hello ? f.result.rps / hello : null,
    ofPgbench: of(f, pgbench),
    ...(saleShaped ? { ofSaleShaped: of(f, saleShaped) } : {}),
  }));
}

export function evaluateTargets(
  figures: EndpointFigures[],
  targets: Omit<Target, "value" | "pass">[] = TARGETS,
): Target[] {
  return targets.map((t) => {
    const f = figures.find((x) => x.endpoint === t.endpoint);
    const value = !f?.result
      ? null
      : t.kind === "hello"
      ? f.ofHello
      : t.kind === "pgbench"
      ? f.ofPgbench
      : t.kind === "saleShaped"
      ? f.ofSaleShaped ?? null
      : f.result.latencyMs.p99;
    const pass = value === null ? null : t.kind === "p99" ? value <= t.limit : value >= t.limit;
    return { ...t, value, pass };
  });
}

const int = (n: number) => Math.round(n).toLocaleString("en");
const ms = (n: number) => n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0);
const pct = (r: number | null) => r === null ? "–" : `${(r * 100).toFixed(r < 0.1 ? 2 : 1)} %`;

function table(rows: string[][], right: boolean[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r.map((cell, i) => right[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])).join("  ")
      .trimEnd()
  ).join("\n");
}

/**
 * The table of figures. `expect` gives, for the endpoints that count their answers, the status
 * of a success: their row shows successes and 409s, and as errors only the rest (other
 * statuses, socket errors, timeouts); the other rows' errors are wrk's (status ≥ 400 and
 * socket errors).
 */
export function formatTable(
  figures: EndpointFigures[],
  pgbench: PgbenchResult | null,
  expect: Record<string, number> = {},
  saleShaped: PgbenchResult[] = [],
): string {
  const chain = saleShaped.length > 0;
  const rss = figures.some((f) => f.rssBytes);
  const extra = (f: EndpointFigures | null) => [
    ...(chain ? [f ? pct(f.ofSaleShaped ?? null) : ""] : []),
    ...(rss ? [f?.rssBytes ? `${Math.round(f.rssBytes / 2 ** 20)}` : ""] : []),
  ];
  const rows = [[
    "endpoint",
    "req/s",
    "p50 ms",
    "p99 ms",
    "ok",
    "409",
    "errors",
    "of hello",
    "of pgbench",
    ...(chain ? ["of sale-shaped"] : []),
    ...(rss ? ["RSS MiB"] : []),
  ]];
  for (const f of figures) {
    const r = f.result;
    if (!r) {
      rows.push([f.endpoint, "skipped", "", "", "", "", "", "", "", ...extra(null)]);
      continue;
    }
    const counted = r.statuses && expect[f.endpoint] !== undefined
      ? answersOf(r, expect[f.endpoint])
      : undefined;
    const errors = counted ? counted.others : r.errors.total;
    const asked = counted ? counted.successes + counted.conflicts + counted.others : r.requests;
    rows.push([
      f.endpoint + (f.driver === "burst" ? ` (burst of ${f.burst?.requests})` : "") +
      (f.connections ? ` (${f.connections} conn.)` : ""),
      int(r.rps),
      ms(r.latencyMs.p50),
      ms(r.latencyMs.p99),
      counted ? int(counted.successes) : "",
      counted ? int(counted.conflicts) : "",
      errors ? `${int(errors)} (${pct(errors / Math.max(asked, 1))})` : "0",
      f.endpoint === "hello" ? "100 %" : pct(f.ofHello),
      pct(f.ofPgbench),
      ...extra(f),
    ]);
  }
  const ceiling = saleShapedCeiling(saleShaped);
  const pgRow = (name: string, p: PgbenchResult, ofTwo: string, ofSale: string) => [
    name,
    `${int(p.tps)} tps`,
    p.latencyAvgMs === null ? "" : `avg ${ms(p.latencyAvgMs)}`,
    "",
    "",
    "",
    String(p.failed),
    "",
    ofTwo,
    ...(chain ? [ofSale] : []),
    ...(rss ? [""] : []),
  ];
  rows.push(
    pgbench
      ? pgRow("pgbench", pgbench, "100 %", ceiling ? pct(pgbench.tps / ceiling.tps) : "")
      : ["pgbench", "skipped", "", "", "", "", "", "", "", ...extra(null)],
  );
  for (const p of saleShaped) {
    rows.push(pgRow(
      `pgbench sale-shaped (${p.clients} cl.)`,
      p,
      pgbench ? pct(p.tps / pgbench.tps) : "–",
      p === ceiling ? "100 % (ceiling)" : pct(p.tps / ceiling!.tps),
    ));
  }
  const notes = figures.filter((f) => f.note).map((f) => `  ${f.endpoint}: ${f.note}`);
  return table(rows, rows[0].map((_, i) => i > 0)) +
    (notes.length ? `\n\nnotes:\n${notes.join("\n")}` : "");
}

/**
 * Where each endpoint's processor time went, per request, and the rate the machine's cores
 * would allow at that cost; null where it was not measured.
 */
export function formatCpu(figures: EndpointFigures[]): string | null {
  const measured = figures.filter((f) => f.cpu);
  if (!measured.length) return null;
  const rows = [[
    "endpoint",
    "server ms",
    "Postgres ms",
    "machine ms",
    "server cores",
    "machine cores",
    "allows req/s",
  ]];
  for (const f of measured) {
    const c = f.cpu!;
    rows.push([
      f.endpoint + (f.connections ? ` (${f.connections} conn.)` : ""),
      c.serverMs.toFixed(3),
      c.postgresMs.toFixed(3),
      c.machineMs.toFixed(3),
      c.serverCores.toFixed(2),
      c.coresBusy.toFixed(2),
      int(c.allows),
    ]);
  }
  return `processor time a request (ms; ${navigator.hardwareConcurrency} cores; Postgres: ` +
    "its processes on this machine; machine: every process, wrk's too):\n" +
    table(rows, rows[0].map((_, i) => i > 0));
}

export function formatTargets(
  targets: Target[],
  applies: boolean,
  why: string,
  words: [string, string] = ["pass", "FAIL"],
): string {
  const width = Math.max(30, ...targets.map((t) => t.name.length));
  const lines = targets.map((t) => {
    const value = t.value === null ? "n/a" : t.kind === "p99" ? `${ms(t.value)} ms` : pct(t.value);
    const verdict = (t.pass === null ? "n/a" : t.pass ? words[0] : words[1])
      .padEnd(Math.max(words[0].length, words[1].length));
    return `  ${verdict}  ${t.name.padEnd(width)} ${value}`;
  });
  const head = applies
    ? "targets (Postgres, 64 connections):"
    : `targets (defined for Postgres and 64 connections; ${why}, shown for information):`;
  return `${head}\n${lines.join("\n")}`;
}
