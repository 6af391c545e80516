/**
 * The replay benchmark: `deno task bench:replay [sales]` (10000 by default) on the embedded
 * database, or on Postgres with TEST_DATABASE_URL=postgres://… (a database of its own, dropped
 * after). A group with ten published rules gets `sales` recorded sales over 30 days (written
 * in bulk, each priced by the engine as at the till: 2,000 distinct baskets, spread over 200
 * customers and the month) with their awards; the draft changes one multiplier's day and one
 * rule's points.
 * Prints the replay's time and what its shortcuts spared.
 *
 * `--quotes`: the till's side of it. Eight clients post quotes (POST /api/pos/v1/quote, a
 * member's two-line basket) for 5 s alone, then while the replay runs; prints both p50/p99 in
 * ms. The clients are HTTP clients of the app served on a free port of this process, as a POS
 * reaches it; `--in-process` calls the app directly instead (app.request): on PGlite that is
 * promise continuations only, in which the replay's turns never come (docs/replay.md).
 * Prints also how late a 5 ms interval fired on this thread during the replay (`stallMs`).
 * `--workers=N` replay workers (0: in this thread), `--page=N` sales a page; else the defaults.
 * On Postgres the workers read their own pages, as the server's do; `--thread-reads` has this
 * thread read them and post them instead (as before they could).
 */
import { createCustomer, type CustomerDetail } from "../members/customers.ts";
import type { Evaluation } from "../rules/awards.ts";
import { replayImpact } from "../replay/impact.ts";
import { evaluate } from "../rules/evaluate.ts";
import { type Basket, BasketSchema } from "../rules/basket.ts";
import { parseRuleSet } from "../rules/schema.ts";
import { type RecordedPricing, recordedPricing } from "../sales/recorded_pricing.ts";
import { percentile } from "./lib/burst.ts";
import { createTestApp } from "../tests/helpers/app.ts";
import { testBackend } from "../tests/helpers/db.ts";
import { buildWorld, posCall, publishRules } from "../tests/helpers/world.ts";

const quotes = Deno.args.includes("--quotes");
const inProcess = Deno.args.includes("--in-process");
// On Postgres the workers read their pages, unless `--thread-reads`.
const workersRead = testBackend === "postgres" && !Deno.args.includes("--thread-reads");
const count = Number(Deno.args.find((a) => !a.startsWith("--")) ?? 10_000);
/** `--name=N`, else the replay's default. */
const flag = (name: string) => {
  const arg = Deno.args.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? undefined : Number(arg.slice(name.length + 3));
};
const member = { all: [{ fact: "member", operator: "equal", value: true }] };
const rule = (id: string, event: unknown, conditions: unknown = member, priority = 10) => ({
  id,
  name: id,
  enabled: true,
  priority,
  conditions,
  event,
});
const day = (d: number) => ({
  all: [...member.all, { fact: "dayOfWeek", operator: "equal", value: d }],
});
const RULES = [
  rule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }),
  rule("shoes", {
    type: "item-points",
    params: { selector: { categories: ["SHOES"] }, pointsPerUnit: 0.5 },
  }),
  rule("hats", { type: "item-points", params: { selector: { categories: ["HATS"] }, perItem: 2 } }),
  rule("big-basket", { type: "basket-points", params: { points: 50, minTotal: 10000 } }),
  rule("visa", { type: "tender-points", params: { tenderTypes: ["VISA"], pointsPerUnit: 0.2 } }),
  rule("gold", { type: "basic-points", params: { pointsPerUnit: 0.5 } }, {
    all: [{ fact: "customerCategory", params: { index: 1 }, operator: "equal", value: "GOLD" }],
  }),
  rule("tuesday", { type: "multiplier", params: { factor: 2, ruleIds: ["basic"] } }, day(2), 20),
  rule("weekend", { type: "multiplier", params: { factor: 1.5 } }, {
    all: [...member.all, { fact: "dayOfWeek", operator: "in", value: [6, 7] }],
  }, 20),
  rule("socks", {
    type: "item-points",
    params: { selector: { categories: ["SOCKS"] }, perItem: 1 },
  }),
  rule("staff", { type: "staff-discount", params: { percent: 10 } }, {
    all: [{ fact: "staff", operator: "equal", value: true }],
  }),
];
const DRAFT = RULES.map((r) =>
  r.id === "tuesday"
    ? { ...r, conditions: day(3) }
    : r.id === "basic"
    ? { ...r, event: { type: "basic-points", params: { pointsPerUnit: 1.5 } } }
    : r
);

const t = await createTestApp();
const w = await buildWorld(t, { name: "Bench", member: null });
const version = await publishRules(t, w, RULES);
const published = parseRuleSet(RULES);
const draft = parseRuleSet(DRAFT);
if (!published.success || !draft.success) throw new Error("bench rules do not parse");

const customers = [];
for (let i = 0; i < 200; i++) {
  const categories = [i % 3 === 0 ? "GOLD" : i % 10 === 1 ? "STAFF" : "SILVER"];
  customers.push(
    await createCustomer(t.db, w.group, { name: `C${i}`, categories }, w.settings),
  );
}

let seed = 7;
const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
const now = Date.now();
const CATEGORIES = ["SHOES", "SOCKS", "HATS", "COATS"];
const templates: {
  customer: CustomerDetail | null;
  basket: Basket;
  evaluation: Evaluation;
  pricing: RecordedPricing;
}[] = [];
for (let i = 0; i < 2000; i++) {
  const customer = random(5) === 0 ? null : customers[random(customers.length)];
  const lines = Array.from({ length: 1 + random(4) }, (_, k) => ({
    sku: `S${k}`,
    category: CATEGORIES[random(4)],
    quantity: 1 + random(3),
    unitPrice: 100 + random(8000),
    discounts: [],
  }));
  const total = lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
  const basket = BasketSchema.parse({
    currency: "EUR",
    storeNumber: w.store.number,
    posNumber: 1,
    channel: "pos",
    at: new Date(now - 1000 - random(29 * 86_400) * 1000).toISOString(),
    timezone: w.store.timezone,
    ...(customer
      ? { customer: { categories: customer.customer.categories, member: true, visitCount: 3 } }
      : {}),
    lines,
    tenders: [{ type: random(2) ? "VISA" : "CASH", amount: total }],
  });
  const evaluation = await evaluate(published.data, basket, w.settings);
  templates.push({
    customer,
    basket,
    evaluation,
    pricing: recordedPricing(basket, w.settings, evaluation),
  });
}

const setup = performance.now();
for (let from = 0; from < count; from += 1000) {
  const rows = [];
  for (let i = from; i < Math.min(count, from + 1000); i++) {
    const x = templates[i % templates.length];
    rows.push({
      org_id: w.org.id,
      group_id: w.group.id,
      store_id: w.store.id,
      pos_id: w.pos.id,
      kind: "sale" as const,
      receipt_number: `B-${i}`,
      at: x.basket.at,
      trading_day: x.basket.at.slice(0, 10),
      customer_id: x.customer?.customer.id ?? null,
      member: x.evaluation.member,
      currency: "EUR",
      total: x.evaluation.total,
      points: x.evaluation.points,
      rules_version: version,
      pricing: JSON.stringify(x.pricing),
    });
  }
  const ids = await t.db.insertInto("sales").values(rows).returning("id").execute();
  // Each sale's attribution, as sales/sale.ts records it: the replay reads it back.
  const awards = ids.flatMap(({ id }, k) =>
    templates[(from + k) % templates.length].evaluation.awards.flatMap((a) =>
      a.lines.map((l) => ({
        sale_id: id,
        line_index: l.index,
        rule_id: a.ruleId,
        org_id: w.org.id,
        type: a.type,
        reference: a.reference,
        points: l.points,
      }))
    )
  );
  for (let k = 0; k < awards.length; k += 5000) {
    await t.db.insertInto("sale_awards").values(awards.slice(k, k + 5000)).execute();
  }
}
console.log(`${count} sales written in ${Math.round(performance.now() - setup)} ms`);

const QUOTE = {
  currency: "EUR",
  customer: { number: customers[0].customer.number },
  lines: [
    { sku: "Q1", category: "SHOES", quantity: 2, unitPrice: 4500 },
    { sku: "Q2", category: "HATS", quantity: 1, unitPrice: 1200 },
  ],
  tenders: [{ type: "VISA", amount: 10200 }],
};

const server = quotes && !inProcess
  ? Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, t.app.fetch)
  : null;

/** One quote through HTTP (or the app in this process with `--in-process`): its status. */
async function quote(): Promise<number> {
  if (!server) return (await posCall(t, w.posToken, "POST", "/quote", { body: QUOTE })).status;
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/api/pos/v1/quote`, {
    method: "POST",
    headers: { Authorization: `Bearer ${w.posToken}`, "Content-Type": "application/json" },
    body: JSON.stringify(QUOTE),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Quote latencies (ms) from eight clients until `done()`. */
async function quoteLoad(done: () => boolean) {
  const ms: number[] = [];
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (!done()) {
      const start = performance.now();
      const status = await quote();
      if (status !== 200) throw new Error(`quote: ${status}`);
      ms.push(performance.now() - start);
    }
  }));
  ms.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return { quotes: ms.length, p50: round(percentile(ms, 50)), p99: round(percentile(ms, 99)) };
}

let alone = null;
if (quotes) {
  const until = performance.now() + 5000;
  alone = await quoteLoad(() => performance.now() > until);
  console.log(`quotes alone: ${JSON.stringify(alone)}`);
}

const window = { from: new Date(now - 30 * 86_400_000), to: new Date(now + 1000) };
const started = performance.now();
// The server thread's stalls: how late a 5 ms interval fires while the replay runs.
const stalls: number[] = [];
let tick = performance.now();
const probe = setInterval(() => {
  const at = performance.now();
  stalls.push(at - tick - 5);
  tick = at;
}, 5);
let replaying = true;
const during = quotes ? quoteLoad(() => !replaying) : null;
const result = await replayImpact(
  t.db,
  w.group,
  {
    published: { version, rules: published.data },
    draft: { version: 0, rules: draft.data },
  },
  window,
  { total: () => Promise.resolve(), step: () => Promise.resolve(true) },
  {
    pageSize: flag("page"),
    workers: flag("workers"),
    databaseUrl: workersRead ? t.database.url : undefined,
  },
);
const ms = Math.round(performance.now() - started);
clearInterval(probe);
stalls.sort((a, b) => a - b);
replaying = false;
console.log(JSON.stringify({
  database: testBackend,
  reads: workersRead ? "workers" : "thread",
  sales: result!.sales,
  replayMs: ms,
  stallMs: { p99: Math.round(percentile(stalls, 99)), max: Math.round(stalls.at(-1) ?? 0) },
  salesChanged: result!.salesChanged,
  published: result!.published.points,
  draft: result!.draft.points,
  evaluations: result!.evaluations,
  ...(quotes ? { quoteMs: { alone, duringReplay: await during } } : {}),
}));
await server?.shutdown();
await t.close();
