/**
 * The load benchmark's moving parts (bench/): the Lua it generates for wrk, the burst, the
 * parsing of wrk's and pgbench's reports, and the gift card checks after the load (on a test
 * database: overdraws and liability mismatches are found). The wrk scripts run for real against
 * a recording server when wrk is installed; the whole benchmark (`deno task load`) is not run by
 * the suite.
 */
import assert from "node:assert/strict";
import { percentile, runBurst } from "../../bench/lib/burst.ts";
import {
  endpoints,
  fill,
  ONE_CARD_LOAD,
  placeholdersOf,
  REDEEM_AMOUNT,
} from "../../bench/lib/endpoints.ts";
import { checkGiftCards, prepareGiftCards } from "../../bench/lib/gift_cards.ts";
import { parsePgbench, pgbenchScript } from "../../bench/lib/pgbench.ts";
import { cpuSample, perRequest } from "../../bench/lib/cpu.ts";
import { processes, tree } from "../../bench/lib/processes.ts";
import {
  answersOf,
  evaluateTargets,
  formatCpu,
  formatTable,
  withRatios,
} from "../../bench/lib/report.ts";
import { luaString, luaTemplate, parseWrk, runWrk, wrkScript } from "../../bench/lib/wrk.ts";
import { createTestApp } from "../helpers/app.ts";
import { buildWorld, posCall } from "../helpers/world.ts";

const ITEM = { sku: "SKU00001", category: "SHOES", price: 500 };
const byName = (name: string) => endpoints(ITEM).find((e) => e.name === name)!;

const hasWrk = await new Deno.Command("wrk", { args: ["--version"] }).output()
  .then(() => true, () => false);

Deno.test("luaString: printable ASCII as is, quotes, backslashes and other bytes escaped", () => {
  assert.equal(luaString('a"b\\c'), '"a\\034b\\092c"');
  assert.equal(luaString("é\n"), '"\\195\\169\\010"');
  assert.equal(luaTemplate("/x?card={{card}}"), '"/x?card=" .. card');
  assert.equal(luaTemplate("{{id}}"), "id");
  assert.equal(luaTemplate(""), '""');
});

Deno.test("endpoints: templates name only known placeholders, fill replaces them", () => {
  assert.deepEqual([...placeholdersOf(byName("me"))], []);
  assert.deepEqual([...placeholdersOf(byName("lookup"))], ["card"]);
  assert.deepEqual([...placeholdersOf(byName("create"))].sort(), ["id"]);
  assert.deepEqual([...placeholdersOf(byName("sale"))].sort(), ["at", "card", "id"]);
  for (const name of ["redeem-one", "redeem-many"]) {
    const e = byName(name);
    assert.deepEqual([...placeholdersOf(e)].sort(), ["card", "id"]);
    assert.equal(
      fill(e.path, { card: "6912", id: "", at: "" }),
      "/api/pos/v1/instruments/6912/redeem",
    );
    assert.deepEqual(e.body, { amount: REDEEM_AMOUNT });
    assert.ok(e.idempotencyKey && e.auth && e.write && e.countStatuses);
  }
  assert.equal(byName("redeem-one").driver, "burst");
  assert.equal(byName("redeem-one").cards, "gift-one");
  assert.equal(byName("redeem-many").cards, "gift-many");
  assert.ok(byName("redeem-many").randomCard);
  // The one card covers exactly ten redemptions of the burst.
  assert.equal(Math.floor(ONE_CARD_LOAD / REDEEM_AMOUNT), 10);
  const body = JSON.parse(fill(JSON.stringify(byName("sale").body), {
    card: "123",
    id: "r-1-2",
    at: "2025-01-01T00:00:00Z",
  }));
  assert.deepEqual(body, {
    currency: "EUR",
    customer: { card: "123" },
    lines: [{ sku: "SKU00001", category: "SHOES", quantity: 2, unitPrice: 500 }],
    tenders: [{ type: "CASH", amount: 1000 }],
    receiptNumber: "LOAD-r-1-2",
    at: "2025-01-01T00:00:00Z",
  });
  assert.throws(() => fill("{{nope}}", { card: "", id: "", at: "" }), /unknown placeholder/);
});

Deno.test("parseWrk reads the line done() prints; parsePgbench reads tps and failures", () => {
  const wrk = parseWrk(
    "Running 1s test @ http://127.0.0.1:1/\n" +
      '@@wrk-json@@{"requests":5000,"duration_us":2000000,"bytes":1,"errors":{"connect":0,' +
      '"read":1,"write":0,"status":7,"timeout":2},"latency_us":{"min":10,"max":90000,' +
      '"mean":1500.5,"stdev":3.2,"p50":1200,"p75":1300,"p90":1400,"p99":45000,"p999":80000}}\n',
  );
  assert.equal(wrk.rps, 2500);
  assert.equal(wrk.latencyMs.p50, 1.2);
  assert.equal(wrk.latencyMs.p99, 45);
  assert.equal(wrk.errors.total, 10);
  assert.throws(() => parseWrk("Running 1s test\n"), /no result line/);

  const pg = parsePgbench(`pgbench (15.18 (Debian 15.18-0+deb12u1))
transaction type: /tmp/ledger.sql
scaling factor: 1
query mode: simple
number of clients: 16
number of threads: 2
maximum number of tries: 1
duration: 5 s
number of transactions actually processed: 14672
number of failed transactions: 3 (0.020%)
latency average = 5.449 ms
initial connection time = 21.338 ms
tps = 2936.201448 (without initial connection time)
`);
  assert.deepEqual(pg, { tps: 2936.201448, transactions: 14672, failed: 3, latencyAvgMs: 5.449 });
  assert.match(pgbenchScript(10), /random\(1, 10\)[\s\S]*BEGIN;\nUPDATE [\s\S]*INSERT [\s\S]*END;/);
});

Deno.test("ratios to hello world and pgbench, and the targets", () => {
  const result = (rps: number, p99: number) => ({
    requests: rps,
    durationS: 1,
    rps,
    bytes: 0,
    latencyMs: { mean: 1, stdev: 0, max: p99, p50: 1, p75: 1, p90: 1, p99, p999: p99 },
    errors: { status: 0, connect: 0, read: 0, write: 0, timeout: 0, total: 0 },
  });
  const row = (endpoint: string, rps: number, p99: number) => ({
    endpoint,
    method: "GET",
    path: "/",
    what: "",
    status: "measured" as const,
    result: result(rps, p99),
    ofHello: null,
    ofPgbench: null,
  });
  const figures = withRatios(
    [
      row("hello", 10_000, 1),
      row("me", 3_000, 20),
      row("lookup", 900, 60),
      row("create", 1_000, 40),
    ],
    {
      tps: 2_000,
      transactions: 0,
      failed: 0,
      latencyAvgMs: 1,
      clients: 16,
      jobs: 2,
      durationS: 1,
      script: "",
    },
    new Set(["create"]),
  );
  assert.equal(figures[1].ofHello, 0.3);
  assert.equal(figures[1].ofPgbench, null);
  assert.equal(figures[3].ofPgbench, 0.5);
  const verdicts = Object.fromEntries(evaluateTargets(figures).map((t) => [t.name, t.pass]));
  assert.deepEqual(verdicts, {
    "/me ≥ 25 % of hello world": true,
    "lookup ≥ 10 % of hello world": false,
    "create ≥ 40 % of pgbench": true,
    "/me p99 ≤ 50 ms": true,
    "lookup p99 ≤ 50 ms": false,
    "create p99 ≤ 50 ms": true,
  });
});

Deno.test({
  name: "wrk scripts: lookups rotate over the cards, creates and sales are each unique",
  ignore: !hasWrk,
  async fn() {
    const seen: { url: URL; headers: Headers; body: string }[] = [];
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      seen.push({ url: new URL(req.url), headers: req.headers, body: await req.text() });
      return new Response("{}", { status: 201 });
    });
    const dir = await Deno.makeTempDir({ prefix: "le_load_test_" });
    try {
      const baseUrl = `http://127.0.0.1:${server.addr.port}`;
      const cards = ["1001", "1002", "1003", "1004"];
      const ctx = { token: "tok.en", cards, runId: "run1" };
      const drive = async (name: string) => {
        seen.length = 0;
        const script = `${dir}/${name}.lua`;
        await Deno.writeTextFile(script, wrkScript(byName(name), ctx));
        const { result } = await runWrk(byName(name), script, {
          baseUrl,
          durationS: 1,
          connections: 4,
          threads: 2,
          timeoutS: 2,
        });
        assert.ok(result.requests > 10, `${name}: ${result.requests} requests`);
        assert.ok(seen.length >= result.requests);
        assert.ok(result.latencyMs.p99 >= result.latencyMs.p50);
        for (const r of seen) assert.equal(r.headers.get("authorization"), "Bearer tok.en");
        return [...seen];
      };

      const lookups = await drive("lookup");
      assert.ok(lookups.every((r) => r.url.pathname === "/api/pos/v1/customers/lookup"));
      assert.deepEqual(new Set(lookups.map((r) => r.url.searchParams.get("card"))), new Set(cards));

      const creates = await drive("create");
      const keys = creates.map((r) => r.headers.get("idempotency-key"));
      assert.equal(new Set(keys).size, creates.length, "one Idempotency-Key per request");
      // The endpoint in the key: a create and a sale of one run never share one.
      assert.ok(keys.every((k) => /^load-create-run1-[12]-\d+$/.test(k!)));
      const names = creates.map((r) => JSON.parse(r.body).name);
      assert.equal(new Set(names).size, creates.length, "one name per request");
      assert.deepEqual(JSON.parse(creates[0].body).categories, ["MEMBER"]);
      assert.equal(creates[0].headers.get("content-type"), "application/json");
      assert.equal(creates[0].url.pathname, "/api/pos/v1/customers");

      const sales = await drive("sale");
      const bodies = sales.map((r) => JSON.parse(r.body));
      assert.equal(new Set(bodies.map((b) => b.receiptNumber)).size, sales.length);
      assert.ok(bodies.every((b) => cards.includes(b.customer.card)));
      assert.ok(bodies.every((b) => Math.abs(Date.parse(b.at) - Date.now()) < 60_000));

      const mes = await drive("me");
      assert.ok(mes.every((r) => r.url.pathname === "/api/pos/v1/me" && r.body === ""));
    } finally {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("answers: successes, 409s and the rest; the table shows them for counted endpoints", () => {
  const r = {
    requests: 1000,
    durationS: 1,
    rps: 1000,
    bytes: 0,
    latencyMs: { mean: 1, stdev: 0, max: 9, p50: 1, p75: 1, p90: 1, p99: 9, p999: 9 },
    statuses: { "200": 10, "409": 985, "500": 5 },
    errors: { status: 990, connect: 0, read: 1, write: 0, timeout: 2, total: 993 },
  };
  assert.deepEqual(answersOf(r, 200), { successes: 10, conflicts: 985, others: 8 });
  const text = formatTable(
    [{
      endpoint: "redeem-one",
      method: "POST",
      path: "/",
      what: "",
      status: "measured",
      driver: "burst",
      burst: { requests: 1000, card: "1" },
      result: r,
      ofHello: 0.1,
      ofPgbench: null,
    }],
    null,
    { "redeem-one": 200 },
  );
  const row = text.split("\n").find((l) => l.startsWith("redeem-one"))!;
  assert.match(
    row,
    /^redeem-one \(burst of 1000\)\s+1,000\s+1\.00\s+9\.00\s+10\s+985\s+8 \(0\.80 %\)/,
  );
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
  assert.equal(percentile([1, 2, 3, 4], 99), 4);
  assert.equal(percentile([5], 0), 5);
  assert.equal(percentile([], 99), 0);
});

Deno.test({
  name: "wrk scripts: redeem-many draws cards at random, one key each, answers counted by status",
  ignore: !hasWrk,
  async fn() {
    let n = 0;
    const seen: { url: URL; key: string | null; body: string }[] = [];
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      seen.push({
        url: new URL(req.url),
        key: req.headers.get("idempotency-key"),
        body: await req.text(),
      });
      return new Response("{}", { status: ++n % 4 === 0 ? 409 : 200 });
    });
    const dir = await Deno.makeTempDir({ prefix: "le_load_test_" });
    try {
      const cards = Array.from({ length: 50 }, (_, i) => `69${String(i).padStart(14, "0")}`);
      const e = byName("redeem-many");
      const script = `${dir}/redeem.lua`;
      await Deno.writeTextFile(script, wrkScript(e, { token: "tok", cards, runId: "r" }));
      const { result } = await runWrk(e, script, {
        baseUrl: `http://127.0.0.1:${server.addr.port}`,
        durationS: 1,
        connections: 4,
        threads: 2,
        timeoutS: 2,
      });
      assert.ok(result.requests > 50, `${result.requests} requests`);
      const statuses = result.statuses!;
      assert.deepEqual(Object.keys(statuses).sort(), ["200", "409"]);
      assert.equal(statuses["200"] + statuses["409"], result.requests);
      assert.equal(statuses["409"], result.errors.status);
      assert.ok(Math.abs(statuses["409"] / result.requests - 0.25) < 0.05);
      const keys = seen.map((r) => r.key);
      assert.equal(new Set(keys).size, seen.length, "one Idempotency-Key per request");
      assert.ok(keys.every((k) => /^load-redeem-many-r-[12]-\d+$/.test(k!)));
      const used = seen.map((r) => r.url.pathname.split("/")[5]);
      assert.ok(used.every((c) => cards.includes(c)));
      assert.ok(new Set(used).size > 40, "random cards, most of the 50 drawn");
      assert.ok(seen.every((r) => JSON.parse(r.body).amount === REDEEM_AMOUNT));
    } finally {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a burst sends every request at once, one key each, and counts the answers", async () => {
  const COUNT = 60;
  const keys: string[] = [];
  let release!: () => void;
  const all = new Promise<void>((r) => release = r);
  let served = 0;
  // Holds every request until all have arrived: a burst that sent them one after another
  // would never finish.
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    keys.push(req.headers.get("idempotency-key")!);
    assert.equal(req.headers.get("authorization"), "Bearer tok");
    assert.deepEqual(await req.json(), { amount: REDEEM_AMOUNT });
    if (keys.length === COUNT) release();
    await all;
    return ++served <= 10
      ? Response.json({ balance: 0 })
      : Response.json({ type: "https://x/problems/insufficient-funds" }, { status: 409 });
  });
  try {
    const result = await runBurst(byName("redeem-one"), {
      baseUrl: `http://127.0.0.1:${server.addr.port}`,
      count: COUNT,
      timeoutS: 10,
      token: "tok",
      card: "6900000000000001",
      runId: "b",
    });
    assert.equal(result.requests, COUNT);
    assert.deepEqual(result.statuses, { "200": 10, "409": 50 });
    assert.deepEqual(result.problems, { "409 insufficient-funds": 50 });
    assert.deepEqual(answersOf(result, 200), { successes: 10, conflicts: 50, others: 0 });
    assert.equal(new Set(keys).size, COUNT);
    assert.ok(keys.every((k) => /^load-redeem-one-b-\d+$/.test(k)));
    assert.ok(result.latencyMs.p99 >= result.latencyMs.p50 && result.rps > 0);
  } finally {
    await server.shutdown();
  }
});

Deno.test("gift card checks: none overdrawn and liabilities equal after real redemptions; a tampered card is found", async () => {
  const t = await createTestApp();
  try {
    const w = await buildWorld(t, { name: "Load checks" });
    const gift = await prepareGiftCards(
      t.db,
      w.group.id,
      { many: 3, one: 1, workers: 1 },
      () => {},
    );
    assert.equal(gift.many.length, 3);
    assert.equal(gift.one.length, 1);
    let k = 0;
    const redeem = (card: string) =>
      posCall(t, w.posToken, "POST", `/instruments/${card}/redeem`, {
        body: { amount: REDEEM_AMOUNT },
        key: `k-${++k}`,
      });
    const burst = await Promise.all(Array.from({ length: 14 }, () => redeem(gift.one[0])));
    const successes = burst.filter((a) => a.status === 200).length;
    assert.equal(successes, 10);
    for (const card of gift.many) assert.equal((await redeem(card)).status, 200);
    const outcome = {
      card: gift.one[0],
      phase: "measured" as const,
      requests: 14,
      successes,
      conflicts: burst.filter((a) => a.status === 409).length,
      others: 0,
    };

    const ok = await checkGiftCards(t.db, gift, [outcome]);
    assert.equal(ok.overdraws, 0);
    assert.ok(ok.ok, JSON.stringify(ok));
    assert.deepEqual(ok.oneCard.map((c) => [c.expected, c.successes, c.recorded, c.balance]), [
      [10, 10, 10, 0],
    ]);
    assert.deepEqual(ok.manyCards, {
      cards: 3,
      loaded: 3 * gift.manyLoad,
      redemptions: 3,
      redeemed: 3 * REDEEM_AMOUNT,
      outstanding: 3 * (gift.manyLoad - REDEEM_AMOUNT),
    });
    const mine = ok.liability.find((l) => l.seriesId === gift.seriesId)!;
    assert.deepEqual([mine.outstanding, mine.liability, mine.cards, mine.ok], [
      3 * (gift.manyLoad - REDEEM_AMOUNT),
      3 * (gift.manyLoad - REDEEM_AMOUNT),
      4,
      true,
    ]);

    // A client that saw one success too many, and a card whose kept balance went below zero.
    const seenTooMany = await checkGiftCards(t.db, gift, [{ ...outcome, successes: 11 }]);
    assert.equal(seenTooMany.overdraws, 1);
    assert.equal(seenTooMany.signs.burstSuccessesAboveLoad, 1);
    assert.ok(!seenTooMany.ok);
    const card = await t.db.selectFrom("instruments").select("id")
      .where("number", "=", gift.many[0]).executeTakeFirstOrThrow();
    await t.db.updateTable("ledger_accounts").set({ balance: -REDEEM_AMOUNT })
      .where("instrument_id", "=", card.id).execute();
    const tampered = await checkGiftCards(t.db, gift, [outcome]);
    assert.equal(tampered.overdraws, 1);
    assert.deepEqual(tampered.overdrawnCards, [gift.many[0]]);
    assert.equal(tampered.signs.balanceBelowZero, 1);
    assert.equal(tampered.balanceMismatches, 1);
    assert.ok(!tampered.liability.find((l) => l.seriesId === gift.seriesId)!.ok);
    assert.ok(!tampered.ok);
  } finally {
    await t.close();
  }
});

Deno.test({
  name: "processor time: a process's tree and the machine, per request, and what the cores allow",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const child = new Deno.Command("sleep", { args: ["5"] }).spawn();
    try {
      const all = await processes();
      assert.deepEqual(
        tree(all, Deno.pid).map((p) => p.pid).filter((pid) => pid === child.pid),
        [child.pid],
        "a child is in its parent's tree",
      );
      assert.ok(!tree(all, child.pid).some((p) => p.pid === Deno.pid));
      const before = (await cpuSample(Deno.pid))!;
      // Half a second of this process's own processor time, however busy the machine is.
      const ticks = () => {
        const stat = Deno.readTextFileSync(`/proc/${Deno.pid}/stat`);
        const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return Number(rest[11]) + Number(rest[12]);
      };
      const from = ticks();
      const wall = performance.now();
      while (ticks() - from < 50) {
        for (let i = 0; i < 1e5; i++) Math.sqrt(Math.random());
      }
      const after = (await cpuSample(Deno.pid))!;
      const elapsed = (performance.now() - wall) / 1000;
      // Seconds of this process's tree (other tests' children may come and go meanwhile).
      const spent = perRequest(before, after, 1)!.serverMs / 1000;
      assert.ok(spent >= 0.5, `${spent} s`);
      assert.ok(spent <= (elapsed + 0.05) * navigator.hardwareConcurrency, `${spent} s`);
      // The machine is read just before the processes: less the time of reading them.
      assert.ok(after.machine - before.machine >= spent - 0.1);
      const per = perRequest(before, after, 100)!;
      assert.ok(Math.abs(per.serverMs - spent * 10) < 1e-9);
      assert.ok(per.serverCores > 0 && per.serverCores <= navigator.hardwareConcurrency + 0.1);
      assert.equal(per.allows, navigator.hardwareConcurrency * 1000 / per.machineMs);
      assert.equal(perRequest(before, after, 0), null);
      // A backend that ended meanwhile is left out, one that started counts whole.
      const ended = perRequest(
        { at: 0, server: new Map(), postgres: new Map([[1, 100], [2, 50]]), machine: 0 },
        { at: 1000, server: new Map(), postgres: new Map([[1, 150], [3, 10]]), machine: 1 },
        1,
      )!;
      assert.ok(Math.abs(ended.postgresMs - 600) < 1e-9, String(ended.postgresMs));
      const shown = formatCpu([{
        endpoint: "quote",
        method: "POST",
        path: "/quote",
        what: "",
        status: "measured",
        ofHello: null,
        ofPgbench: null,
        cpu: { ...per, serverMs: 0.5, postgresMs: 0.25, machineMs: 1, allows: 2000 },
      }])!;
      assert.match(shown, /quote\s+0\.500\s+0\.250\s+1\.000\s+\S+\s+\S+\s+2,000/);
      assert.equal(formatCpu([]), null);
    } finally {
      child.kill();
      await child.status;
    }
  },
});
