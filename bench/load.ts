/**
 * The load benchmark (`deno task load`): a hello world and the server on the chosen store
 * (PGlite, or Postgres with the demo programme), driven by wrk, endpoint after endpoint, plus
 * pgbench (one balance UPDATE + one entry INSERT per transaction) on the same Postgres. Prints
 * req/s, p50, p99 and errors per endpoint and every ratio — endpoint / hello world, writes /
 * pgbench — all measured in the same run, then the ledger invariant check (ledger/check.ts) on
 * what the load wrote, and writes them as JSON under bench/results/.
 *
 * Gift card redemptions: `redeem-many` (wrk, a random card of many per request) and
 * `redeem-one` (one burst of `--burst` requests at once on one card that covers only ten);
 * after the load, the overdraw and liability checks of bench/lib/gift_cards.ts. An overdraw, a
 * burst that did not succeed exactly ten times, a liability that differs from its cards or an
 * unsound ledger makes the run fail (exit code 1), once the results are written.
 *
 *   deno task load                                   # PGlite in a temporary folder
 *   DATABASE_URL=postgres://… deno task load --db postgres
 *   deno task load --help
 *
 * Absolute figures depend on the machine and on whatever else runs on it; compare ratios.
 */
import { parseArgs } from "node:util";
import { type BurstResult, runBurst } from "./lib/burst.ts";
import { cpuSample, perRequest } from "./lib/cpu.ts";
import {
  CHAIN_ENDPOINTS,
  type Endpoint,
  endpoints,
  fill,
  LATENCY_CONNECTIONS,
} from "./lib/endpoints.ts";
import { type BurstOutcome, formatGiftCardCheck } from "./lib/gift_cards.ts";
import {
  createSaleShapedTables,
  createScratchTables,
  dropSaleShapedTables,
  dropScratchTables,
  pgbenchScript,
  pgbenchVersion,
  runPgbench,
  saleShapedScript,
} from "./lib/pgbench.ts";
import type { PgbenchResult } from "./lib/pgbench.ts";
import {
  cleanUp,
  cleanUpOnSignals,
  freePort,
  isCleaningUp,
  onCleanUp,
  Spawned,
  treeRssBytes,
  waitForHttp,
} from "./lib/processes.ts";
import {
  answersOf,
  CHAIN_TARGETS,
  type EndpointFigures,
  evaluateTargets,
  formatCpu,
  formatTable,
  formatTargets,
  saleShapedCeiling,
  withRatios,
} from "./lib/report.ts";
import {
  checkStoreLedger,
  type Fixture,
  prepareStore,
  serverVersion,
  type Store,
} from "./lib/store.ts";
import { runWrk, wrkScript, wrkVersion } from "./lib/wrk.ts";
import { buildIslands } from "../web/build.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);
const ALL = [
  "hello",
  "healthz",
  "me",
  "lookup",
  "create",
  "quote",
  "sale",
  "redeem-one",
  "redeem-many",
  "pgbench",
];
/** With `--chain`: the chain's endpoints, and the sale-shaped pgbench. */
const CHAIN_ONLY = [...CHAIN_ENDPOINTS, "pgbench-sale"];

const HELP = `deno task load [options]

  --db pglite|postgres    the store (default pglite: a temporary folder). postgres: a throwaway
                          database le_load_<random> on the server of LOAD_PG_URL, else of
                          DATABASE_URL, dropped afterwards
  --in-place              postgres: use the database of DATABASE_URL itself (loads the demo if
                          it is empty, else reuses its first programme; customers and the
                          gift-card series created by the run stay)
  --duration S            seconds per endpoint (default 10)
  --warmup S              seconds of unmeasured load before each endpoint (default 2)
  --connections N         wrk connections (default 64)
  --threads N             wrk threads (default: the number of cores)
  --timeout S             wrk request timeout, a timeout counts as an error (default 10)
  --endpoints a,b,…       a subset of ${ALL.join(",")}
                          and, with --chain, ${CHAIN_ONLY.join(",")}
                          (hello, the baseline, is always measured)
  --chain                 the chain: the demo's chain preset (200 stores × 4 POS, 100,000
                          members; --customers changes the members), every till with a token
                          of its own; adds quote and sale from random tills for Zipf-drawn
                          members with baskets of 1–12 lines paid with points, gift cards and
                          cards, the flagship (every connection on store 1's POS), both again
                          at ${LATENCY_CONNECTIONS} connections, the sale-shaped pgbench (at --pgbench-clients,
                          --connections and ${LATENCY_CONNECTIONS} clients: the best is the ceiling), and issue 21's targets as met/missed
  --parallel              the server on every core: --processes <number of cores>
  --customers N           demo size (default 10000; 100000 with --chain)
  --cards N               at most this many card numbers to rotate lookups over (default 10000)
  --gift-cards N          redeem-many: gift cards, each loaded with 10,000.00 (default 2000)
  --burst N               redeem-one: requests sent at once on one card loaded with 100.00
                          (default 1000); a warm-up burst (--warmup > 0) drains a card of its own
  --burst-timeout S       a burst request's timeout (default 120): the last of a burst waits
                          for all the others, queued on the card's lock
  --processes N           server (and hello world) workers on one port (default 1): N > 1
                          runs main.ts --parallel (deno serve --parallel, DENO_JOBS=N) and
                          needs Postgres
  --pgbench-clients N     pgbench clients (default 16)
  --pgbench-jobs N        pgbench threads (default 2)
  --out FILE              the JSON results (default bench/results/<timestamp>-<db>.json)

Needs wrk, and pgbench for Postgres: apt-get install -y wrk postgresql-client`;

interface Options {
  db: "pglite" | "postgres";
  inPlace: boolean;
  durationS: number;
  warmupS: number;
  connections: number;
  threads: number;
  timeoutS: number;
  endpoints: string[];
  customers: number;
  cards: number;
  giftCards: number;
  burst: number;
  burstTimeoutS: number;
  processes: number;
  chain: boolean;
  pgbenchClients: number;
  pgbenchJobs: number;
  out?: string;
}

function parseOptions(args: string[]): Options | undefined {
  const { values } = parseArgs({
    // `deno task load -- --db postgres` passes the `--` on.
    args: args[0] === "--" ? args.slice(1) : args,
    options: {
      db: { type: "string", default: "pglite" },
      "in-place": { type: "boolean", default: false },
      duration: { type: "string", default: "10" },
      warmup: { type: "string", default: "2" },
      connections: { type: "string", default: "64" },
      threads: { type: "string" },
      timeout: { type: "string", default: "10" },
      endpoints: { type: "string" },
      customers: { type: "string" },
      chain: { type: "boolean", default: false },
      parallel: { type: "boolean", default: false },
      cards: { type: "string", default: "10000" },
      "gift-cards": { type: "string", default: "2000" },
      burst: { type: "string", default: "1000" },
      "burst-timeout": { type: "string", default: "120" },
      processes: { type: "string", default: "1" },
      "pgbench-clients": { type: "string", default: "16" },
      "pgbench-jobs": { type: "string", default: "2" },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return undefined;
  }
  const number = (name: string, text: string, min: number) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < min) {
      throw new Error(`--${name}: ${text} is not a number ≥ ${min}`);
    }
    return n;
  };
  const whole = (name: string, text: string, min: number) => {
    const n = number(name, text, min);
    if (!Number.isInteger(n)) throw new Error(`--${name}: ${text} is not a whole number`);
    return n;
  };
  if (values.db !== "pglite" && values.db !== "postgres") {
    throw new Error(`--db: pglite or postgres, not ${values.db}`);
  }
  const known = values.chain ? [...ALL, ...CHAIN_ONLY] : ALL;
  const chosen = values.endpoints === undefined
    ? known
    : values.endpoints.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = chosen.filter((e) => !known.includes(e));
  if (unknown.length) {
    throw new Error(
      `--endpoints: unknown ${unknown.join(", ")}` +
        (unknown.some((e) => CHAIN_ONLY.includes(e)) ? " (needs --chain)" : ""),
    );
  }
  const connections = whole("connections", values.connections, 1);
  const processes = values.parallel
    ? navigator.hardwareConcurrency
    : whole("processes", values.processes, 1);
  if (values.chain && values["in-place"]) {
    throw new Error("--chain loads the chain into a database of its own: not with --in-place");
  }
  if (processes > 1 && values.db === "pglite") {
    throw new Error("--processes > 1 needs --db postgres: PGlite is a single-process database");
  }
  if (values["in-place"] && values.db !== "postgres") {
    throw new Error("--in-place goes with --db postgres");
  }
  return {
    db: values.db,
    inPlace: values["in-place"],
    durationS: whole("duration", values.duration, 1),
    warmupS: whole("warmup", values.warmup, 0),
    connections,
    threads: Math.min(
      connections,
      whole("threads", values.threads ?? String(navigator.hardwareConcurrency), 1),
    ),
    timeoutS: whole("timeout", values.timeout, 1),
    endpoints: known.filter((e) => e === "hello" || chosen.includes(e)),
    customers: whole("customers", values.customers ?? (values.chain ? "100000" : "10000"), 1),
    cards: whole("cards", values.cards, 1),
    giftCards: whole("gift-cards", values["gift-cards"], 1),
    burst: whole("burst", values.burst, 1),
    burstTimeoutS: whole("burst-timeout", values["burst-timeout"], 1),
    processes,
    chain: values.chain,
    pgbenchClients: whole("pgbench-clients", values["pgbench-clients"], 1),
    pgbenchJobs: whole("pgbench-jobs", values["pgbench-jobs"], 1),
    out: values.out,
  };
}

async function commandText(cmd: string, args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command(cmd, { args, cwd: ROOT, stderr: "null" }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}

async function cpuModel(): Promise<string | null> {
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    return /^model name\s*:\s*(.+)$/m.exec(info)?.[1] ?? null;
  } catch {
    return null;
  }
}

/**
 * Starts one server (it may run several workers itself) and waits until it answers. The
 * listening line, when the server prints one, is only a quicker sign of life.
 */
async function startServer(
  name: string,
  args: string[],
  env: Record<string, string>,
  healthUrl: string,
): Promise<Spawned[]> {
  const p = new Spawned(name, Deno.execPath(), args, { env, clearEnv: true, cwd: ROOT });
  await waitForHttp(healthUrl, 180_000);
  return [p];
}

async function stopAll(processes: Spawned[]) {
  await Promise.all(processes.map((p) => p.stop()));
}

const say = (msg: string) => console.log(msg);

/**
 * Waits until the server has worked off what an earlier phase left queued (requests wrk gave
 * up on when its time ran out, a burst's timed-out requests): `/healthz` runs `select 1`, which
 * waits its turn for a database connection behind them. Answers the milliseconds it took.
 */
async function settle(baseUrl: string): Promise<number> {
  const started = performance.now();
  await waitForHttp(`${baseUrl}/healthz`, 600_000);
  const ms = performance.now() - started;
  if (ms > 1_000) {
    say(`    (the server worked off queued requests for ${(ms / 1000).toFixed(1)} s)`);
  }
  return ms;
}

/** The tokens an endpoint's requests are signed with: one till's, or the chain's. */
function tillsFor(e: Endpoint, fixture: Fixture): string[] | undefined {
  if (!e.tills) return undefined;
  if (!fixture.tills) throw new Error(`${e.name}: the chain's tills were not prepared`);
  return e.tills === "all" ? fixture.tills.all : fixture.tills.flagship;
}

/** The numbers an endpoint's `{{card}}` takes. */
function cardsFor(e: Endpoint, fixture: Fixture): string[] {
  if (!e.cards || e.cards === "customer") return fixture.cards;
  const gift = fixture.giftCards;
  if (!gift) throw new Error(`${e.name}: no gift cards were prepared`);
  return e.cards === "gift-many" ? gift.many : gift.one;
}

/**
 * A burst endpoint (redeem-one): the warm-up burst, when there is one, on the first card (it
 * also opens the connections the measured burst reuses), the measured one on the next. Each
 * burst's answers are kept for the checks after the load.
 */
async function measureBurst(
  e: Endpoint,
  baseUrl: string,
  opts: Options,
  ctx: { token: string; cards: string[]; runId: string },
  bursts: BurstOutcome[],
): Promise<EndpointFigures> {
  const figures: EndpointFigures = {
    endpoint: e.name,
    method: e.method,
    path: e.path,
    what: e.what,
    status: "measured",
    driver: "burst",
    ofHello: null,
    ofPgbench: null,
  };
  const burst = async (phase: BurstOutcome["phase"], card: string): Promise<BurstResult> => {
    const result = await runBurst(e, {
      baseUrl,
      count: opts.burst,
      timeoutS: opts.burstTimeoutS,
      token: ctx.token,
      card,
      runId: `${ctx.runId}${phase === "warm-up" ? "w" : "m"}`,
    });
    const answers = answersOf(result, e.expect);
    await settle(baseUrl);
    bursts.push({ card, phase, requests: opts.burst, ...answers });
    say(
      `    ${phase} burst on card ${card}: ${answers.successes} × ${e.expect}, ` +
        `${answers.conflicts} × 409, ${answers.others} other, in ` +
        `${result.durationS.toFixed(2)} s (p99 ${result.latencyMs.p99.toFixed(1)} ms)`,
    );
    return result;
  };
  const warm = opts.warmupS > 0 && ctx.cards.length > 1;
  say(`  ${e.name}: ${warm ? "a warm-up burst + " : ""}a burst of ${opts.burst} requests…`);
  if (warm) figures.warmUp = await burst("warm-up", ctx.cards[0]);
  const result = await burst("measured", ctx.cards[ctx.cards.length - 1]);
  figures.result = result;
  figures.burst = { requests: opts.burst, card: ctx.cards[ctx.cards.length - 1] };
  figures.problems = result.problems;
  return figures;
}

async function measure(
  e: Endpoint,
  baseUrl: string,
  opts: Options,
  ctx: { token: string; tokens?: string[]; cards: string[]; runId: string; scriptDir: string },
  serverPid: number,
): Promise<EndpointFigures> {
  const figures: EndpointFigures = {
    endpoint: e.name,
    method: e.method,
    path: e.path,
    what: e.what,
    status: "measured",
    ofHello: null,
    ofPgbench: null,
    ...(e.connections ? { connections: e.connections } : {}),
  };
  // One request first: shows a missing endpoint (skipped) or a broken request (reported).
  // The endpoint in the id: two endpoints may record receipts at the same POS.
  const values = {
    card: ctx.cards[0],
    id: `${ctx.runId}-probe-${e.name}`,
    at: new Date().toISOString(),
  };
  const headers: Record<string, string> = {};
  if (e.auth) headers.Authorization = `Bearer ${ctx.tokens?.[0] ?? ctx.token}`;
  if (e.body !== undefined) headers["Content-Type"] = "application/json";
  if (e.idempotencyKey) headers["Idempotency-Key"] = `load-${e.name}-${values.id}`;
  const res = await fetch(baseUrl + fill(e.path, values), {
    method: e.method,
    headers,
    body: e.body === undefined ? undefined : fill(JSON.stringify(e.body), values),
  });
  const text = await res.text();
  figures.probeStatus = res.status;
  if (res.status === 404 && e.optional) {
    figures.status = "skipped";
    figures.note = `not built yet (the server answers 404 to ${e.method} ${e.path})`;
    say(`  ${e.name}: skipped, ${figures.note}`);
    return figures;
  }
  if (res.status !== e.expect) {
    figures.note = `the probe request answered ${res.status}, not ${e.expect}: ` +
      text.slice(0, 300).replace(/\s+/g, " ");
    say(`  ${e.name}: WARNING ${figures.note}`);
  }

  // Each wrk run numbers its requests from 1 again: the warm-up and the measurement get
  // scripts with run ids of their own, so that no Idempotency-Key is ever sent twice.
  const script = async (phase: string) => {
    const file = `${ctx.scriptDir}/${e.name}-${phase}.lua`;
    await Deno.writeTextFile(file, wrkScript(e, { ...ctx, runId: `${ctx.runId}${phase}` }));
    return file;
  };
  const wrkOpts = {
    baseUrl,
    connections: e.connections ?? opts.connections,
    threads: opts.threads,
    timeoutS: opts.timeoutS,
  };
  say(
    `  ${e.name}: ${opts.warmupS} s warm-up + ${opts.durationS} s` +
      (e.connections ? ` at ${e.connections} connections` : "") + "…",
  );
  let warmUp: EndpointFigures["warmUp"];
  if (opts.warmupS > 0) {
    warmUp = (await runWrk(e, await script("w"), { ...wrkOpts, durationS: opts.warmupS })).result;
    await settle(baseUrl);
  }
  const before = await cpuSample(serverPid);
  const { result, command } = await runWrk(e, await script("m"), {
    ...wrkOpts,
    durationS: opts.durationS,
  });
  const after = await cpuSample(serverPid);
  figures.result = result;
  if (before && after) figures.cpu = perRequest(before, after, result.requests) ?? undefined;
  figures.wrkCommand = command;
  // The next endpoint starts on an idle server.
  await settle(baseUrl);
  // What the warm-up answered, for endpoints that count answers: its redemptions are in the
  // database the checks read.
  if (e.countStatuses && warmUp) figures.warmUp = warmUp;
  return figures;
}

async function main(opts: Options) {
  const startedAt = new Date();
  const runId = crypto.randomUUID().slice(0, 8);
  const wantPgbench = opts.db === "postgres" && opts.endpoints.includes("pgbench");
  const wantSaleShaped = opts.db === "postgres" && opts.endpoints.includes("pgbench-sale");
  const tools = {
    wrk: await wrkVersion(),
    pgbench: wantPgbench || wantSaleShaped ? await pgbenchVersion() : null,
  };
  const loadavg = () => Deno.loadavg().map((n) => Math.round(n * 100) / 100);
  const loadBefore = loadavg();
  say(
    `load benchmark ${runId}: ${opts.db}, ${opts.connections} connections, ` +
      `${opts.threads} wrk threads, ${opts.durationS} s per endpoint, ` +
      `${opts.processes} server process(es)${opts.chain ? ", the chain" : ""}; ` +
      `load average ${loadBefore.join(" ")}`,
  );

  const helloPort = freePort();
  const serverPort = freePort();
  const publicUrl = `http://localhost:${serverPort}`;

  // A server on Postgres needs TOKEN_KEY_SECRET: the caller's, else one made for this run (its
  // database is thrown away); in place without one, the keys stay as they are, in clear.
  const tokenKeySecret = Deno.env.get("TOKEN_KEY_SECRET") ||
    (opts.inPlace ? undefined : crypto.randomUUID());
  say("preparing the database:");
  const store: Store = await prepareStore({
    db: opts.db,
    inPlace: opts.inPlace,
    customers: opts.customers,
    issuer: publicUrl,
    tokenKeySecret,
    maxCards: opts.cards,
    chain: opts.chain,
    giftCards: opts.endpoints.includes("redeem-one") || opts.endpoints.includes("redeem-many")
      ? {
        many: opts.endpoints.includes("redeem-many") ? opts.giftCards : 0,
        one: opts.endpoints.includes("redeem-one") ? (opts.warmupS > 0 ? 2 : 1) : 0,
      }
      : null,
  });
  const { fixture } = store;
  say(`  ${fixture.cards.length.toLocaleString("en")} card numbers for lookups`);
  const pgUrl = store.pgUrl;
  const accounts = Math.max(fixture.demo.customers, 1_000);
  if (wantPgbench && pgUrl) {
    await createScratchTables(pgUrl, accounts);
    onCleanUp("drop the pgbench tables", () => dropScratchTables(pgUrl));
  }
  if (wantSaleShaped && pgUrl) {
    await createSaleShapedTables(pgUrl, accounts);
    onCleanUp("drop the sale-shaped pgbench tables", () => dropSaleShapedTables(pgUrl));
  }

  const scriptDir = await Deno.makeTempDir({ prefix: "le_load_wrk_" });
  onCleanUp("remove the wrk scripts", () => Deno.remove(scriptDir, { recursive: true }));
  const ctx = { token: fixture.token, cards: fixture.cards, runId, scriptDir };
  const list = endpoints(fixture.item, fixture.chain).filter((e) =>
    opts.endpoints.includes(e.name)
  );
  const figures: EndpointFigures[] = [];
  const bursts: BurstOutcome[] = [];

  // The baseline, alone on the machine (the server is not started yet), with as many workers
  // as the server will have (`deno serve --parallel` either way).
  const jobs: Record<string, string> = { DENO_JOBS: String(opts.processes) };
  const parallel = opts.processes > 1 ? ["--parallel"] : [];
  say(`hello world on port ${helloPort}:`);
  const hello = await startServer(
    "hello world",
    ["serve", ...parallel, "--allow-net", "--port", String(helloPort), "bench/hello.ts"],
    { ...baseEnv(), ...jobs },
    `http://127.0.0.1:${helloPort}/`,
  );
  figures.push(
    await measure(list[0], `http://127.0.0.1:${helloPort}`, opts, ctx, hello[0].child.pid),
  );
  await stopAll(hello);

  say(`server (main.ts) on port ${serverPort}:`);
  await buildIslands();
  const serverEnv: Record<string, string> = {
    ...baseEnv(),
    ...store.serverEnv,
    ...(tokenKeySecret ? { TOKEN_KEY_SECRET: tokenKeySecret } : { ALLOW_UNENCRYPTED_KEYS: "true" }),
    PORT: String(serverPort),
    PUBLIC_URL: publicUrl,
    LOG_REQUESTS: "false",
    // One POS token drives all the load here; a terminal's limit would only measure the 429s.
    RATE_LIMIT_POS_PER_MINUTE: "0",
    ...jobs,
  };
  const servers = await startServer(
    "server",
    ["run", "-A", "main.ts", ...parallel],
    serverEnv,
    `http://127.0.0.1:${serverPort}/healthz`,
  );
  const serverPid = servers[0].child.pid;
  let rssPeak = 0;
  for (const e of list.slice(1)) {
    const base = `http://127.0.0.1:${serverPort}`;
    const cards = { ...ctx, cards: cardsFor(e, fixture), tokens: tillsFor(e, fixture) };
    const measured = e.driver === "burst"
      ? await measureBurst(e, base, opts, cards, bursts)
      : await measure(e, base, opts, cards, serverPid);
    measured.rssBytes = await treeRssBytes(serverPid);
    rssPeak = Math.max(rssPeak, measured.rssBytes ?? 0);
    figures.push(measured);
  }
  await stopAll(servers);
  if (rssPeak) say(`  server RSS: at most ${Math.round(rssPeak / 2 ** 20)} MiB after an endpoint`);

  // The invariants after the load: what the writes left must still be a sound ledger, with
  // no card overdrawn and every series' liability equal to its cards' balances.
  say("ledger invariant check after the load…");
  const ledger = await checkStoreLedger(store, bursts);
  say(
    `  ${ledger.sound ? "sound" : "NOT SOUND"}: ${ledger.sales.toLocaleString("en")} sales, ` +
      `${ledger.transactions.toLocaleString("en")} ledger transactions, ` +
      `${ledger.entries.toLocaleString("en")} entries` +
      (ledger.sound ? "" : `\n  ${JSON.stringify(ledger.check).slice(0, 2000)}`),
  );

  let pgbench: PgbenchResult | null = null;
  let pgbenchNote: string | null = null;
  let pgbenchCommand: string[] | null = null;
  if (wantPgbench && pgUrl) {
    say(`pgbench: ${opts.pgbenchClients} clients, ${opts.durationS} s…`);
    const script = pgbenchScript(accounts);
    const scriptFile = `${scriptDir}/ledger.sql`;
    await Deno.writeTextFile(scriptFile, script);
    const ran = await runPgbench({
      url: pgUrl,
      scriptFile,
      script,
      clients: opts.pgbenchClients,
      jobs: opts.pgbenchJobs,
      durationS: opts.durationS,
    });
    pgbench = ran.result;
    pgbenchCommand = ran.command;
  }
  const saleShaped: PgbenchResult[] = [];
  if (wantSaleShaped && pgUrl) {
    const script = saleShapedScript(accounts);
    const scriptFile = `${scriptDir}/sale.sql`;
    await Deno.writeTextFile(scriptFile, script);
    const clients = [...new Set([opts.pgbenchClients, opts.connections, LATENCY_CONNECTIONS])];
    for (const n of clients) {
      say(`pgbench sale-shaped: ${n} clients, ${opts.durationS} s…`);
      const ran = await runPgbench({
        url: pgUrl,
        scriptFile,
        script,
        clients: n,
        jobs: Math.min(opts.pgbenchJobs, n),
        durationS: opts.durationS,
      });
      saleShaped.push(ran.result);
    }
  }
  if (!pgbench) {
    pgbenchNote = opts.db === "postgres"
      ? "not selected (--endpoints)"
      : "skipped: PGlite is not a server pgbench can drive; ratios to pgbench are null";
  }

  const writes = new Set(list.filter((e) => e.write).map((e) => e.name));
  const withR = withRatios(figures, pgbench, writes, saleShapedCeiling(saleShaped));
  const targets = evaluateTargets(withR, opts.chain ? CHAIN_TARGETS : undefined);
  const applies = opts.db === "postgres" && opts.connections === 64;
  const why = opts.db !== "postgres"
    ? "this run is on PGlite"
    : "this run is not at 64 connections";
  const loadAfter = loadavg();

  console.log(
    `\nresults (${store.description}; ${fixture.demo.customers.toLocaleString("en")} customers; ` +
      `${opts.connections} connections; load average before ${loadBefore.join(" ")}, ` +
      `after ${loadAfter.join(" ")}):\n`,
  );
  const expect = Object.fromEntries(
    list.filter((e) => e.countStatuses).map((e) => [e.name, e.expect]),
  );
  console.log(formatTable(withR, pgbench, expect, saleShaped));
  if (pgbenchNote) console.log(`  pgbench: ${pgbenchNote}`);
  if (rssPeak) console.log(`  server RSS: at most ${Math.round(rssPeak / 2 ** 20)} MiB`);
  const cpu = formatCpu(withR);
  if (cpu) console.log(`\n${cpu}`);
  console.log(
    `\n${formatTargets(targets, applies, why, opts.chain ? ["met", "missed"] : undefined)}`,
  );
  console.log(
    `\nledger after the load: ${ledger.sound ? "sound" : "NOT SOUND"} ` +
      `(${ledger.sales} sales, ${ledger.transactions} transactions, ${ledger.entries} entries)`,
  );
  if (ledger.giftCards) console.log(formatGiftCardCheck(ledger.giftCards));
  const failures = [
    ...(ledger.sound ? [] : ["the ledger is not sound"]),
    ...(ledger.giftCards && ledger.giftCards.overdraws
      ? [`${ledger.giftCards.overdraws} card(s) overdrawn`]
      : []),
    ...(ledger.giftCards && !ledger.giftCards.ok && !ledger.giftCards.overdraws
      ? ["the gift card checks failed (see above)"]
      : []),
  ];

  const results = {
    benchmark: "loyalty-edge load",
    format: 1,
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      cores: navigator.hardwareConcurrency,
      cpu: await cpuModel(),
      os: `${Deno.build.os} ${Deno.osRelease()}`,
      arch: Deno.build.arch,
      memoryGiB: Math.round(Deno.systemMemoryInfo().total / 2 ** 30 * 10) / 10,
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadAfter,
      deno: Deno.version,
      wrk: tools.wrk,
      pgbench: tools.pgbench,
      postgres: pgUrl ? await serverVersion(pgUrl) : null,
    },
    git: {
      commit: await commandText("git", ["rev-parse", "HEAD"]),
      branch: await commandText("git", ["rev-parse", "--abbrev-ref", "HEAD"]),
      dirty: ((await commandText("git", ["status", "--porcelain"])) ?? "") !== "",
    },
    options: {
      ...opts,
      databasePoolSize: Number(Deno.env.get("DATABASE_POOL_SIZE") ?? 10),
      wrkCounts: "errors.status = responses with status >= 400 (wrk); the rest are socket errors",
    },
    store: {
      kind: store.kind,
      description: store.description,
      demo: fixture.demo,
      cards: fixture.cards.length,
      basketItem: fixture.item,
      giftCards: fixture.giftCards
        ? {
          ...fixture.giftCards,
          many: fixture.giftCards.many.length,
          manyCardsSample: fixture.giftCards.many.slice(0, 5),
        }
        : null,
    },
    endpoints: withR,
    pgbench: pgbench ? { ...pgbench, command: pgbenchCommand } : null,
    pgbenchSaleShaped: saleShaped,
    serverRssPeakBytes: rssPeak || null,
    ledgerAfterLoad: { ...ledger, giftCards: undefined },
    // The checks' figures, and the lines printed above ("overdraws found: N", "liability: …").
    giftCardsAfterLoad: ledger.giftCards
      ? { ...ledger.giftCards, lines: formatGiftCardCheck(ledger.giftCards).split("\n") }
      : null,
    failures,
    pgbenchNote,
    targets: { applies, note: applies ? null : why, list: targets },
  };
  const out = opts.out ??
    `${ROOT}bench/results/${
      startedAt.toISOString().slice(0, 19).replaceAll(":", "-")
    }Z-${opts.db}.json`;
  await Deno.writeTextFile(out, JSON.stringify(results, null, 2) + "\n");
  console.log(`\nwritten to ${out}`);
  if (failures.length) {
    console.error(`\nFAILED: ${failures.join("; ")}`);
    Deno.exitCode = 1;
  }
}

/** The environment the children get: ours without the database choice, which is made here. */
function baseEnv(): Record<string, string> {
  const env = Deno.env.toObject();
  delete env.DATABASE_URL;
  delete env.DATA_DIR;
  delete env.DENO_JOBS;
  env.NO_COLOR = "1";
  return env;
}

if (import.meta.main) {
  let opts: Options | undefined;
  try {
    opts = parseOptions(Deno.args);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    console.error("deno task load --help for the options");
    Deno.exit(2);
  }
  if (opts) {
    const removeSignals = cleanUpOnSignals();
    try {
      await main(opts);
    } catch (err) {
      // After Ctrl-C the processes were stopped under the running step: not a failure to show.
      if (!isCleaningUp()) {
        console.error(`\nload benchmark failed: ${err instanceof Error ? err.message : err}`);
      }
      Deno.exitCode = 1;
    } finally {
      await cleanUp();
      removeSignals();
    }
  }
}
