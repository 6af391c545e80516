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

/**
 * The sale-shaped ceiling: the scratch copies of our sale's tables (`create table … (like …
 * including all)`: the same columns, defaults, checks and indexes, with the foreign keys
 * between them), on which `saleShapedScript` writes what a sale must — its row, four lines,
 * four awards, one ledger transaction whose four entries move points to a member and money
 * off a gift card (the programme's side appended, never updated: no shared row), the two
 * balance updates on those distinct accounts, and the idempotency row — in one statement.
 */
export const SALE_SHAPED = {
  sales: "load_bench_sales",
  lines: "load_bench_sale_lines",
  awards: "load_bench_sale_awards",
  accounts: "load_bench_ledger_accounts",
  transactions: "load_bench_ledger_transactions",
  entries: "load_bench_ledger_entries",
  idempotency: "load_bench_idempotency_keys",
} as const;

const LIKE: Record<keyof typeof SALE_SHAPED, string> = {
  sales: "sales",
  lines: "sale_lines",
  awards: "sale_awards",
  accounts: "ledger_accounts",
  transactions: "ledger_transactions",
  entries: "ledger_entries",
  idempotency: "idempotency_keys",
};

/** Fixed ids of the scratch sale's tenant, store, till and rule (no foreign keys to them). */
const IDS = {
  org: "00000000-0000-4000-8000-000000000001",
  group: "00000000-0000-4000-8000-000000000002",
  store: "00000000-0000-4000-8000-000000000003",
  pos: "00000000-0000-4000-8000-000000000004",
  programme: "00000000-0000-4000-8000-000000000005",
};

/** `members` points accounts (`bench_n` 1…members) and as many gift-card accounts after them. */
export async function createSaleShapedTables(url: string, members: number): Promise<void> {
  const t = SALE_SHAPED;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop table if exists ${Object.values(t).join(", ")}`);
    for (const [k, name] of Object.entries(t)) {
      await client.query(
        `create table ${name} (like ${LIKE[k as keyof typeof LIKE]} including all)`,
      );
    }
    await client.query(`alter table ${t.accounts} add column bench_n integer unique`);
    await client.query(`alter table ${t.lines} add foreign key (sale_id) references ${t.sales}`);
    await client.query(`alter table ${t.awards} add foreign key (sale_id) references ${t.sales}`);
    await client.query(
      `alter table ${t.entries} add foreign key (transaction_id) references ${t.transactions}`,
    );
    await client.query(
      `alter table ${t.entries} add foreign key (account_id) references ${t.accounts}`,
    );
    await client.query(
      `insert into ${t.accounts} (id, org_id, group_id, customer_id, instrument_id, code, unit,
        slot, balance, bench_n)
      select case when g = 0 then '${IDS.programme}'::uuid else gen_random_uuid() end,
        '${IDS.org}', '${IDS.group}',
        case when g between 1 and $1 then gen_random_uuid() end,
        case when g > $1 then gen_random_uuid() end,
        case when g = 0 then 'POINTS_ISSUED' when g <= $1 then 'POINTS' else 'FUNDS' end,
        case when g between 1 and $1 then 'PTS' else 'EUR' end,
        0, case when g = 0 then null when g > $1 then 1000000000 else 0 end, g
      from generate_series(0, 2 * $1::int) g`,
      [members],
    );
    await client.query(`vacuum analyze ${Object.values(t).join(", ")}`);
  } finally {
    await client.end();
  }
}

export async function dropSaleShapedTables(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop table if exists ${Object.values(SALE_SHAPED).join(", ")}`);
  } finally {
    await client.end();
  }
}

/** One sale's essential writes as one data-modifying statement (see `SALE_SHAPED`). */
export const saleShapedScript = (members: number) => {
  const t = SALE_SHAPED;
  return `\\set m random(1, ${members})
\\set g random(${members + 1}, ${2 * members})
\\set total random(1000, 20000)
\\set paid random(100, 1000)
WITH s AS (
  INSERT INTO ${t.sales} (org_id, group_id, store_id, pos_id, kind, receipt_number, at,
    trading_day, customer_id, member, currency, total, points, rules_version, tenders)
  VALUES ('${IDS.org}', '${IDS.group}', '${IDS.store}', '${IDS.pos}', 'sale',
    gen_random_uuid()::text, now(), current_date, gen_random_uuid(), true, 'EUR', :total,
    :total, 1, '[{"type":"giftCard","amount":1},{"type":"CARD","amount":1}]')
  RETURNING id),
l AS (
  INSERT INTO ${t.lines} (sale_id, index, org_id, sku, quantity, unit_price, net, points)
  SELECT s.id, i, '${IDS.org}', 'SKU' || i, 1, :total / 4, :total / 4, :total / 4
  FROM s, generate_series(0, 3) i),
a AS (
  INSERT INTO ${t.awards} (sale_id, line_index, rule_id, org_id, type, reference, points)
  SELECT s.id, i, 'basic', '${IDS.org}', 'basic', 'SALE', :total / 4
  FROM s, generate_series(0, 3) i),
x AS (
  INSERT INTO ${t.transactions} (org_id, group_id, reference, sale_id, pos_id, actor_label, at)
  SELECT '${IDS.org}', '${IDS.group}', 'SALE', s.id, '${IDS.pos}', 'POS 1', now() FROM s
  RETURNING id),
b AS (
  UPDATE ${t.accounts}
  SET balance = balance + CASE WHEN bench_n = :m THEN :total ELSE -:paid END
  WHERE bench_n IN (:m, :g)
  RETURNING id, unit, balance, CASE WHEN bench_n = :m THEN :total ELSE -:paid END AS amount),
e AS (
  INSERT INTO ${t.entries} (org_id, transaction_id, account_id, unit, amount, balance_after,
    reference)
  SELECT '${IDS.org}'::uuid, x.id, b.id, b.unit, b.amount, b.balance, 'SALE' FROM x, b
  UNION ALL
  SELECT '${IDS.org}'::uuid, x.id, '${IDS.programme}'::uuid, u.unit, u.amount, null, 'SALE'
  FROM x, (VALUES ('PTS', -:total), ('EUR', :paid)) u (unit, amount))
INSERT INTO ${t.idempotency} (org_id, scope, key, request_hash, status, body)
SELECT '${IDS.org}', 'pos:${IDS.pos}', id::text, md5(id::text), 201, '{}' FROM s;
`;
};
