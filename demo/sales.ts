/**
 * A month of the demo's trading: sales and returns across its stores, members and passers-by,
 * recorded through the POS's own services (`recordSale`, `recordReturn`), so the ledger, the
 * member statistics and every figure built on them are what real tills would have left. A fixed
 * seed draws the baskets, so two loads differ only in "now".
 */
import type { Db } from "../db/connection.ts";
import { todayIn, zonedInstant } from "../calendar/zones.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import { ProgrammeCache } from "../programme/cache.ts";
import type { LoyaltySettings } from "../programme/settings_schema.ts";
import { recordReturn } from "../sales/return.ts";
import { ReturnRequestSchema } from "../sales/return_json.ts";
import { recordSale, type SaleTill } from "../sales/sale.ts";
import { SaleRequestSchema } from "../sales/sale_json.ts";

/** mulberry32: a small seeded generator, enough to draw baskets deterministically. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoTill extends SaleTill {
  storeName: string;
}

export interface DemoTrading {
  sales: number;
  returns: number;
}

const DAY_MS = 86_400_000;
const pad = (n: number) => String(n).padStart(2, "0");

/**
 * `sales` sales over the 30 days before `now` (opening hours 08:00–19:59 on each store's
 * clock), about one in three anonymous, and a return of one unit for about one sale in
 * twenty, a few days after it. Customers of the non-loyalty type are sold to as anyone else:
 * the programme, not the demo, decides they earn nothing.
 */
export async function loadTrading(db: Db, opts: {
  group: MerchantGroup;
  settings: LoyaltySettings;
  tills: DemoTill[];
  sales: number;
  seed?: number;
  now?: Date;
}): Promise<DemoTrading> {
  const random = seededRandom(opts.seed ?? 2026);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const now = opts.now ?? new Date();
  const [customers, items] = await Promise.all([
    db.selectFrom("customers").select(["number", "categories"])
      .where("group_id", "=", opts.group.id).orderBy("number").execute(),
    db.selectFrom("items").select(["sku", "prices"]).where("org_id", "=", opts.group.org_id)
      .orderBy("sku").execute(),
  ]);
  if (items.length === 0 || opts.tills.length === 0) return { sales: 0, returns: 0 };
  const programmes = new ProgrammeCache(db);
  const programme = { group: opts.group, settings: opts.settings };
  const receipts = new Map<string, number>();
  const receipt = (till: DemoTill) => {
    const n = (receipts.get(till.posId) ?? 0) + 1;
    receipts.set(till.posId, n);
    return `D${till.storeNumber}-${till.posNumber}-${String(n).padStart(6, "0")}`;
  };
  const at = (till: DemoTill, daysAgo: number) => {
    const day = todayIn(till.timezone, new Date(now.getTime() - daysAgo * DAY_MS));
    const time = `${pad(8 + Math.floor(random() * 12))}:${pad(Math.floor(random() * 60))}`;
    const instant = zonedInstant(day, time, till.timezone);
    // Today's sales (and returns) only until now.
    return new Date(Math.min(instant.getTime(), now.getTime() - 60_000)).toISOString();
  };
  let returns = 0;
  for (let i = 0; i < opts.sales; i++) {
    const till = pick(opts.tills);
    const customer = customers.length && random() < 0.65 ? pick(customers) : null;
    const lines = Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
      const item = pick(items);
      const quantity = 1 + Math.floor(random() ** 3 * 3);
      const onSale = random() < 0.15;
      return {
        sku: item.sku,
        quantity,
        unitPrice: item.prices[0],
        ...(onSale
          ? { discounts: [{ kind: "sale", amount: Math.round(item.prices[0] * quantity * 0.2) }] }
          : {}),
      };
    });
    const gross = lines.reduce(
      (s, l) => s + l.quantity * l.unitPrice - (l.discounts?.[0].amount ?? 0),
      0,
    );
    // Staff pay less than the gross (their discount): cash, which may exceed what is due.
    const staff = customer?.categories[0] === "STAFF";
    const tender = staff || random() < 0.3
      ? { type: "CASH", amount: Math.ceil(gross / 1000) * 1000 }
      : { type: random() < 0.15 ? "GIFT" : "CARD", amount: gross };
    const saleAt = at(till, Math.floor(random() * 30));
    const request = SaleRequestSchema.parse({
      receiptNumber: receipt(till),
      at: saleAt,
      currency: "EUR",
      ...(customer ? { customer: { number: customer.number } } : {}),
      lines,
      tenders: gross === 0 ? [] : [tender],
    });
    const idempotency = { scope: `pos:${till.posId}`, key: `demo-${request.receiptNumber}` };
    await recordSale(db, { programmes, programme, till, idempotency }, request);
    if (random() < 0.05) {
      const line = Math.floor(random() * lines.length);
      const later = new Date(saleAt).getTime() + (1 + Math.floor(random() * 5)) * DAY_MS;
      if (later >= now.getTime()) continue;
      const back = ReturnRequestSchema.parse({
        receiptNumber: receipt(till),
        at: new Date(later).toISOString(),
        original: { receiptNumber: request.receiptNumber },
        tenders: [],
        lines: [{
          originalLineIndex: line,
          sku: lines[line].sku,
          quantity: 1,
          unitPrice: lines[line].unitPrice,
        }],
      });
      await recordReturn(db, {
        programmes,
        programme,
        till,
        idempotency: { ...idempotency, key: `demo-${back.receiptNumber}` },
      }, back);
      returns++;
    }
  }
  return { sales: opts.sales, returns };
}
