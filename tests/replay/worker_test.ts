/**
 * Replay workers (replay/pricers.ts), on PGlite or Postgres (TEST_DATABASE_URL): over a
 * generated set of sales recorded through the POS under two published versions, a replay in
 * one worker answers exactly what the in-thread replay answers, and in three workers too (but
 * how many engine answers were remembered, each worker remembering its own); a cancel ends the
 * worker; where workers cannot start, the replay runs in the thread and answers the same.
 */
import { CompiledQuery, type KyselyPlugin, sql } from "kysely";
import assert from "node:assert/strict";
import { loadConfig } from "../../config.ts";
import { REPLAY_APPLICATION_NAME } from "../../db/connection.ts";
import { getDraft, saveDraft } from "../../earning/rule_sets.ts";
import { createCustomer } from "../../members/customers.ts";
import { type ImpactResult, replayImpact, type ReplayOptions } from "../../replay/impact.ts";
import { liveReplayWorkers } from "../../replay/pricers.ts";
import type { SaleRow } from "../../replay/replayer.ts";
import { onOneCore, pageKeys, readPage, recordedSales } from "../../replay/sales_pages.ts";
import { SCHED_IDLE } from "../../replay/priority.ts";
import { parseRuleSet } from "../../rules/schema.ts";
import { createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { buildWorld, memberRule, posCall, publishRules } from "../helpers/world.ts";

const t = await createTestApp();
const w = await buildWorld(t, { name: "Workers", member: null });

const day = (d: number) => ({
  all: [
    { fact: "member", operator: "equal", value: true },
    { fact: "dayOfWeek", operator: "equal", value: d },
  ],
});
const v1 = [
  memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }),
  memberRule("shoes", {
    type: "item-points",
    params: { selector: { categories: ["SHOES"] }, perItem: 2 },
  }),
  memberRule("gold", { type: "basic-points", params: { pointsPerUnit: 0.5 } }, {
    conditions: {
      all: [{ fact: "customerCategory", params: { index: 1 }, operator: "equal", value: "GOLD" }],
    },
  }),
  memberRule("tuesday", { type: "multiplier", params: { factor: 2, ruleIds: ["basic"] } }, {
    conditions: day(2),
    priority: 20,
  }),
];
const v2 = v1.map((r) =>
  r.id === "shoes"
    ? {
      ...r,
      event: { type: "item-points", params: { selector: { categories: ["SHOES"] }, perItem: 3 } },
    }
    : r
);
const draftRules = [
  ...v2.map((r) =>
    r.id === "tuesday"
      ? { ...r, conditions: day(4) }
      : r.id === "basic"
      ? { ...r, event: { type: "basic-points", params: { pointsPerUnit: 1.5 } } }
      : r
  ),
  memberRule("hats", {
    type: "item-points",
    params: { selector: { categories: ["HATS"] }, pointsPerUnit: 0.2 },
  }),
];

const numbers: string[] = [];
for (const [i, categories] of [["GOLD"], ["SILVER"], ["GOLD", "STAFF"], []].entries()) {
  const number = `W${i}`;
  await createCustomer(t.db, w.group, { number, name: number, categories }, w.settings);
  numbers.push(number);
}

let seed = 11;
const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
// A few baskets, repeated: many sales change by the same points, so the top changes' order
// among equals is tested too.
const baskets = Array.from({ length: 6 }, () =>
  Array.from({ length: 1 + random(3) }, (_, k) => ({
    sku: `S${k}`,
    category: ["SHOES", "SOCKS", "HATS"][random(3)],
    quantity: 1 + random(3),
    unitPrice: 100 + random(5000),
  })));
let receipts = 0;
async function sell(count: number) {
  for (let i = 0; i < count; i++) {
    const lines = baskets[random(baskets.length)];
    const customer = random(5) === 0 ? null : numbers[random(numbers.length)];
    const res = await posCall(t, w.posToken, "POST", "/sales", {
      key: crypto.randomUUID(),
      body: {
        currency: "EUR",
        at: new Date(Date.now() - (1 + random(20 * 24)) * 3_600_000).toISOString(),
        receiptNumber: `W-${++receipts}`,
        ...(customer ? { customer: { number: customer } } : {}),
        lines,
        tenders: [{
          type: "CASH",
          amount: lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0),
        }],
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.json));
  }
}

await publishRules(t, w, v1);
await sell(40);
const publishedVersion = await publishRules(t, w, v2);
await sell(40);
const { version } = await getDraft(t.db, w.group);
const draft = await saveDraft(t.db, w.group, { version, rules: draftRules }, w.owner);

const parsed = (rules: unknown) => {
  const result = parseRuleSet(rules);
  if (!result.success) throw new Error("test rules do not parse");
  return result.data;
};
const sides = {
  published: { version: publishedVersion, rules: parsed(v2) },
  draft: { version: draft.version, rules: parsed(draftRules) },
};
const window = { from: new Date(Date.now() - 30 * 86_400_000), to: new Date(Date.now() + 1000) };
const running = { total: () => Promise.resolve(), step: () => Promise.resolve(true) };
const replay = async (opts: ReplayOptions) =>
  (await replayImpact(t.db, w.group, sides, window, running, opts))!;

const inThread = await replay({ workers: 0, pageSize: 7 });

Deno.test("the generated sales change, more than the top changes hold", () => {
  assert.equal(inThread.sales, 80);
  assert.ok(inThread.salesChanged > inThread.topChanges.length, String(inThread.salesChanged));
  assert.equal(inThread.topChanges.length, 20);
  const deltas = inThread.topChanges.map((c) => Math.abs(c.delta));
  assert.ok(new Set(deltas).size < deltas.length, "equal changes among the top");
});

Deno.test("one replay worker answers what the in-thread replay answers", async () => {
  assert.deepEqual(await replay({ workers: 1, pageSize: 7 }), inThread);
  assert.equal(liveReplayWorkers(), 0, "the worker ended with its replay");
});

Deno.test("three replay workers answer the same figures", async () => {
  const { evaluations, ...figures } = await replay({ workers: 3, pageSize: 5 });
  const { evaluations: expected, ...expectedFigures } = inThread;
  assert.deepEqual(figures, expectedFigures);
  assert.equal(evaluations.recorded, expected.recorded);
  assert.equal(
    evaluations.remembered + evaluations.engine,
    expected.remembered + expected.engine,
  );
  assert.equal(liveReplayWorkers(), 0);
});

Deno.test("a cancel ends the replay's worker", async () => {
  const seen: number[] = [];
  const result = await replayImpact(t.db, w.group, sides, window, {
    total: () => Promise.resolve(),
    step: () => Promise.resolve(seen.push(liveReplayWorkers()) < 2),
  }, { workers: 1, pageSize: 7 });
  assert.equal(result, null, "cancelled at its second step");
  assert.deepEqual(seen, [1, 1], "its worker ran until then");
  assert.equal(liveReplayWorkers(), 0, "and was ended");
});

/** The scheduling policy of each thread of this process, by thread id (/proc/self/task). */
function threadPolicies(): Map<number, number> {
  const policies = new Map<number, number>();
  for (const task of Deno.readDirSync("/proc/self/task")) {
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/self/task/${task.name}/stat`);
    } catch (err) {
      // A thread that ended between the listing and the read (V8 and Deno start and end some).
      if (err instanceof Deno.errors.NotFound) continue;
      throw err;
    }
    // Fields after the command's closing parenthesis start at the 3rd (state); policy is 41st.
    policies.set(Number(task.name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[38]));
  }
  return policies;
}

Deno.test({
  name: "a replay worker's thread runs under SCHED_IDLE, the server's thread as it did",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const before = threadPolicies();
    let during = new Map<number, number>();
    const result = await replayImpact(t.db, w.group, sides, window, {
      total: () => Promise.resolve(),
      step: () => {
        during = threadPolicies();
        return Promise.resolve(true);
      },
    }, { workers: 1, pageSize: 7 });
    assert.ok(result);
    const lowered = [...during].filter(([tid, policy]) =>
      policy === SCHED_IDLE && !before.has(tid)
    );
    assert.equal(lowered.length, 1, JSON.stringify([...during]));
    assert.equal(
      during.get(Deno.pid),
      before.get(Deno.pid),
      "the server's thread keeps its policy",
    );
    assert.equal(liveReplayWorkers(), 0);
  },
});

Deno.test("pages read from where each starts are the pages read in turn", async () => {
  for (const size of [1, 7, 80, 81]) {
    const inTurn: SaleRow[][] = [];
    for await (const page of recordedSales(t.db, w.group, window, size)) inTurn.push(page);
    const keys = await pageKeys(t.db, w.group, window, size);
    const fromKeys = await Promise.all(
      keys.map((from) => readPage(t.db, w.group, window, from, size)),
    );
    assert.equal(inTurn.flat().length, 80, `size ${size}`);
    assert.deepEqual(fromKeys, inTurn, `size ${size}`);
  }
});

/** The replay workers' own connections to the test's database (pg_stat_activity). */
async function workerConnections(): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and application_name = ${REPLAY_APPLICATION_NAME}
  `.execute(t.db);
  return rows[0].n;
}

async function noWorkerConnections() {
  for (let i = 0; i < 100 && await workerConnections() > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(await workerConnections(), 0, "the workers' connections closed");
}

Deno.test({
  name: "on Postgres the workers read their own pages, over a connection each, and answer the same",
  ignore: testBackend !== "postgres",
  async fn() {
    for (const workers of [1, 3]) {
      const seen: number[] = [];
      const result = await replayImpact(t.db, w.group, sides, window, {
        total: () => Promise.resolve(),
        step: async () => (seen.push(await workerConnections()), true),
      }, { workers, pageSize: 7, databaseUrl: t.database.url });
      const { evaluations, ...figures } = result!;
      const { evaluations: expected, ...expectedFigures } = inThread;
      assert.deepEqual(figures, expectedFigures, `${workers} worker(s)`);
      assert.equal(evaluations.recorded, expected.recorded);
      // Each opens its connection with its first read (a worker that starts late may open it
      // after the last progress step), and closes it once it has answered.
      assert.ok(Math.max(...seen) >= 1, JSON.stringify(seen));
      assert.ok(seen.every((n) => n <= workers), JSON.stringify(seen));
      assert.equal(liveReplayWorkers(), 0);
      await noWorkerConnections();
    }
  },
});

Deno.test({
  name: "a cancel ends a worker that reads its own pages, and its connection",
  ignore: testBackend !== "postgres",
  async fn() {
    let steps = 0;
    const result = await replayImpact(t.db, w.group, sides, window, {
      total: () => Promise.resolve(),
      step: () => Promise.resolve(++steps < 2),
    }, { workers: 1, pageSize: 7, databaseUrl: t.database.url });
    assert.equal(result, null);
    assert.equal(liveReplayWorkers(), 0);
    await noWorkerConnections();
  },
});

/** Every statement a replay runs through `db`, compiled, in order. */
function recording(statements: CompiledQuery[]): KyselyPlugin {
  return {
    transformQuery(args) {
      statements.push(t.db.getExecutor().compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  };
}

/**
 * The plan of `statement` where the database reads tables only through an index, and joins
 * whole sides (on a table of a few rows, it would as soon look each sale up by its key).
 */
async function indexPlan(statement: CompiledQuery): Promise<string> {
  return await t.db.transaction().execute(async (tx) => {
    await sql`set local enable_seqscan = off`.execute(tx);
    await sql`set local enable_bitmapscan = off`.execute(tx);
    await sql`set local enable_nestloop = off`.execute(tx);
    const plan = await tx.executeQuery<Record<string, string>>(
      CompiledQuery.raw(`explain (costs off) ${statement.sql}`, [...statement.parameters]),
    );
    return plan.rows.map((r) => Object.values(r)[0]).join("\n");
  });
}

Deno.test("a replay's readings of the whole window read the index alone, on one core", async () => {
  const statements: CompiledQuery[] = [];
  const db = t.db.withPlugin(recording(statements));
  const result = await replayImpact(db, w.group, sides, window, running, {
    workers: 1,
    pageSize: 7,
    databaseUrl: testBackend === "postgres" ? t.database.url : undefined,
  });
  assert.deepEqual(result!.byRule, inThread.byRule);
  // Counting, the page keys and the awards' sum: each sale of the window, from its index
  // entry (migration 0023). A page's read asks its pricing, so reads a page of rows.
  const whole = statements.filter((s) =>
    /from "sales"/.test(s.sql) && !/pricing::text/.test(s.sql) && !/"sales"."id" in/.test(s.sql)
  );
  assert.ok(whole.length >= 3, whole.map((s) => s.sql).join("\n"));
  for (const statement of whole) {
    const plan = await indexPlan(statement);
    const scans = plan.split("\n").filter((line) => / on sales\b/.test(line));
    assert.ok(scans.length, plan);
    for (const scan of scans) {
      assert.match(scan, /Index Only Scan using sales_(un)?replayable/, plan);
    }
  }
  // Counting, the page keys (where the workers read the pages) and the awards' sum each ran
  // on one core: after a setting that refused a parallel plan.
  const first = (pattern: RegExp) => statements.findIndex((s) => pattern.test(s.sql));
  const settings = statements.flatMap((s, i) =>
    /max_parallel_workers_per_gather = 0/.test(s.sql) ? [i] : []
  );
  const readings = [/count\(\*\)/, /row_number\(\)/, /from "sale_awards"/]
    .map(first).filter((i) => i >= 0);
  assert.equal(readings.length, testBackend === "postgres" ? 3 : 2);
  assert.equal(settings.length, readings.length);
  settings.forEach((at, k) => assert.ok(at < readings[k], JSON.stringify({ settings, readings })));
});

Deno.test("onOneCore: its reading runs without parallel workers, and only it", async () => {
  const show = (db: typeof t.db) =>
    sql<{ max_parallel_workers_per_gather: string }>`show max_parallel_workers_per_gather`
      .execute(db).then((r) => r.rows[0].max_parallel_workers_per_gather);
  const before = await show(t.db);
  assert.equal(await onOneCore(t.db, show), "0");
  assert.equal(await show(t.db), before);
  // The embedded database has no parallel workers at all.
  if (testBackend === "postgres") assert.notEqual(before, "0");
});

Deno.test("without workers in the runtime the replay runs in the thread", async () => {
  const scope = globalThis as { Worker?: unknown };
  const worker = scope.Worker;
  delete scope.Worker;
  let result: ImpactResult;
  try {
    result = await replay({ workers: 2, pageSize: 7 });
  } finally {
    scope.Worker = worker;
  }
  assert.deepEqual(result, inThread);
  await t.close();
});

Deno.test("REPLAY_WORKERS: a count, unset for the default", () => {
  assert.equal(loadConfig({ REPLAY_WORKERS: "0" }).replayWorkers, 0);
  assert.equal(loadConfig({ REPLAY_WORKERS: "3" }).replayWorkers, 3);
  assert.equal(loadConfig({}).replayWorkers, undefined);
  assert.throws(() => loadConfig({ REPLAY_WORKERS: "-1" }), /REPLAY_WORKERS is not a count/);
});
