/**
 * The load benchmark's moving parts (bench/): the Lua it generates for wrk, and the parsing of
 * wrk's and pgbench's reports. The wrk scripts run for real against a recording server when
 * wrk is installed; the whole benchmark (`deno task load`) is not run by the suite.
 */
import assert from "node:assert/strict";
import { endpoints, fill, placeholdersOf } from "../../bench/lib/endpoints.ts";
import { parsePgbench, pgbenchScript } from "../../bench/lib/pgbench.ts";
import { evaluateTargets, withRatios } from "../../bench/lib/report.ts";
import { luaString, luaTemplate, parseWrk, runWrk, wrkScript } from "../../bench/lib/wrk.ts";

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
