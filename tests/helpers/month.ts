/**
 * A month of a programme's trade, made through the real services so every row is what the POS
 * and the console would write: sales (`recordSale`) across two stores on different clocks, by
 * members of two types, plain (non-loyalty) customers and anonymous buyers, some paid partly
 * with points; returns against their receipts (`recordReturn`), some paid back to store credit;
 * manual points adjustments (`adjustPoints`); a gift-card series with cards loaded. Seeded, so
 * a seed gives the same month; reusable by any test that needs a history.
 */
import { todayIn, zonedInstant } from "../../calendar/zones.ts";
import { idempotencyScope } from "../../auth/pos.ts";
import type { Series } from "../../instruments/series.ts";
import { pointsBalances } from "../../ledger/balances.ts";
import { createCustomer, type CustomerDetail } from "../../members/customers.ts";
import { adjustPoints } from "../../members/profile.ts";
import { ProgrammeCache } from "../../programme/cache.ts";
import { addMerchantToGroup, createMerchant } from "../../programme/merchants.ts";
import type { Pos } from "../../registry/pos.ts";
import type { Store } from "../../registry/stores.ts";
import { onePointPerUnit, shoesTwoPoints } from "../../rules/examples.ts";
import { recordReturn } from "../../sales/return.ts";
import { ReturnRequestSchema } from "../../sales/return_json.ts";
import { recordSale, type SaleContext } from "../../sales/sale.ts";
import { SaleRequestSchema } from "../../sales/sale_json.ts";
import type { Db } from "../../db/connection.ts";
import { createTestApp, type TestApp } from "./app.ts";
import { testBackend } from "./db.ts";
import { makeCard, makeSeries } from "./instruments.ts";
import { buildWorld, memberRule, publishRules, type World } from "./world.ts";

export interface MonthOptions {
  /** Organization name (default a random one). */
  name?: string;
  /** Trading days of trade, ending `end` (default 30). */
  days?: number;
  /** The last trading day (default today on store 1's clock). */
  end?: string;
  /** Sales per store and day, on average (default 6). */
  salesPerDay?: number;
  seed?: number;
}

export interface Month {
  world: World;
  /** Store 1 (Europe/Paris) and store 2 (America/New_York), both in the group. */
  stores: Store[];
  members: CustomerDetail[];
  /** Customers of the non-loyalty type CASH. */
  plain: CustomerDetail[];
  giftCards: Series;
  storeCredit: Series;
  from: string;
  to: string;
  counts: { sales: number; returns: number; adjustments: number };
}

/** A small deterministic generator (mulberry32). */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const addDays = (day: string, n: number) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

const SKUS = [
  { sku: "TEE", category: "SHIRTS", price: 1990 },
  { sku: "JEANS", category: "TROUSERS", price: 5990 },
  { sku: "BOOT", category: "SHOES", price: 8950 },
  { sku: "SOCK", category: "SOCKS", price: 450 },
];

export async function generateMonth(t: TestApp, opts: MonthOptions = {}): Promise<Month> {
  const rnd = random(opts.seed ?? 19);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const w = await buildWorld(t, {
    name: opts.name,
    member: null,
    moreStores: [{ number: 2, name: "Manhattan", timezone: "America/New_York", pos: [1, 2] }],
    settings: { nonLoyaltyCategoryCodes: ["CASH"] },
  });
  const second = await createMerchant(t.db, {
    orgId: w.org.id,
    name: `${w.org.name} New York`,
    storeIds: [w.stores[1].id],
    actor: w.owner,
  });
  await addMerchantToGroup(t.db, w.group, second, w.owner);
  await publishRules(t, w, [
    onePointPerUnit,
    shoesTwoPoints,
    memberRule("gold-bonus", { type: "basket-points", params: { points: 5 } }, {
      name: "5 points a basket for GOLD",
      conditions: {
        all: [{ fact: "customerCategory", params: { index: 1 }, operator: "equal", value: "GOLD" }],
      },
    }),
  ]);
  const members: CustomerDetail[] = [];
  const plain: CustomerDetail[] = [];
  for (let i = 0; i < 16; i++) {
    members.push(
      await createCustomer(t.db, w.group, {
        name: `Member ${i}`,
        categories: [i % 3 === 0 ? "GOLD" : "SILVER"],
        homeStoreNumber: i % 2 ? 2 : 1,
      }, w.settings),
    );
  }
  for (let i = 0; i < 3; i++) {
    plain.push(
      await createCustomer(t.db, w.group, { name: `Plain ${i}`, categories: ["CASH"] }, w.settings),
    );
  }
  const giftCards = await makeSeries(t, w, { type: "gift-card" });
  const storeCredit = await makeSeries(t, w, { type: "store-credit" });
  for (let i = 0; i < 3; i++) await makeCard(t, w, giftCards, { balance: 5000 });
  const credits = [];
  for (let i = 0; i < 2; i++) credits.push(await makeCard(t, w, storeCredit, { balance: 0 }));

  const programmes = new ProgrammeCache(t.db);
  const context = (store: Store, pos: Pos, key: string): SaleContext => ({
    programmes,
    programme: { group: w.group, settings: w.settings },
    till: {
      storeNumber: store.number,
      posNumber: pos.number,
      timezone: store.timezone,
      storeId: store.id,
      posId: pos.id,
    },
    idempotency: {
      scope: idempotencyScope({ kind: "pos", jti: "month", org: w.org.id, pos: pos.id }),
      key,
    },
  });
  const days = opts.days ?? 30;
  const to = opts.end ?? todayIn(w.stores[0].timezone);
  const from = addDays(to, 1 - days);
  const perDay = opts.salesPerDay ?? 6;
  const now = Date.now();
  const counts = { sales: 0, returns: 0, adjustments: 0 };
  let receipt = 0;
  const sold: { store: Store; pos: Pos; receipt: string; sku: string; at: Date }[] = [];
  for (let d = 0; d < days; d++) {
    const day = addDays(from, d);
    for (const store of w.stores) {
      const tills = w.tills.filter((p) => p.store_id === store.id);
      const n = Math.max(1, Math.round(perDay * (0.5 + rnd())));
      for (let s = 0; s < n; s++) {
        // Between 09:00 and 19:59 on the store's clock; never after now.
        const hour = 9 + Math.floor(rnd() * 11);
        const local = `${day}T${String(hour).padStart(2, "0")}:${
          String(Math.floor(rnd() * 60)).padStart(2, "0")
        }:00`;
        const at = zoned(local, store.timezone);
        if (at.getTime() > now) continue;
        const who = rnd();
        const customer = who < 0.6 ? pick(members) : who < 0.75 ? pick(plain) : null;
        const lines = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
          const item = pick(SKUS);
          return { ...item, quantity: 1 + Math.floor(rnd() * 2), unitPrice: item.price };
        }).map(({ sku, category, quantity, unitPrice }) => ({
          sku,
          category,
          quantity,
          unitPrice,
        }));
        const total = lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
        const tenders: Record<string, unknown>[] = [];
        let due = total;
        if (customer && members.includes(customer) && rnd() < 0.25) {
          const balance = (await pointsBalances(t.db, [customer.customer.id]))
            .get(customer.customer.id)!;
          // Whole points (pointValue 1: a point pays one minor unit per hundred... see below).
          const spend = Math.min(Math.floor(balance / 100), Math.floor(due / 2));
          if (spend > 0) {
            tenders.push({ type: "points", points: spend });
            due -= spend;
          }
        }
        tenders.push({ type: "CASH", amount: due });
        const pos = pick(tills);
        const number = `M-${++receipt}`;
        await recordSale(
          t.db,
          context(store, pos, `month-sale-${receipt}`),
          SaleRequestSchema.parse({
            currency: "EUR",
            at: at.toISOString(),
            receiptNumber: number,
            ...(customer ? { customer: { number: customer.customer.number } } : {}),
            lines,
            tenders,
          }),
        );
        counts.sales++;
        sold.push({ store, pos, receipt: number, sku: lines[0].sku, at });
      }
    }
  }
  // About one sale in eight comes back a day or two later (never after now), one unit of its
  // first line; every third return is paid back to store credit.
  for (const sale of sold) {
    if (rnd() >= 0.125) continue;
    const at = new Date(sale.at.getTime() + (1 + Math.floor(rnd() * 2)) * 86_400_000);
    if (at.getTime() > now) continue;
    const number = `M-${++receipt}`;
    const price = SKUS.find((s) => s.sku === sale.sku)!.price;
    const toCredit = counts.returns % 3 === 2;
    await recordReturn(
      t.db,
      context(sale.store, sale.pos, `month-return-${receipt}`),
      ReturnRequestSchema.parse({
        receiptNumber: number,
        at: at.toISOString(),
        original: { receiptNumber: sale.receipt },
        lines: [{ originalLineIndex: 0, sku: sale.sku, quantity: 1, unitPrice: price }],
        ...(toCredit
          ? {
            tenders: [{ type: "storeCredit", number: pick(credits).number, amount: price }],
          }
          : { tenders: [] }),
      }),
    ).catch((e) => {
      // A sale paid partly with points pays those back first: a card refund of the whole
      // value is then refused. That return is made to the sale's own tenders instead.
      if (!toCredit) throw e;
      return recordReturn(
        t.db,
        context(sale.store, sale.pos, `month-return-${receipt}-own`),
        ReturnRequestSchema.parse({
          receiptNumber: number,
          at: at.toISOString(),
          original: { receiptNumber: sale.receipt },
          lines: [{ originalLineIndex: 0, sku: sale.sku, quantity: 1, unitPrice: price }],
          tenders: [],
        }),
      );
    });
    counts.returns++;
  }
  for (const m of members.slice(0, 5)) {
    const balance = (await pointsBalances(t.db, [m.customer.id])).get(m.customer.id)!;
    const points = balance >= 1000 && rnd() < 0.5 ? -5 : 12.5;
    await adjustPoints(t.db, m.customer, { points, reason: "goodwill" }, w.owner);
    counts.adjustments++;
  }
  return {
    world: w,
    stores: w.stores,
    members,
    plain,
    giftCards,
    storeCredit,
    from,
    to,
    counts,
  };
}

/** A wall-clock time on `timeZone`'s clock as an instant. */
function zoned(local: string, timeZone: string): Date {
  const [date, time] = local.split("T");
  return zonedInstant(date, time.slice(0, 5), timeZone);
}

/**
 * `generateMonth` on a database of its own (a browser test's seed, before its server starts):
 * an app over `db` for the services that go through HTTP. Its owner is owner@example.com with
 * the tests' PASSWORD.
 */
export async function seedMonth(db: Db, opts: MonthOptions = {}): Promise<Month> {
  const t = await createTestApp({}, {
    notifications: false,
    database: {
      db,
      kind: testBackend,
      url: "",
      listen: () => Promise.resolve(),
      close: () => Promise.resolve(),
    },
  });
  return await generateMonth(t, opts);
}
