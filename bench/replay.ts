/**
 * The replay benchmark: `deno task bench:replay [sales]` (10000 by default) on the embedded
 * database, or on Postgres with TEST_DATABASE_URL=postgres://… (a database of its own, dropped
 * after). A group with ten published rules gets `sales` recorded sales over 30 days (written
 * in bulk, each priced by the engine as at the till: 2,000 distinct baskets, spread over 200
 * customers and the month) with their awards; the draft changes one multiplier's day and one
 * rule's points.
 * Prints the replay's time and what its shortcuts spared.
 */
import { createCustomer, type CustomerDetail } from "../members/customers.ts";
import type { Evaluation } from "../rules/awards.ts";
import { replayImpact } from "../replay/impact.ts";
import { evaluate } from "../rules/evaluate.ts";
import { type Basket, BasketSchema } from "../rules/basket.ts";
import { parseRuleSet } from "../rules/schema.ts";
import { type RecordedPricing, recordedPricing } from "../sales/recorded_pricing.ts";
import { createTestApp } from "../tests/helpers/app.ts";
import { testBackend } from "../tests/helpers/db.ts";
import { buildWorld, publishRules } from "../tests/helpers/world.ts";

const count = Number(Deno.args[0] ?? 10_000);
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

const window = { from: new Date(now - 30 * 86_400_000), to: new Date(now + 1000) };
const started = performance.now();
const result = await replayImpact(
  t.db,
  w.group,
  {
    published: { version, rules: published.data },
    draft: { version: 0, rules: draft.data },
  },
  window,
  { total: () => Promise.resolve(), step: () => Promise.resolve(true) },
);
const ms = Math.round(performance.now() - started);
console.log(JSON.stringify({
  database: testBackend,
  sales: result!.sales,
  replayMs: ms,
  salesChanged: result!.salesChanged,
  published: result!.published.points,
  draft: result!.draft.points,
  evaluations: result!.evaluations,
}));
await t.close();
