/**
 * The chain-shaped load (`deno task load --chain`, bench/lib/chain.ts): the Zipf draws, the
 * baskets, the chain preset of the demo, and the wrk scripts driving a real server over a small
 * chain — every answer a success, from many tills (the flagship's from store 1 only), paid with
 * points and gift cards, the ledger sound afterwards. The sale-shaped pgbench script runs for
 * real on Postgres (pgbench needs a server: not on PGlite).
 */
import assert from "node:assert/strict";
import { sql } from "kysely";
import { chainData, zipfRanks } from "../../bench/lib/chain.ts";
import { endpoints } from "../../bench/lib/endpoints.ts";
import { checkGiftCards, prepareGiftCards } from "../../bench/lib/gift_cards.ts";
import {
  createSaleShapedTables,
  dropSaleShapedTables,
  SALE_SHAPED,
  saleShapedScript,
} from "../../bench/lib/pgbench.ts";
import {
  CHAIN_TARGETS,
  evaluateTargets,
  formatTable,
  formatTargets,
  saleShapedCeiling,
  withRatios,
} from "../../bench/lib/report.ts";
import { chainTills } from "../../bench/lib/store.ts";
import { runWrk, wrkScript } from "../../bench/lib/wrk.ts";
import { chainMemberNumber, loadDemo } from "../../demo/load.ts";
import { seededRandom } from "../../demo/sales.ts";
import { checkLedger, isSound } from "../../ledger/check.ts";
import { createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";

const hasWrk = await new Deno.Command("wrk", { args: ["--version"] }).output()
  .then(() => true, () => false);
const hasPgbench = await new Deno.Command("pgbench", { args: ["--version"] }).output()
  .then(() => true, () => false);

Deno.test("Zipf draws: a few members shop often, most rarely; the same seed draws the same", () => {
  const ranks = zipfRanks(100_000, 0.6, 50_000, seededRandom(1));
  assert.ok(ranks.every((r) => Number.isInteger(r) && r >= 1 && r <= 100_000));
  const count = (from: number, to: number) => ranks.filter((r) => r >= from && r <= to).length;
  // Weights 1/r^0.6: the first 1 % of members take about 16 % of the sales, the last half 40 %.
  assert.ok(count(1, 1_000) > 0.12 * ranks.length, `${count(1, 1_000)}`);
  assert.ok(count(1, 1_000) < 0.2 * ranks.length);
  assert.ok(count(50_001, 100_000) < 0.5 * ranks.length);
  assert.ok(count(1, 10) > count(99_991, 100_000) * 10);
  assert.deepEqual(zipfRanks(100_000, 0.6, 100, seededRandom(1)), ranks.slice(0, 100));
});

Deno.test("chain baskets: 1–12 lines, discounts within the lines, the total is what is due", () => {
  const items = [
    { sku: "A", category: "SHOES", price: 1_999 },
    { sku: "B", category: "SOCKS", price: 350 },
  ];
  const data = chainData({ members: 1_000, holders: 100, items, giftCards: ["G1"], baskets: 500 });
  const lengths = new Set<number>();
  for (const b of data.baskets) {
    const { lines, discounts = [] } = JSON.parse(`{${b.json}}`) as {
      lines: { quantity: number; unitPrice: number; discounts?: { amount: number }[] }[];
      discounts?: { amount: number }[];
    };
    lengths.add(lines.length);
    let net = 0;
    for (const l of lines) {
      const off = (l.discounts ?? []).reduce((s, d) => s + d.amount, 0);
      assert.ok(off >= 0 && off < l.quantity * l.unitPrice);
      net += l.quantity * l.unitPrice - off;
    }
    net -= discounts.reduce((s, d) => s + d.amount, 0);
    assert.equal(b.total, net);
  }
  assert.equal(Math.min(...lengths), 1);
  assert.equal(Math.max(...lengths), 12);
  // Points only for the first holders, never for a plain customer (every 20th).
  for (const c of data.cards) {
    const rank = Number(c.number.slice(1));
    assert.equal(c.number, chainMemberNumber(rank));
    assert.equal(c.points, rank <= 100 && rank % 20 !== 0);
  }
});

Deno.test("the chain targets: ratios to both pgbench ceilings and the hello world, p99 at 8", () => {
  const row = (endpoint: string, rps: number, p99 = 1) => ({
    endpoint,
    method: "POST",
    path: "/",
    what: "",
    status: "measured" as const,
    result: {
      requests: rps,
      durationS: 1,
      rps,
      bytes: 0,
      latencyMs: { mean: 1, stdev: 0, max: p99, p50: 1, p75: 1, p90: 1, p99, p999: p99 },
      errors: { status: 0, connect: 0, read: 0, write: 0, timeout: 0, total: 0 },
    },
    ofHello: null,
    ofPgbench: null,
  });
  const pg = (tps: number) => ({
    tps,
    transactions: 0,
    failed: 0,
    latencyAvgMs: 1,
    clients: 16,
    jobs: 2,
    durationS: 1,
    script: "",
  });
  const figures = withRatios(
    [
      row("hello", 10_000),
      row("me", 2_000),
      row("lookup", 900),
      row("create", 1_000),
      row("chain-quote", 1_500),
      row("chain-sale", 600),
      row("flagship", 300),
      row("chain-quote-c8", 500, 12),
      row("chain-sale-c8", 200, 20),
    ],
    pg(3_000),
    new Set(["create", "chain-sale", "flagship", "chain-sale-c8"]),
    pg(1_000),
  );
  const verdicts = Object.fromEntries(
    evaluateTargets(figures, CHAIN_TARGETS).map((t) => [t.name, [t.value, t.pass]]),
  );
  assert.deepEqual(verdicts, {
    "sale ≥ 50 % of sale-shaped pgbench": [0.6, true],
    "sale ≥ 15 % of two-statement pgbench": [0.2, true],
    "flagship ≥ 35 % of sale-shaped": [0.3, false],
    "quote ≥ 10 % of hello world": [0.15, true],
    "lookup ≥ 10 % of hello world": [0.09, false],
    "/me ≥ 25 % of hello world": [0.2, false],
    "create ≥ 40 % of two-statement": [1 / 3, false],
    "sale p99 ≤ 25 ms at 8 connections": [20, true],
    "quote p99 ≤ 10 ms at 8 connections": [12, false],
  });
  const text = formatTargets(
    evaluateTargets(figures, CHAIN_TARGETS),
    true,
    "",
    ["met", "missed"],
  );
  assert.match(text, /met {5}sale ≥ 50 % of sale-shaped pgbench +60\.0 %/);
  assert.match(text, /missed {2}flagship ≥ 35 % of sale-shaped +30\.0 %/);

  // The ceiling is the best of the sale-shaped runs, whatever their order.
  const runs = [{ ...pg(600), clients: 16 }, { ...pg(1_200), clients: 64 }, {
    ...pg(900),
    clients: 8,
  }];
  assert.equal(saleShapedCeiling(runs)?.clients, 64);
  const table = formatTable(figures, pg(3_000), {}, runs);
  assert.match(table, /pgbench sale-shaped \(64 cl\.\) +1,200 tps.* 100 % \(ceiling\)/);
  assert.match(table, /pgbench sale-shaped \(16 cl\.\) +600 tps.* 50\.0 %/);
});

Deno.test({
  name:
    `the chain's quotes and sales from many tills all succeed, the ledger stays sound (${testBackend})`,
  ignore: !hasWrk,
  async fn() {
    const t = await createTestApp();
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, t.app.fetch);
    const dir = await Deno.makeTempDir({ prefix: "le_chain_test_" });
    try {
      const members = 400;
      const chain = { sites: 2, storesPerSite: 3, posPerStore: 2, pointsHolders: 60 };
      const demo = await loadDemo(t.db, {
        customers: members,
        items: 40,
        giftCards: 0,
        coupons: 0,
        sales: 0,
        force: false,
        issuer: t.config.publicUrl,
        chain: { ...chain, pointsEach: 1_000_000 },
      });
      const groupId = demo.merchantGroupId;
      const count = async (table: "customers" | "accounts" | "pos" | "stores") =>
        (await t.db.selectFrom(table).select("id").execute()).length;
      assert.equal(await count("customers"), members);
      assert.equal(await count("accounts"), members, "an account each, as createCustomer opens");
      assert.equal(await count("stores"), 6);
      assert.equal(await count("pos"), 12);
      const cards = await t.db.selectFrom("instruments").select("number")
        .where("customer_id", "is not", null).execute();
      assert.equal(cards.length, members);
      assert.ok(cards.some((c) => c.number === chainMemberNumber(members)));
      const holders = await sql<{ n: number }>`select count(*)::int as n from ledger_accounts
        where code = 'POINTS' and balance = 1000000`.execute(t.db);
      assert.equal(holders.rows[0].n, 57, "the first 60 but the plain customers (20, 40, 60)");

      const gift = await prepareGiftCards(t.db, groupId, { many: 5, one: 0, workers: 1 }, () => {});
      const tills = await chainTills(t.db, groupId, { issuer: t.config.publicUrl });
      assert.equal(tills.all.length, 12);
      assert.equal(tills.flagship.length, 2);
      const items = await t.db.selectFrom("items").select(["sku", "category", "prices"])
        .where("group_id", "=", groupId).execute();
      const data = chainData({
        members,
        holders: chain.pointsHolders,
        items: items.map((i) => ({ sku: i.sku, category: i.category, price: i.prices[0] })),
        giftCards: gift.many,
      });
      const list = endpoints({ sku: items[0].sku, category: "X", price: 100 }, data);
      const drive = async (name: string) => {
        const e = list.find((x) => x.name === name)!;
        const script = `${dir}/${name}.lua`;
        const tokens = e.tills === "flagship" ? tills.flagship : tills.all;
        await Deno.writeTextFile(script, wrkScript(e, { tokens, cards: [], runId: "t1" }));
        const { result } = await runWrk(e, script, {
          baseUrl: `http://127.0.0.1:${server.addr.port}`,
          durationS: 2,
          connections: 3,
          threads: 1,
          timeoutS: 10,
        });
        assert.ok(result.requests >= 5, `${name}: ${result.requests} requests`);
        assert.equal(result.errors.total, 0, `${name}: ${JSON.stringify(result)}`);
        return result;
      };
      await drive("chain-quote");
      const sold = await drive("chain-sale");
      assert.equal(sold.statuses?.["201"], sold.requests);
      const sales = await t.db.selectFrom("sales as s").innerJoin(
        "stores as st",
        "st.id",
        "s.store_id",
      )
        .select(["s.pos_id", "st.number", "s.points_redeemed", "s.customer_id"])
        .where("s.receipt_number", "like", "LOAD-chain-sale-%").execute();
      // wrk stops counting with requests still in flight: the server records those too.
      assert.ok(sales.length >= sold.requests && sales.length <= sold.requests + 3);
      assert.ok(new Set(sales.map((s) => s.pos_id)).size > 1, "from many tills");
      assert.ok(sales.some((s) => s.customer_id === null), "some anonymous");

      const flagship = await drive("flagship");
      const there = await t.db.selectFrom("sales as s").innerJoin(
        "stores as st",
        "st.id",
        "s.store_id",
      )
        .select("st.number").where("s.receipt_number", "like", "LOAD-flagship-%").execute();
      assert.ok(there.length >= flagship.requests && there.length <= flagship.requests + 3);
      assert.ok(there.every((s) => s.number === 1), "the flagship is store 1");

      const all = await t.db.selectFrom("sales").select(["points_redeemed", "tenders"])
        .where("receipt_number", "like", "LOAD-%").execute();
      assert.ok(all.some((s) => s.points_redeemed > 0), "some paid with points");
      assert.ok(
        all.some((s) => JSON.stringify(s.tenders).includes("giftCard")),
        "some paid with a gift card",
      );
      assert.ok(isSound(await checkLedger(t.db)));
      const cardsCheck = await checkGiftCards(t.db, gift, []);
      assert.equal(cardsCheck.overdraws, 0);
      assert.ok(cardsCheck.ok, JSON.stringify(cardsCheck));
    } finally {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
      await t.close();
    }
  },
});

Deno.test({
  name: "the sale-shaped pgbench: one statement writes a whole sale, balanced (postgres)",
  ignore: testBackend !== "postgres" || !hasPgbench,
  async fn() {
    const t = await createTestApp();
    const file = await Deno.makeTempFile({ suffix: ".sql" });
    try {
      const members = 50;
      await createSaleShapedTables(t.database.url, members);
      const script = saleShapedScript(members);
      const statements = script.split("\n").filter((l) => !l.startsWith("\\")).join("\n")
        .split(";").filter((s) => s.trim());
      assert.equal(statements.length, 1, "one statement, no BEGIN/END");
      await Deno.writeTextFile(file, script);
      const out = await new Deno.Command("pgbench", {
        args: ["--no-vacuum", "-f", file, "-c", "4", "-j", "2", "-t", "25", t.database.url],
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const n = async (table: string) =>
        (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`
          .execute(t.db)).rows[0].n;
      const T = SALE_SHAPED;
      assert.deepEqual(
        [
          await n(T.sales),
          await n(T.lines),
          await n(T.awards),
          await n(T.transactions),
          await n(T.entries),
          await n(T.idempotency),
        ],
        [100, 400, 400, 100, 400, 100],
      );
      const unbalanced = await sql`select transaction_id from ${sql.table(T.entries)}
        group by transaction_id, unit having sum(amount) <> 0`.execute(t.db);
      assert.equal(unbalanced.rows.length, 0, "every transaction sums to zero per unit");
      const balances = await sql`select a.id from ${sql.table(T.accounts)} a
        join (select account_id, sum(amount) s from ${sql.table(T.entries)} group by account_id) e
          on e.account_id = a.id
        where a.bench_n > 0 and a.balance <> e.s + case when a.unit = 'EUR' then 1000000000 else 0 end`
        .execute(t.db);
      assert.equal(balances.rows.length, 0, "each account's balance equals its entries");
      await dropSaleShapedTables(t.database.url);
    } finally {
      await Deno.remove(file);
      await t.close();
    }
  },
});
