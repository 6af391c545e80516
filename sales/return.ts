/**
 * A return at the POS: the unit of work, in ONE transaction that `idempotent` opens.
 *
 * With the original receipt, the sale is locked (so two returns of it queue) and the return
 * reverses from the sale's own attribution (`sale_awards`): every point the returned units
 * earned when the setting *original receipt return returns original points* is on, only their
 * basic points when it is off — cumulative shares, so partial returns never take back more than
 * a line earned and a full return takes back exactly everything (sales/return_points.ts). The
 * points that paid for the sale come back in proportion to the value returned, or as many as
 * the return's points tender says. Without the receipt, the returned lines are priced with the
 * current published rules and only their basic points are reversed.
 *
 * A return may take a member's balance below zero (they owe points); a redemption never can.
 *
 * It pays back exactly the value it returns, never more (sales/payment.ts): the refund tenders
 * the POS names, or against the receipt the sale's own recorded tenders, cards first, each up to
 * what it paid less what the sale's earlier returns gave back to it. The sale's lock makes its
 * returns queue, so together they never pay back more than it was sold for. The return that
 * completes the full return of a sale gives its coupons their uses back where their series says
 * so (instruments/coupons.ts `restoreCouponUses`).
 */
import { sql } from "kysely";
import { todayIn } from "../calendar/zones.ts";
import type { Db } from "../db/connection.ts";
import { isUniqueViolation } from "../db/errors.ts";
import type { Json } from "../db/schema.ts";
import { idempotent } from "../db/idempotency.ts";
import { priceBasket } from "../earning/quote.ts";
import { type FieldError, ProblemError, validationError } from "../errors/problem.ts";
import {
  customerPoints,
  POINTS_ISSUED,
  POINTS_REDEEMED,
  programmePoints,
} from "../ledger/accounts.ts";
import { pointsBalances } from "../ledger/balances.ts";
import { type Leg, post } from "../ledger/post.ts";
import { restoreCouponUses } from "../instruments/coupons.ts";
import { recordReturnStatistics } from "../members/statistics.ts";
import { toHundredths } from "../rules/points.ts";
import { returnJson, type ReturnRequest } from "./return_json.ts";
import {
  type AwardReversal,
  redeemedBack,
  type ReturnedLine,
  returnFigures,
  share,
} from "./return_points.ts";
import { duplicateReceipt, type SaleAnswer, type SaleContext } from "./sale.ts";
import { type CardTaken, isCardTender, POINTS_TENDER } from "./sale_json.ts";
import { cardLegs, planCards, type PlannedCard, recordCards } from "./card_tenders.ts";
import {
  payBack,
  type RecordedTender,
  recordedTenders,
  refundsToOriginal,
  valuedTenders,
} from "./payment.ts";

/** The sale a return names, locked for the return's transaction. */
interface OriginalSale {
  id: string;
  customer_id: string | null;
  member: boolean;
  currency: string;
  total: number;
  points_redeemed: number;
  returned_total: number;
  points_redeemed_returned: number;
  tenders: Json;
}

/** What a return moves, worked out before anything is written. */
interface ReturnPlan {
  original: OriginalSale | null;
  customer: { id: string; number: string } | null;
  member: boolean;
  currency: string;
  /** Minor units given back. */
  value: number;
  reversals: AwardReversal[];
  /** Per line of the request: the original line it returns (null without the receipt). */
  originalLines: (number | null)[];
  /** Original line → its returned quantity once this return counts. */
  returnedQuantity: Map<number, number>;
  /** Spent points given back, hundredths. */
  refunded: number;
  /** Whether this return takes back the last units of the original sale. */
  whole: boolean;
}

const originalNotFound = () =>
  new ProblemError(404, "original-not-found", "No such sale to return against", {
    detail: "no sale of this programme has that receipt number at that store and POS",
    errors: [{ field: "original.receiptNumber", message: "no sale with this receipt" }],
  });

async function lockOriginal(
  tx: Db,
  ctx: SaleContext,
  original: NonNullable<ReturnRequest["original"]>,
): Promise<OriginalSale> {
  const sale = await tx.selectFrom("sales as s")
    .innerJoin("stores as st", "st.id", "s.store_id")
    .innerJoin("pos as p", "p.id", "s.pos_id")
    .select([
      "s.id",
      "s.customer_id",
      "s.member",
      "s.currency",
      "s.total",
      "s.points_redeemed",
      "s.returned_total",
      "s.points_redeemed_returned",
      "s.tenders",
    ])
    .where("s.group_id", "=", ctx.programme.group.id).where("s.kind", "=", "sale")
    .where("s.receipt_number", "=", original.receiptNumber)
    .where("st.number", "=", original.storeNumber ?? ctx.till.storeNumber)
    .where("p.number", "=", original.posNumber ?? ctx.till.posNumber)
    .forUpdate("s").executeTakeFirst();
  if (!sale) throw originalNotFound();
  return sale;
}

/** The points tenders of a return: spent points the member asks back, hundredths. */
function pointsAskedBack(request: ReturnRequest): number | null {
  const asked = request.tenders.filter((t) => t.type === POINTS_TENDER);
  return asked.length ? asked.reduce((s, t) => s + toHundredths(t.points!), 0) : null;
}

/** Against the original receipt: the sale's lines, matched and checked, and the figures. */
async function planWithReceipt(
  tx: Db,
  ctx: SaleContext,
  request: ReturnRequest,
): Promise<ReturnPlan> {
  const errors: FieldError[] = [];
  if (request.customer) {
    errors.push({
      field: "customer",
      message: "a return against the original receipt is the original sale's customer's",
    });
  }
  const original = await lockOriginal(tx, ctx, request.original!);
  if (request.currency && request.currency !== original.currency) {
    errors.push({ field: "currency", message: `the original sale is in ${original.currency}` });
  }
  const [lines, awards, customer] = await Promise.all([
    tx.selectFrom("sale_lines")
      .select(["index", "sku", "quantity", "returned_quantity", "net"])
      .where("sale_id", "=", original.id).orderBy("index").execute(),
    tx.selectFrom("sale_awards")
      .select(["line_index", "rule_id", "type", "reference", "points", "reversed"])
      .where("sale_id", "=", original.id).orderBy("line_index").orderBy("rule_id").execute(),
    original.customer_id
      ? tx.selectFrom("customers").select(["id", "number"])
        .where("id", "=", original.customer_id).executeTakeFirst()
      : undefined,
  ]);
  const left = new Map(lines.map((l) => [l.index, l.quantity - l.returned_quantity]));
  const returned: ReturnedLine[] = [];
  const originalLines = request.lines.map((line, i) => {
    const index = line.originalLineIndex ??
      lines.find((l) => l.sku === line.sku && left.get(l.index)! >= line.quantity)?.index;
    const sold = lines.find((l) => l.index === index);
    if (!sold) {
      errors.push({
        field: line.originalLineIndex === undefined
          ? `lines.${i}.sku`
          : `lines.${i}.originalLineIndex`,
        message: line.originalLineIndex === undefined
          ? `no line of SKU ${line.sku} in the original sale has ${line.quantity} unit(s) left to return`
          : "the original sale has no such line",
      });
      return null;
    }
    if (sold.sku !== line.sku) {
      errors.push({
        field: `lines.${i}.sku`,
        message: `original line ${sold.index} is ${sold.sku}`,
      });
      return null;
    }
    if (returned.some((r) => r.originalIndex === sold.index)) {
      errors.push({
        field: `lines.${i}.originalLineIndex`,
        message: `original line ${sold.index} is already returned by another line: send it once`,
      });
      return null;
    }
    if (line.quantity > left.get(sold.index)!) {
      errors.push({
        field: `lines.${i}.quantity`,
        message: `only ${left.get(sold.index)} unit(s) of that line are left to return`,
      });
      return null;
    }
    left.set(sold.index, left.get(sold.index)! - line.quantity);
    returned.push({ originalIndex: sold.index, quantity: line.quantity });
    return sold.index;
  });
  if (errors.length) throw validationError(errors);
  const figures = returnFigures(
    lines.map((l) => ({
      index: l.index,
      quantity: l.quantity,
      returnedQuantity: l.returned_quantity,
      net: l.net,
    })),
    awards.map((a) => ({
      lineIndex: a.line_index,
      ruleId: a.rule_id,
      type: a.type,
      reference: a.reference,
      points: a.points,
      reversed: a.reversed,
    })),
    returned,
    ctx.programme.settings.originalReceiptReturnReturnsOriginalPoints,
  );
  const whole = lines.every((l) =>
    (figures.returnedQuantity.get(l.index) ?? l.returned_quantity) === l.quantity
  );
  const sale = {
    total: original.total,
    redeemed: original.points_redeemed,
    redeemedReturned: original.points_redeemed_returned,
    returnedTotal: original.returned_total,
  };
  const asked = pointsAskedBack(request);
  const refundable = original.points_redeemed - original.points_redeemed_returned;
  if (asked !== null && asked > refundable) {
    throw validationError([{
      field: "tenders",
      message: `the sale has ${refundable / 100} spent points left to give back`,
    }]);
  }
  return {
    original,
    customer: customer ?? null,
    member: original.member,
    currency: original.currency,
    value: figures.value,
    reversals: original.member ? figures.reversals : [],
    originalLines,
    returnedQuantity: figures.returnedQuantity,
    // Named tenders are the whole refund: spent points come back only when one of them says so.
    refunded: request.tenders.length ? asked ?? 0 : redeemedBack(sale, figures.value, whole),
    whole,
  };
}

/** Without the receipt: the basic points of the returned value under today's rules. */
async function planWithoutReceipt(
  tx: Db,
  ctx: SaleContext,
  request: ReturnRequest,
): Promise<ReturnPlan> {
  if (!request.currency) {
    throw validationError([{
      field: "currency",
      message: "required without the original receipt",
    }]);
  }
  if (pointsAskedBack(request) !== null) {
    throw validationError([{
      field: "tenders",
      message: "spent points are given back only against the original receipt",
    }]);
  }
  const priced = await priceBasket(tx, ctx.programmes, ctx.programme, ctx.till, {
    currency: request.currency,
    at: request.at,
    ...(request.customer ? { customer: request.customer } : {}),
    lines: request.lines.map((l) => ({
      sku: l.sku,
      ...(l.category ? { category: l.category } : {}),
      quantity: l.quantity,
      unitPrice: l.unitPrice,
    })),
    tenders: [],
  });
  const e = priced.evaluation;
  const reversals = e.member
    ? e.awards.filter((a) => a.type === "basic-points").flatMap((a) =>
      a.lines.map((l) => ({
        lineIndex: l.index,
        ruleId: a.ruleId,
        reference: a.reference,
        points: l.points,
      }))
    )
    : [];
  const customer = priced.customer?.customer;
  return {
    original: null,
    customer: customer ? { id: customer.id, number: customer.number } : null,
    member: e.member,
    currency: request.currency,
    value: e.total,
    reversals: reversals.filter((r) => r.points !== 0),
    originalLines: request.lines.map(() => null),
    returnedQuantity: new Map(),
    refunded: 0,
    whole: false,
  };
}

async function recordRows(
  tx: Db,
  ctx: SaleContext,
  request: ReturnRequest,
  plan: ReturnPlan,
  refunds: readonly Refund[],
  tradingDay: string,
): Promise<string> {
  const { group } = ctx.programme;
  const reversed = plan.reversals.reduce((s, r) => s + r.points, 0);
  let id: string;
  try {
    ({ id } = await tx.insertInto("sales").values({
      org_id: group.org_id,
      group_id: group.id,
      store_id: ctx.till.storeId,
      pos_id: ctx.till.posId,
      kind: "return",
      receipt_number: request.receiptNumber,
      at: request.at,
      trading_day: tradingDay,
      customer_id: plan.customer?.id ?? null,
      member: plan.member,
      currency: plan.currency,
      total: plan.value,
      points: reversed,
      points_redeemed: plan.refunded,
      original_sale_id: plan.original?.id ?? null,
      tenders: JSON.stringify(refunds.map(({ index: _, ...r }) => r)),
    }).returning("id").executeTakeFirstOrThrow());
  } catch (err) {
    if (isUniqueViolation(err, "sales_pos_receipt")) throw duplicateReceipt(request.receiptNumber);
    throw err;
  }
  const original = plan.original;
  if (!original) return id;
  await tx.updateTable("sales").set({
    returned_total: original.returned_total + plan.value,
    points_redeemed_returned: original.points_redeemed_returned + plan.refunded,
  }).where("id", "=", original.id).execute();
  const quantities = [...plan.returnedQuantity];
  if (quantities.length) {
    const values = sql.join(quantities.map(([i, q]) => sql`(${i}::int, ${q}::int)`));
    await sql`update sale_lines l set returned_quantity = v.q
      from (values ${values}) as v (i, q)
      where l.sale_id = ${original.id}::uuid and l.index = v.i`.execute(tx);
  }
  if (plan.reversals.length) {
    const values = sql.join(
      plan.reversals.map((r) => sql`(${r.lineIndex}::int, ${r.ruleId}::text, ${r.points}::bigint)`),
    );
    await sql`update sale_awards a set reversed = a.reversed + v.p
      from (values ${values}) as v (i, r, p)
      where a.sale_id = ${original.id}::uuid and a.line_index = v.i and a.rule_id = v.r`
      .execute(tx);
  }
  return id;
}

/** A refund tender of a return: where it was in the request (-1: worked out). */
type Refund = RecordedTender & { index: number };

/**
 * The value of the spent points a return gives back by default: the sale's points tenders'
 * value in proportion to the value returned so far (all of what is left once everything is
 * returned), less what earlier returns gave back in points — cumulative, as the points are.
 */
function pointsBackValue(
  plan: ReturnPlan,
  original: OriginalSale,
  sale: readonly RecordedTender[],
  earlier: readonly RecordedTender[],
): number {
  if (plan.refunded === 0) return 0;
  const worth = (ts: readonly RecordedTender[]) =>
    ts.reduce((s, t) => s + (t.type === POINTS_TENDER ? t.amount : 0), 0);
  const paid = worth(sale);
  const cumulative = plan.whole
    ? paid
    : share(paid, original.returned_total + plan.value, original.total);
  return Math.max(0, cumulative - worth(earlier));
}

/**
 * How the return pays back its value (sales/payment.ts): the tenders the POS names, which must
 * add up to it exactly; without them, against the original receipt, the sale's own tenders
 * (`refundsToOriginal`); without either, a 422 on `tenders`. The cards among them are locked
 * and checked.
 */
async function planRefunds(
  tx: Db,
  ctx: SaleContext,
  request: ReturnRequest,
  plan: ReturnPlan,
): Promise<{ refunds: Refund[]; cards: PlannedCard[] }> {
  const original = plan.original;
  let refunds: Refund[];
  if (request.tenders.length || !original) {
    const valued = valuedTenders(request.tenders, ctx.programme.settings.pointValue);
    refunds = payBack(valued, plan.value, plan.currency).map((r, index) => ({ ...r, index }));
  } else {
    const sale = recordedTenders(original.tenders);
    const earlier = (await tx.selectFrom("sales").select("tenders")
      .where("original_sale_id", "=", original.id).execute())
      .flatMap((r) => recordedTenders(r.tenders));
    const worked = refundsToOriginal(sale, earlier, plan.value, {
      points: plan.refunded,
      value: pointsBackValue(plan, original, sale, earlier),
    });
    if (!worked) {
      throw validationError([{
        field: "tenders",
        message: "the original sale's tenders are not on record: name the refund tenders, " +
          "which together pay back the value returned",
      }]);
    }
    refunds = worked.map((r) => ({ ...r, index: -1 }));
  }
  const cards = await planCards(
    tx,
    ctx.programme.group.id,
    ctx.till.timezone,
    plan.currency,
    refunds.flatMap((r) =>
      isCardTender(r.type)
        ? [{
          index: r.index,
          type: r.type,
          number: r.number!,
          amount: r.amount,
          field: r.index < 0 ? "tenders" : `tenders.${r.index}`,
        }]
        : []
    ),
    "refund",
  );
  return { refunds, cards };
}

/**
 * The return's ledger transaction: money back onto cards, points taken back and spent points
 * given back. Answers the customer's balance after it and what each card got.
 */
async function postReturn(
  tx: Db,
  ctx: SaleContext,
  request: ReturnRequest,
  plan: ReturnPlan,
  cards: PlannedCard[],
  returnId: string,
): Promise<{ balance: number | null; cards: CardTaken[] }> {
  const { group } = ctx.programme;
  const legs: Leg[] = cardLegs(cards);
  if (plan.customer) {
    const mine = customerPoints(group.org_id, group.id, plan.customer.id);
    for (const r of plan.reversals) {
      const tag = { reference: r.reference, ruleId: r.ruleId };
      legs.push(
        { account: mine, amount: -r.points, ...tag },
        {
          account: programmePoints(group.org_id, group.id, POINTS_ISSUED),
          amount: r.points,
          ...tag,
        },
      );
    }
    legs.push(
      { account: mine, amount: plan.refunded },
      {
        account: programmePoints(group.org_id, group.id, POINTS_REDEEMED),
        amount: -plan.refunded,
      },
    );
  }
  let taken: CardTaken[] = [];
  if (legs.some((l) => l.amount !== 0)) {
    const label = `store ${ctx.till.storeNumber} POS ${ctx.till.posNumber}`;
    const posted = await post(tx, {
      orgId: group.org_id,
      groupId: group.id,
      reference: "RETURN",
      at: request.at,
      actor: { posId: ctx.till.posId, label },
      saleId: returnId,
      legs,
    });
    taken = await recordCards(tx, cards, posted.id, {
      storeId: ctx.till.storeId,
      posId: ctx.till.posId,
      label,
      timezone: ctx.till.timezone,
      receiptNumber: request.receiptNumber,
      saleId: returnId,
    });
  }
  const balance = plan.customer
    ? (await pointsBalances(tx, [plan.customer.id])).get(plan.customer.id)!
    : null;
  return { balance, cards: taken };
}

/**
 * Records a return (see the module comment) once per Idempotency-Key, as `recordSale` records
 * a sale: a retry gets the first answer's text, another body under the key is a 422
 * `idempotency-key-reused`, and a refusal writes nothing and leaves the key free.
 */
export async function recordReturn(
  db: Db,
  ctx: SaleContext,
  request: ReturnRequest,
): Promise<SaleAnswer> {
  const tradingDay = todayIn(ctx.till.timezone, new Date(request.at));
  const answer = await idempotent(db, {
    orgId: ctx.programme.group.org_id,
    scope: ctx.idempotency.scope,
    key: ctx.idempotency.key,
    fingerprint: { operation: "POST /api/pos/v1/returns", body: request },
  }, async (tx) => {
    const plan = request.original
      ? await planWithReceipt(tx, ctx, request)
      : await planWithoutReceipt(tx, ctx, request);
    const { refunds, cards } = await planRefunds(tx, ctx, request, plan);
    const id = await recordRows(tx, ctx, request, plan, refunds, tradingDay);
    const { balance, cards: refunded } = await postReturn(tx, ctx, request, plan, cards, id);
    const couponsRestored = plan.original && plan.whole
      ? await restoreCouponUses(tx, plan.original.id, {
        id,
        at: request.at,
        timeZone: ctx.till.timezone,
      })
      : [];
    await recordReturnStatistics(tx, {
      orgId: ctx.programme.group.org_id,
      customerId: plan.customer?.id ?? null,
      member: plan.member,
      tradingDay,
      total: plan.value,
    });
    const perLine = (i: number, originalLine: number | null) =>
      plan.reversals.filter((r) =>
        originalLine === null ? r.lineIndex === i : r.lineIndex === originalLine
      ).reduce((s, r) => s + r.points, 0);
    const body = returnJson({
      id,
      receiptNumber: request.receiptNumber,
      currency: plan.currency,
      pointsReversed: plan.reversals.reduce((s, r) => s + r.points, 0),
      pointsRefunded: plan.refunded,
      value: plan.value,
      lines: plan.originalLines.map((originalLine, index) => ({
        index,
        originalLineIndex: originalLine,
        pointsReversed: perLine(index, originalLine),
      })),
      customer: plan.customer && balance !== null
        ? { number: plan.customer.number, balance }
        : null,
      cards: refunded,
      tenders: refunds,
      couponsRestored,
    });
    return { status: 201, body: JSON.stringify(body) };
  });
  return { status: 201, text: answer.body as string, replayed: answer.replayed };
}
