/**
 * The database ceiling: pgbench running, per transaction, one balance UPDATE and one entry
 * INSERT (what a ledger write is at its smallest) on a scratch table pair in the benchmark's
 * own database. Writes (create, sale) are reported as a fraction of its TPS.
 */
import pg from "pg";
import { Spawned } from "./processes.ts";

export const BALANCES = "load_bench_balances";
export const ENTRIES = "load_bench_entries";

export interface PgbenchResult {
  tps: number;
  transactions: number;
  failed: number;
  latencyAvgMs: number | null;
  clients: number;
  jobs: number;
  durationS: number;
  script: string;
}

export const pgbenchScript = (accounts: number) =>
  `\\set id random(1, ${accounts})
\\set amount random(-1000, 1000)
BEGIN;
UPDATE ${BALANCES} SET balance = balance + :amount, updated_at = now() WHERE id = :id;
INSERT INTO ${ENTRIES} (balance_id, amount) VALUES (:id, :amount);
END;
`;

/** Creates (or recreates) the scratch tables with `accounts` balances. */
export async function createScratchTables(url: string, accounts: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop table if exists ${ENTRIES}, ${BALANCES}`);
    await client.query(`create table ${BALANCES} (
      id integer primary key,
      balance bigint not null default 0,
      updated_at timestamptz not null default now())`);
    await client.query(`create table ${ENTRIES} (
      id bigint generated always as identity primary key,
      balance_id integer not null references ${BALANCES} (id),
      amount integer not null,
      created_at timestamptz not null default now())`);
    await client.query(
      `insert into ${BALANCES} (id) select g from generate_series(1, $1::int) g`,
      [accounts],
    );
    await client.query(`vacuum analyze ${BALANCES}`);
  } finally {
    await client.end();
  }
}

export async function dropScratchTables(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop table if exists ${ENTRIES}, ${BALANCES}`);
  } finally {
    await client.end();
  }
}

/** Reads tps, transactions, failures and average latency from pgbench's report. */
export function parsePgbench(
  output: string,
): Omit<PgbenchResult, "clients" | "jobs" | "durationS" | "script"> {
  // "tps = 2934.123456 (without initial connection time)" (PostgreSQL 14+); older versions
  // print two tps lines, "including" and "excluding connections establishing": take the last.
  const tps = [...output.matchAll(/^tps = ([0-9.]+)/gm)].map((m) => Number(m[1]));
  if (tps.length === 0) throw new Error(`pgbench printed no tps:\n${output.slice(-2000)}`);
  const processed = /number of transactions actually processed: (\d+)/.exec(output);
  const failed = /number of failed transactions: (\d+)/.exec(output);
  const latency = /latency average = ([0-9.]+) ms/.exec(output);
  return {
    tps: tps[tps.length - 1],
    transactions: processed ? Number(processed[1]) : 0,
    failed: failed ? Number(failed[1]) : 0,
    latencyAvgMs: latency ? Number(latency[1]) : null,
  };
}

export async function runPgbench(opts: {
  url: string;
  scriptFile: string;
  script: string;
  clients: number;
  jobs: number;
  durationS: number;
}): Promise<{ result: PgbenchResult; output: string; command: string[] }> {
  const args = [
    "--no-vacuum",
    "--file",
    opts.scriptFile,
    "--client",
    String(opts.clients),
    "--jobs",
    String(opts.jobs),
    "--time",
    String(opts.durationS),
    opts.url,
  ];
  const p = new Spawned("pgbench", "pgbench", args);
  const { status, output } = await p.finished();
  if (!status.success) throw new Error(`pgbench failed (code ${status.code}):\n${p.tail(40)}`);
  return {
    result: {
      ...parsePgbench(output),
      clients: opts.clients,
      jobs: opts.jobs,
      durationS: opts.durationS,
      script: opts.script,
    },
    output,
    // The URL may hold a password: not repeated in the results.
    command: ["pgbench", ...args.slice(0, -1), "<database url>"],
  };
}

export async function pgbenchVersion(): Promise<string> {
  try {
    const out = await new Deno.Command("pgbench", { args: ["--version"] }).output();
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    throw new Error("pgbench is not installed: apt-get install -y postgresql-client");
  }
}
