/**
 * Wholesale back-office orders (seed 004): staff write a customer order for a member — lines
 * from the catalogue at the programme's *Wholesale Price Level*, a pickup or delivery store —
 * and accept it, which records it as a sale through the sale service (`recordSale`: points by
 * the published rules, the member's statement and statistics, the reports) at the till
 * `till.ts` finds. States: draft → accepted | cancelled. Every change names the `version` it
 * was based on (a stale one is a 409) and writes one audit entry in its transaction.
 *
 * Payment: a back-office order is invoiced, not paid at a till. Its sale takes one tender of
 * type `ON_ACCOUNT` for the order's total, so the sale's money rules (tenders pay the total
 * exactly) hold and a return pays back to that account.
 */
import { sql } from "kysely";
import { z } from "zod";
import { recordAudit } from "../audit/log.ts";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import { idempotent } from "../db/idempotency.ts";
import type { WholesaleOrderState } from "../db/schema.ts";
import { inTransaction } from "../db/transaction.ts";
import { type FieldError, notFound, ProblemError, validationError } from "../errors/problem.ts";
import { CustomerKeySchemas } from "../members/customers.ts";
import { CurrencySchema } from "../money/currency.ts";
import type { ProgrammeCache } from "../programme/cache.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import { getSettings } from "../programme/settings.ts";
import { recordReturn } from "../sales/return.ts";
import type { Return } from "../sales/return_json.ts";
import { recordSale } from "../sales/sale.ts";
import type { Sale } from "../sales/sale_json.ts";
import type { StaffUser } from "../staff/users.ts";
import { type ProgrammeStore, programmeStores, wholesaleTill } from "./till.ts";

/** The tender of a back-office order's sale: invoiced to the customer's account. */
export const ON_ACCOUNT = "ON_ACCOUNT";
export const MAX_ORDER_LINES = 200;

type Actor = Pick<StaffUser, "id" | "email">;

const StoreNumber = z.int({ error: "a store number" }).min(1, "a store number")
  .max(99_999_999, "a store number");

export const NewOrderSchema = z.strictObject({
  customerNumber: CustomerKeySchemas.number.describe("The member's customer number"),
  location: StoreNumber.describe("The pickup or delivery store, by number: a store of the group"),
  fulfilment: z.enum(["pickup", "delivery"]).default("pickup")
    .describe("Whether the customer picks the order up at the store or it is delivered from it"),
  currency: CurrencySchema.describe("ISO 4217 code of the item prices (minor units)"),
  note: z.string().trim().max(500, "at most 500 characters").optional()
    .describe("Free text for the back office (purchase order number, delivery slot…)"),
  lines: z.array(z.strictObject({
    sku: z.string().trim().min(1, "required").max(64, "at most 64 characters")
      .describe("An item of the catalogue"),
    quantity: z.int({ error: "a whole number" }).min(1, "1 or more")
      .max(1_000_000, "at most 1000000").describe("Units ordered"),
  })).min(1, "add at least one line").max(MAX_ORDER_LINES, `at most ${MAX_ORDER_LINES} lines`),
});
export type NewOrder = z.output<typeof NewOrderSchema>;

export const VersionSchema = z.strictObject({
  version: z.int({ error: "the order's version, a whole number" }).min(1, "1 or more")
    .describe("The version of the order the change is based on (optimistic concurrency)"),
});

export const OrderReturnSchema = VersionSchema.extend({
  lines: z.array(z.strictObject({
    index: z.int({ error: "a line index" }).min(0, "a line index").max(MAX_ORDER_LINES - 1)
      .describe("Index of the order's line"),
    quantity: z.int({ error: "a whole number" }).min(1, "1 or more").max(1_000_000)
      .describe("Units returned"),
  })).min(1, "return at least one line").max(MAX_ORDER_LINES).optional()
    .describe("What comes back; every unit not yet returned when absent"),
});
export type OrderReturn = z.output<typeof OrderReturnSchema>;

/** An order with what the console and the API show of it. */
export interface OrderDetail {
  id: string;
  number: number;
  state: WholesaleOrderState;
  version: number;
  customer: { id: string; number: string; name: string };
  location: { number: number; name: string };
  fulfilment: "pickup" | "delivery";
  currency: string;
  priceLevel: number;
  total: number;
  note: string | null;
  lines: {
    index: number;
    sku: string;
    name: string;
    quantity: number;
    unitPrice: number;
    returnedQuantity: number;
  }[];
  sale: {
    id: string;
    receiptNumber: string;
    at: Date;
    storeNumber: number;
    posNumber: number;
    tillCode: string | null;
    operatorNumber: number | null;
    points: number;
    returnedTotal: number;
  } | null;
  returns: { id: string; receiptNumber: string; at: Date; value: number; points: number }[];
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The receipt number of an order's sale; its returns add `-R<n>`. */
export const orderReceipt = (number: number) => `WO-${number}`;

const staleOrder = (sent: number, current: number) =>
  new ProblemError(409, "stale-version", "The order was changed since you loaded it", {
    detail: `your change was based on version ${sent}; the order is at version ${current}. ` +
      "Load it again and decide.",
    errors: [{ field: "version", message: `the order is at version ${current}` }],
    version: current,
  });

const wrongState = (state: WholesaleOrderState, action: string) =>
  new ProblemError(409, `order-${state}`, `The order is ${state}`, {
    detail: state === "accepted" && action === "cancel"
      ? "an accepted order is recorded as a sale: return it instead"
      : `a ${state} order cannot be ${action === "return" ? "returned" : `${action}ed`}`,
  });

/** One store of the programme by number, or a 422 on `field`. */
async function storeByNumber(
  db: Db,
  group: MerchantGroup,
  number: number,
  field: string,
): Promise<ProgrammeStore> {
  const found = (await programmeStores(db, group)).filter((s) => s.number === number);
  if (found.length === 1) return found[0];
  throw validationError([{
    field,
    message: found.length
      ? `two stores of the programme have number ${number}`
      : `no active store ${number} in this programme`,
  }]);
}

/**
 * Writes a draft order priced at the wholesale price level of the settings now: each line's
 * unit price is the item's sell price at that level, kept on the line (accepting later charges
 * what the draft showed). An unknown customer, store or SKU, or an item without a price at the
 * level (0), is a 422 naming the field; nothing is written.
 */
export async function createOrder(
  db: Db,
  group: MerchantGroup,
  input: NewOrder,
  actor: Actor,
): Promise<OrderDetail> {
  return await inTransaction(db, async (tx) => {
    const { settings } = await getSettings(tx, group);
    const level = settings.wholesale.priceLevel;
    const customer = await tx.selectFrom("customers").select(["id"])
      .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
      .where("number", "=", input.customerNumber).executeTakeFirst();
    const errors: FieldError[] = [];
    if (!customer) {
      errors.push({ field: "customerNumber", message: "no customer with this number here" });
    }
    const store = await storeByNumber(tx, group, input.location, "location")
      .catch((err: ProblemError) => {
        errors.push(...err.extra.errors ?? []);
        return null;
      });
    const skus = [...new Set(input.lines.map((l) => l.sku))];
    const items = new Map(
      (await tx.selectFrom("items").select(["sku", "name", "prices"])
        .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
        .where("sku", "=", sql<string>`any(${skus}::text[])`).execute())
        .map((i) => [i.sku, i]),
    );
    const lines = input.lines.map((l, index) => {
      const item = items.get(l.sku);
      const unitPrice = item?.prices[level - 1] ?? 0;
      if (!item) {
        errors.push({ field: `lines.${index}.sku`, message: "no item with this SKU" });
      } else if (!(unitPrice > 0)) {
        errors.push({
          field: `lines.${index}.sku`,
          message: `${l.sku} has no sell price at level ${level}, the wholesale price level`,
        });
      }
      return { index, sku: l.sku, name: item?.name ?? "", quantity: l.quantity, unitPrice };
    });
    if (errors.length) throw validationError(errors);
    const total = lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
    if (!Number.isSafeInteger(total)) {
      throw validationError([{ field: "lines", message: "the order's total is too large" }]);
    }
    const { id } = await tx.insertInto("wholesale_orders").values({
      org_id: group.org_id,
      group_id: group.id,
      customer_id: customer!.id,
      store_id: store!.id,
      fulfilment: input.fulfilment,
      currency: input.currency,
      price_level: level,
      total,
      note: input.note || null,
      created_by: actor.id,
    }).returning("id").executeTakeFirstOrThrow();
    await tx.insertInto("wholesale_order_lines").values(lines.map((l) => ({
      order_id: id,
      index: l.index,
      org_id: group.org_id,
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unit_price: l.unitPrice,
    }))).execute();
    const order = (await orderDetail(tx, group, id))!;
    await recordAudit(tx, {
      orgId: group.org_id,
      entity: "wholesale-order",
      entityId: id,
      action: "create",
      actor,
      before: null,
      after: auditView(order),
    });
    return order;
  });
}

/** What the audit log keeps of an order: its state and figures, not its whole detail. */
const auditView = (o: OrderDetail) => ({
  number: o.number,
  state: o.state,
  version: o.version,
  customerNumber: o.customer.number,
  location: o.location.number,
  fulfilment: o.fulfilment,
  currency: o.currency,
  priceLevel: o.priceLevel,
  total: o.total,
  lines: o.lines.length,
  ...(o.sale
    ? {
      receiptNumber: o.sale.receiptNumber,
      storeNumber: o.sale.storeNumber,
      posNumber: o.sale.posNumber,
      tillCode: o.sale.tillCode,
      operatorNumber: o.sale.operatorNumber,
      returnedTotal: o.sale.returnedTotal,
    }
    : {}),
});

/** One order of the group with its lines, sale and returns; undefined when there is none. */
export async function orderDetail(
  db: Db,
  group: Pick<MerchantGroup, "id" | "org_id">,
  id: string,
): Promise<OrderDetail | undefined> {
  const o = await db.selectFrom("wholesale_orders as o")
    .innerJoin("customers as c", "c.id", "o.customer_id")
    .innerJoin("stores as st", "st.id", "o.store_id")
    .leftJoin("staff_users as u", "u.id", "o.created_by")
    .selectAll("o")
    .select([
      "c.number as customer_number",
      "c.name as customer_name",
      "st.number as store_number",
      "st.name as store_name",
      "u.email as created_by_email",
    ])
    .where("o.id", "=", id).where("o.group_id", "=", group.id)
    .where("o.org_id", "=", group.org_id).executeTakeFirst();
  if (!o) return undefined;
  const [lines, sale, returns, returned] = await Promise.all([
    db.selectFrom("wholesale_order_lines").selectAll().where("order_id", "=", o.id)
      .where("org_id", "=", o.org_id).orderBy("index").execute(),
    o.sale_id
      ? db.selectFrom("sales as s")
        .innerJoin("stores as st", "st.id", "s.store_id")
        .innerJoin("pos as p", "p.id", "s.pos_id")
        .select([
          "s.id",
          "s.receipt_number",
          "s.at",
          "st.number as store_number",
          "p.number as pos_number",
          "s.till_code",
          "s.operator_number",
          "s.points",
          "s.returned_total",
        ])
        .where("s.id", "=", o.sale_id).where("s.org_id", "=", o.org_id).executeTakeFirst()
      : undefined,
    o.sale_id
      ? db.selectFrom("sales").select(["id", "receipt_number", "at", "total", "points"])
        .where("original_sale_id", "=", o.sale_id).where("org_id", "=", o.org_id)
        .orderBy("at").orderBy("id").execute()
      : [],
    // What was returned of each line is kept on the sale's lines.
    o.sale_id
      ? db.selectFrom("sale_lines").select(["index", "returned_quantity"])
        .where("sale_id", "=", o.sale_id).where("org_id", "=", o.org_id).execute()
      : [],
  ]);
  return {
    id: o.id,
    number: o.number,
    state: o.state,
    version: o.version,
    customer: { id: o.customer_id, number: o.customer_number, name: o.customer_name },
    location: { number: o.store_number, name: o.store_name },
    fulfilment: o.fulfilment,
    currency: o.currency,
    priceLevel: o.price_level,
    total: o.total,
    note: o.note,
    lines: lines.map((l) => ({
      index: l.index,
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unitPrice: l.unit_price,
      returnedQuantity: returned.find((r) => r.index === l.index)?.returned_quantity ?? 0,
    })),
    sale: sale
      ? {
        id: sale.id,
        receiptNumber: sale.receipt_number,
        at: sale.at,
        storeNumber: sale.store_number,
        posNumber: sale.pos_number,
        tillCode: sale.till_code,
        operatorNumber: sale.operator_number,
        points: sale.points,
        returnedTotal: sale.returned_total,
      }
      : null,
    returns: returns.map((r) => ({
      id: r.id,
      receiptNumber: r.receipt_number,
      at: r.at,
      value: r.total,
      points: r.points,
    })),
    createdBy: o.created_by_email,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
  };
}

/** The group an order belongs to, for the caller's authorization; undefined when none. */
export async function orderGroupId(db: Db, id: string): Promise<string | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom("wholesale_orders").select("group_id").where("id", "=", id)
    .executeTakeFirst();
  return row?.group_id;
}

/** A row of the order list. */
export interface OrderRow {
  id: string;
  number: number;
  state: WholesaleOrderState;
  customerNumber: string;
  customerName: string;
  storeNumber: number;
  fulfilment: "pickup" | "delivery";
  currency: string;
  total: number;
  createdAt: Date;
}

/** The group's orders, newest (highest number) first, a page at a time. */
export async function listOrders(
  db: Db,
  group: Pick<MerchantGroup, "id" | "org_id">,
  q: { state?: WholesaleOrderState; limit: number; beforeNumber?: number },
): Promise<OrderRow[]> {
  let query = db.selectFrom("wholesale_orders as o")
    .innerJoin("customers as c", "c.id", "o.customer_id")
    .innerJoin("stores as st", "st.id", "o.store_id")
    .select([
      "o.id",
      "o.number",
      "o.state",
      "c.number as customerNumber",
      "c.name as customerName",
      "st.number as storeNumber",
      "o.fulfilment",
      "o.currency",
      "o.total",
      "o.created_at as createdAt",
    ])
    .where("o.group_id", "=", group.id).where("o.org_id", "=", group.org_id)
    .orderBy("o.number", "desc").limit(q.limit);
  if (q.state) query = query.where("o.state", "=", q.state);
  if (q.beforeNumber !== undefined) query = query.where("o.number", "<", q.beforeNumber);
  return await query.execute();
}

/** The order's row, locked for the change: concurrent changes of one order queue here. */
async function lockOrder(tx: Db, group: MerchantGroup, id: string) {
  const row = await tx.selectFrom("wholesale_orders").selectAll()
    .where("id", "=", id).where("group_id", "=", group.id).where("org_id", "=", group.org_id)
    .forUpdate().executeTakeFirst();
  if (!row) throw notFound("wholesale order");
  return row;
}

/** Moves the order to its next version (and state), and audits the move. */
async function advance(
  tx: Db,
  group: MerchantGroup,
  before: OrderDetail,
  set: { state?: WholesaleOrderState; sale_id?: string; accepted_version?: number },
  action: string,
  actor: Actor,
): Promise<OrderDetail> {
  await tx.updateTable("wholesale_orders")
    .set({ ...set, version: sql<number>`version + 1`, updated_at: sql<Date>`now()` })
    .where("id", "=", before.id).where("org_id", "=", group.org_id).execute();
  const after = (await orderDetail(tx, group, before.id))!;
  await recordAudit(tx, {
    orgId: group.org_id,
    entity: "wholesale-order",
    entityId: before.id,
    action,
    actor,
    before: auditView(before),
    after: auditView(after),
  });
  return after;
}

/**
 * Accepts a draft order: records its sale (see the module comment) at the till `till.ts`
 * finds, in this transaction, and moves the order to accepted. Idempotent: an accept sent
 * again with the version the order was accepted from — a retry, or a concurrent accept that
 * waited on the order's lock — answers the accepted order (`replayed`) and records nothing;
 * another stale version is a 409. A cancelled order is a 409 `order-cancelled`.
 */
export async function acceptOrder(
  db: Db,
  programmes: ProgrammeCache,
  group: MerchantGroup,
  id: string,
  version: number,
  actor: Actor,
): Promise<{ order: OrderDetail; replayed: boolean }> {
  return await inTransaction(db, async (tx) => {
    const row = await lockOrder(tx, group, id);
    if (row.state === "accepted" && row.accepted_version === version) {
      return { order: (await orderDetail(tx, group, id))!, replayed: true };
    }
    if (row.version !== version) throw staleOrder(version, row.version);
    if (row.state !== "draft") throw wrongState(row.state, "accept");
    const before = (await orderDetail(tx, group, id))!;
    const { settings } = await getSettings(tx, group);
    const store = await tx.selectFrom("stores").select(["id", "number", "name", "timezone"])
      .where("id", "=", row.store_id).where("org_id", "=", group.org_id)
      .executeTakeFirstOrThrow();
    const { till, recordedAs } = await wholesaleTill(tx, group, store, settings);
    const answer = await recordSale(tx, {
      programmes,
      programme: { group, settings },
      till,
      idempotency: { scope: `wholesale-order:${id}`, key: "accept" },
      recordedAs,
    }, {
      receiptNumber: orderReceipt(row.number),
      at: new Date().toISOString(),
      channel: "back-office",
      currency: row.currency,
      customer: { number: before.customer.number },
      lines: before.lines.map((l) => ({
        sku: l.sku,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
      })),
      tenders: row.total > 0 ? [{ type: ON_ACCOUNT, amount: row.total }] : [],
    });
    const sale = JSON.parse(answer.text) as Sale;
    const order = await advance(
      tx,
      group,
      before,
      {
        state: "accepted",
        sale_id: sale.id,
        accepted_version: version,
      },
      "accept",
      actor,
    );
    return { order, replayed: false };
  });
}

/** Cancels a draft order; an accepted one is returned instead (409 `order-accepted`). */
export async function cancelOrder(
  db: Db,
  group: MerchantGroup,
  id: string,
  version: number,
  actor: Actor,
): Promise<OrderDetail> {
  return await inTransaction(db, async (tx) => {
    const row = await lockOrder(tx, group, id);
    if (row.version !== version) throw staleOrder(version, row.version);
    if (row.state !== "draft") throw wrongState(row.state, "cancel");
    const before = (await orderDetail(tx, group, id))!;
    return await advance(tx, group, before, { state: "cancelled" }, "cancel", actor);
  });
}

/**
 * Returns an accepted order, like a sale with its receipt: a return through the return
 * service against the order's sale, at the till it was recorded at, paying back to the
 * ON_ACCOUNT tender; the points its lines earned go back as the settings say. Once per
 * Idempotency-Key (a retry answers the first answer and writes nothing); the order's version
 * moves on, so a second return must be based on the new one.
 */
export async function returnOrder(
  db: Db,
  programmes: ProgrammeCache,
  group: MerchantGroup,
  id: string,
  input: OrderReturn,
  key: string,
  actor: Actor,
): Promise<{ order: OrderDetail; return: Return; replayed: boolean }> {
  const scope = `wholesale-order:${id}`;
  const answer = await idempotent(db, {
    orgId: group.org_id,
    scope,
    key: `return:${key}`,
    fingerprint: { operation: "return wholesale order", body: input },
  }, async (tx) => {
    const row = await lockOrder(tx, group, id);
    if (row.version !== input.version) throw staleOrder(input.version, row.version);
    if (row.state !== "accepted") throw wrongState(row.state, "return");
    const before = (await orderDetail(tx, group, id))!;
    const sale = before.sale!;
    const errors: FieldError[] = [];
    const lines = input.lines
      ? input.lines.map((l, i) => {
        const line = before.lines.find((x) => x.index === l.index);
        if (!line) errors.push({ field: `lines.${i}.index`, message: "no such line" });
        return { line, quantity: l.quantity };
      })
      : before.lines.filter((l) => l.quantity > l.returnedQuantity)
        .map((line) => ({ line, quantity: line.quantity - line.returnedQuantity }));
    if (errors.length) throw validationError(errors);
    if (!lines.length) {
      throw validationError([{ field: "lines", message: "every unit was returned already" }]);
    }
    const { settings } = await getSettings(tx, group);
    const till = await tx.selectFrom("sales as s")
      .innerJoin("stores as st", "st.id", "s.store_id")
      .select(["s.store_id", "s.pos_id", "st.timezone"])
      .where("s.id", "=", sale.id).where("s.org_id", "=", group.org_id)
      .executeTakeFirstOrThrow();
    const returned = await recordReturn(tx, {
      programmes,
      programme: { group, settings },
      till: {
        storeNumber: sale.storeNumber,
        posNumber: sale.posNumber,
        timezone: till.timezone,
        storeId: till.store_id,
        posId: till.pos_id,
      },
      idempotency: { scope, key: `return-sale:${key}` },
    }, {
      receiptNumber: `${sale.receiptNumber}-R${before.returns.length + 1}`,
      at: new Date().toISOString(),
      original: {
        receiptNumber: sale.receiptNumber,
        storeNumber: sale.storeNumber,
        posNumber: sale.posNumber,
      },
      lines: lines.map(({ line, quantity }) => ({
        originalLineIndex: line!.index,
        sku: line!.sku,
        quantity,
        unitPrice: line!.unitPrice,
      })),
      // None named: the value goes back to the sale's own tender, the ON_ACCOUNT invoice.
      tenders: [],
    });
    const order = await advance(tx, group, before, {}, "return", actor);
    return {
      status: 201,
      body: JSON.stringify({ order, return: JSON.parse(returned.text) as Return }),
    };
  });
  const { order, return: ret } = JSON.parse(answer.body as string);
  return { order: revive(order), return: ret, replayed: answer.replayed };
}

/** An order read back from its stored JSON text: its times are Dates again. */
function revive(o: OrderDetail): OrderDetail {
  const at = (d: Date) => new Date(d);
  return {
    ...o,
    createdAt: at(o.createdAt),
    updatedAt: at(o.updatedAt),
    sale: o.sale && { ...o.sale, at: at(o.sale.at) },
    returns: o.returns.map((r) => ({ ...r, at: at(r.at) })),
  };
}
