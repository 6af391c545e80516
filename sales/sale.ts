/**
 * A sale at the POS: the unit of work. In ONE transaction, which `idempotent` opens (claiming
 * the Idempotency-Key first and storing the answer last):
 *
 *   1. price the basket with the published rules — `priceBasket`, the quote's own code path;
 *   2. check that the tenders pay its net total (sales/payment.ts: only cash may exceed it,
 *      as change) and record the sale: its row (receipt number unique per POS; its tenders as
 *      they paid it, which its returns pay back to), its lines with their nets, and what each
 *      line earned from each rule (sale_awards, the attribution a return
 *      reverses from: per award, its rows sum exactly to its points);
 *   3. post one ledger transaction: the money taken from gift cards and store credit (each
 *      card locked first, checked and − without overdraw against its series' liability,
 *      sales/card_tenders.ts), the points each rule earned (customer +, programme
 *      POINTS_ISSUED −, with the rule's reference and id) and the points spent as tender
 *      (customer − without overdraw, programme POINTS_REDEEMED +);
 *   4. update the member statistics;
 *   5. answer — the stored text is what every retry gets, byte for byte.
 *
 * The basket's coupons take part: priced with it (their money off is among its order-level
 * discounts), one use of each taken with the sale's rows (instruments/coupons.ts
 * `redeemCoupons`: locked, checked again, redeemed), their bonus points posted with the rules'
 * points (reference COUPON).
 *
 * Any failure rolls all of it back, the key included: nothing half-written, no answer stored.
 * The steps are dependencies (`SALE_STEPS`) so a test can make one fail after the earlier ones
 * wrote, without a switch in the production path.
 */
import { sql } from "kysely";
import { todayIn } from "../calendar/zones.ts";
import type { Db } from "../db/connection.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { idempotent } from "../db/idempotency.ts";
import { priceBasket, type PricedBasket, type QuoteRequest, type Till } from "../earning/quote.ts";
import { ProblemError, validationError } from "../errors/problem.ts";
import { COUPON_REFERENCE, redeemCoupons } from "../instruments/coupons.ts";
import {
  customerPoints,
  POINTS_ISSUED,
  POINTS_REDEEMED,
  programmePoints,
} from "../ledger/accounts.ts";
import { keyLineTotals, pointsBalances } from "../ledger/balances.ts";
import { type Actor, balanceAfter, type Leg, post } from "../ledger/post.ts";
import { recordSaleStatistics } from "../members/statistics.ts";
import type { ProgrammeCache } from "../programme/cache.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import type { LoyaltySettings } from "../programme/settings_schema.ts";
import { lineNets } from "../rules/basket.ts";
import {
  cardLegs,
  type CardTender,
  cardTendersOf,
  planCards,
  recordCards,
} from "./card_tenders.ts";
import {
  type CardTaken,
  POINTS_TENDER_CODE,
  type SaleCustomer,
  saleJson,
  type SaleRequest,
} from "./sale_json.ts";
import { recordedPricing } from "./recorded_pricing.ts";
import { payTotal, type RecordedTender, type ValuedTender, valuedTenders } from "./payment.ts";

/** The POS a sale is recorded at: where the rules see it, and the rows it belongs to. */
export interface SaleTill extends Till {
  storeId: string;
  posId: string;
}

export interface SaleContext {
  programmes: ProgrammeCache;
  programme: { group: MerchantGroup; settings: LoyaltySettings };
  till: SaleTill;
  /** Whose Idempotency-Keys these are (auth/pos.ts `idempotencyScope`) and the key sent. */
  idempotency: { scope: string; key: string };
  /** A back-office sale's till code and operator number (wholesale orders); none at a POS. */
  recordedAs?: { tillCode: string | null; operatorNumber: number | null };
}

/** A points tender of the request: where it was, and the points (hundredths) it spends. */
interface PointsTender {
  index: number;
  points: number;
}

/** A sale ready to be written: what the steps after pricing need. */
export interface SaleDraft {
  ctx: SaleContext;
  request: SaleRequest;
  priced: PricedBasket;
  tradingDay: string;
  pointsTenders: PointsTender[];
  cardTenders: CardTender[];
  /** The tenders as they pay the total, kept on the sale for its returns. */
  tenders: RecordedTender[];
}

/** What the sale's ledger posting left on the customer's points account and on the cards. */
export interface SalePosting {
  /** The customer's points balance after the sale (hundredths); null without a customer. */
  balance: number | null;
  cards: CardTaken[];
}

/** The steps of a sale after the key is claimed, each in the sale's transaction. */
export interface SaleSteps {
  price: typeof priceBasket;
  /** Writes the sale, its lines and its awards; answers the sale's id. */
  record: (tx: Db, sale: SaleDraft) => Promise<string>;
  post: (tx: Db, sale: SaleDraft, saleId: string) => Promise<SalePosting>;
  statistics: (tx: Db, sale: SaleDraft) => Promise<void>;
}

/** The answer of a sale: the JSON text stored with the key, and whether it was a replay. */
export interface SaleAnswer {
  status: 201;
  text: string;
  replayed: boolean;
}

/** A receipt number this POS already used, for a sale or a return: 409. */
export const duplicateReceipt = (receiptNumber: string) =>
  new ProblemError(409, "duplicate-receipt", "This POS already recorded that receipt", {
    detail: `receipt ${receiptNumber} was recorded at this POS by another request; ` +
      "a retry of the same sale or return must send the same Idempotency-Key",
    errors: [{ field: "receiptNumber", message: "already used at this POS" }],
  });

const pointsNeedAMember = (index: number) =>
  validationError([{
    field: `tenders.${index}.points`,
    message: "only a member of the programme can spend points: identify the member",
  }]);

/**
 * The basket the rules see: a points tender becomes a tender of type POINTS worth
 * points × pointValue minor units (so tender-points rules and the tenderAmount fact see the
 * money value of points spent, under its own code). Also the tenders valued, for the check
 * that they pay the total (sales/payment.ts).
 */
export function quoteRequestOf(
  request: SaleRequest,
  settings: LoyaltySettings,
): { quote: QuoteRequest; pointsTenders: PointsTender[]; tenders: ValuedTender[] } {
  const valued = valuedTenders(request.tenders, settings.pointValue);
  const pointsTenders = valued.flatMap((t) =>
    t.points === undefined ? [] : [{ index: t.index, points: t.points }]
  );
  const tenders = valued.map((t) => ({
    type: t.points === undefined ? t.type : POINTS_TENDER_CODE,
    amount: t.amount,
  }));
  const { receiptNumber: _, ...basket } = request;
  return { quote: { ...basket, tenders }, pointsTenders, tenders: valued };
}

/**
 * The sale's row, its lines and its awards in one statement (data-modifying CTEs; the id made
 * here so the three need not wait on each other's RETURNING), then its coupons' uses.
 */
async function recordRows(tx: Db, sale: SaleDraft): Promise<string> {
  const { ctx, request, priced, tradingDay, pointsTenders } = sale;
  const { group } = ctx.programme;
  const e = priced.evaluation;
  const id = crypto.randomUUID();
  const nets = lineNets(priced.basket);
  const lines = priced.basket.lines.map((l, index) => ({
    sale_id: id,
    index,
    org_id: group.org_id,
    sku: l.sku,
    quantity: l.quantity,
    unit_price: l.unitPrice,
    net: nets[index],
    points: e.lines[index].points,
  }));
  const awards = e.awards.flatMap((a) =>
    a.lines.map((l) => ({
      sale_id: id,
      line_index: l.index,
      rule_id: a.ruleId,
      org_id: group.org_id,
      type: a.type,
      reference: a.reference,
      points: l.points,
    }))
  );
  const row = tx.insertInto("sales").values({
    id,
    org_id: group.org_id,
    group_id: group.id,
    store_id: ctx.till.storeId,
    pos_id: ctx.till.posId,
    kind: "sale",
    receipt_number: request.receiptNumber,
    at: request.at,
    trading_day: tradingDay,
    customer_id: priced.customer?.customer.id ?? null,
    member: e.member,
    currency: request.currency,
    total: e.total,
    points: e.points,
    points_redeemed: pointsTenders.reduce((s, t) => s + t.points, 0),
    rules_version: priced.rulesVersion,
    tenders: JSON.stringify(sale.tenders),
    till_code: ctx.recordedAs?.tillCode ?? null,
    operator_number: ctx.recordedAs?.operatorNumber ?? null,
    pricing: JSON.stringify(
      recordedPricing(priced.basket, ctx.programme.settings, priced.evaluation),
    ),
  });
  const parts = [
    ...(lines.length ? [sql`l as (${tx.insertInto("sale_lines").values(lines)})`] : []),
    ...(awards.length ? [sql`a as (${tx.insertInto("sale_awards").values(awards)})`] : []),
  ];
  try {
    if (parts.length) await sql`with ${sql.join(parts)} ${row}`.execute(tx);
    else await row.execute();
  } catch (err) {
    if (!isUniqueViolation(err, "sales_pos_receipt")) throw err;
    throw duplicateReceipt(request.receiptNumber);
  }
  await redeemCoupons(tx, priced.coupons, {
    id,
    orgId: group.org_id,
    at: request.at,
    timeZone: ctx.till.timezone,
  });
  return id;
}

async function postSale(tx: Db, sale: SaleDraft, saleId: string): Promise<SalePosting> {
  const { ctx, request, priced, pointsTenders } = sale;
  const { group } = ctx.programme;
  const cards = await planCards(
    tx,
    group.id,
    ctx.till.timezone,
    request.currency,
    sale.cardTenders,
    "redeem",
  );
  const legs: Leg[] = cardLegs(cards);
  const customerId = priced.customer?.customer.id;
  const e = priced.evaluation;
  const mine = customerId ? customerPoints(group.org_id, group.id, customerId) : undefined;
  if (mine) {
    // Points spent come first: they are checked against the balance before this sale, so the
    // points it earns cannot pay for it.
    for (const t of pointsTenders) {
      legs.push(
        { account: mine, amount: -t.points, noOverdraw: { field: `tenders.${t.index}.points` } },
        { account: programmePoints(group.org_id, group.id, POINTS_REDEEMED), amount: t.points },
      );
    }
    if (e.member) {
      for (const a of e.awards) {
        const tag = { reference: a.reference, ruleId: a.ruleId };
        legs.push(
          { account: mine, amount: a.points, ...tag },
          {
            account: programmePoints(group.org_id, group.id, POINTS_ISSUED),
            amount: -a.points,
            ...tag,
          },
        );
      }
      for (const c of priced.coupons.filter((c) => c.points > 0)) {
        legs.push(
          { account: mine, amount: c.points, reference: COUPON_REFERENCE },
          {
            account: programmePoints(group.org_id, group.id, POINTS_ISSUED),
            amount: -c.points,
            reference: COUPON_REFERENCE,
          },
        );
      }
    }
  }
  const balanceNow = async () =>
    customerId ? (await pointsBalances(tx, [customerId])).get(customerId)! : null;
  if (!legs.some((l) => l.amount !== 0)) return { balance: await balanceNow(), cards: [] };
  const actor: Actor = {
    posId: ctx.till.posId,
    label: `store ${ctx.till.storeNumber} POS ${ctx.till.posNumber}`,
  };
  const posted = await post(tx, {
    orgId: group.org_id,
    groupId: group.id,
    reference: "SALE",
    at: request.at,
    actor,
    saleId,
    legs,
  });
  const taken = await recordCards(tx, cards, posted.id, {
    storeId: ctx.till.storeId,
    posId: ctx.till.posId,
    label: actor.label,
    timezone: ctx.till.timezone,
    receiptNumber: request.receiptNumber,
    saleId,
  });
  // The customer's legs that were written, in order: any holds the final balance.
  const kept = legs.filter((l) => l.amount !== 0);
  const last = kept.findLastIndex((l) => l.account === mine);
  return { balance: last >= 0 ? balanceAfter(posted, last) : await balanceNow(), cards: taken };
}

async function saleStatistics(tx: Db, sale: SaleDraft): Promise<void> {
  const { ctx, request, priced, tradingDay } = sale;
  const { group, settings } = ctx.programme;
  await recordSaleStatistics(tx, {
    orgId: group.org_id,
    customerId: priced.customer?.customer.id ?? null,
    member: priced.evaluation.member,
    tradingDay,
    at: request.at,
    total: priced.evaluation.total,
  }, { oneVisitPerDay: settings.multipleSalesInOneDayCountAsOneVisit });
}

/** The production steps. */
export const SALE_STEPS: SaleSteps = {
  price: priceBasket,
  record: recordRows,
  post: postSale,
  statistics: saleStatistics,
};

/**
 * Records a sale (see the module comment) once per Idempotency-Key. A retry with the same key
 * and body gets the first answer's text and writes nothing; the same key with another body is
 * a 422 `idempotency-key-reused`. Refusals (422, 404 customer, 409 `duplicate-receipt`, 409
 * `insufficient-points`) roll everything back and leave the key free.
 */
export async function recordSale(
  db: Db,
  ctx: SaleContext,
  request: SaleRequest,
  steps: SaleSteps = SALE_STEPS,
): Promise<SaleAnswer> {
  const { group, settings } = ctx.programme;
  const { quote, pointsTenders, tenders } = quoteRequestOf(request, settings);
  const tradingDay = todayIn(ctx.till.timezone, new Date(request.at));
  // Priced before the transaction: the rules' CPU work and its reads then hold no connection
  // in a transaction and no lock. A basket that cannot be priced now is priced inside, where
  // a retry of a sale recorded earlier still gets its stored answer instead of the refusal.
  const early = await steps.price(db, ctx.programmes, ctx.programme, ctx.till, quote)
    .catch(() => null);
  const answer = await idempotent(db, {
    orgId: group.org_id,
    scope: ctx.idempotency.scope,
    key: ctx.idempotency.key,
    fingerprint: { operation: "POST /api/pos/v1/sales", body: request },
  }, async (tx) => {
    const priced = early ?? await steps.price(tx, ctx.programmes, ctx.programme, ctx.till, quote);
    if (pointsTenders.length && !priced.evaluation.member) {
      throw pointsNeedAMember(pointsTenders[0].index);
    }
    const paid = payTotal(tenders, priced.evaluation.total, request.currency);
    const sale: SaleDraft = {
      ctx,
      request,
      priced,
      tradingDay,
      pointsTenders,
      cardTenders: cardTendersOf(request.tenders),
      tenders: paid.tenders,
    };
    const id = await steps.record(tx, sale);
    const customerId = priced.customer?.customer.id;
    // Read before the posting, which locks rows other sales wait for: what follows it is
    // only the statistics and the answer.
    const keyLineBefore = customerId && settings.showKeyLineTotal
      ? (await keyLineTotals(tx, [customerId], settings.keyLineTotalReferenceMatch))
        .get(customerId)!
      : undefined;
    const { balance, cards } = await steps.post(tx, sale, id);
    await steps.statistics(tx, sale);
    let customer: SaleCustomer | null = null;
    if (priced.customer && balance !== null) {
      customer = { number: priced.customer.customer.number, balance };
      if (keyLineBefore !== undefined) {
        const earned = priced.evaluation.member
          ? priced.evaluation.awards
            .filter((a) => a.reference === settings.keyLineTotalReferenceMatch)
            .reduce((sum, a) => sum + a.points, 0)
          : 0;
        const bonus = settings.keyLineTotalReferenceMatch === COUPON_REFERENCE
          ? priced.coupons.reduce((sum, c) => sum + c.points, 0)
          : 0;
        customer.keyLineTotal = keyLineBefore + earned + bonus;
      }
    }
    const body = saleJson(
      {
        id,
        receiptNumber: request.receiptNumber,
        currency: request.currency,
        rulesVersion: priced.rulesVersion,
      },
      priced.evaluation,
      customer,
      priced.coupons,
      cards,
      paid.change,
    );
    // Stored as its text (a JSON string), not as a jsonb object, whose key order Postgres
    // normalizes: a retry must get these very bytes.
    return { status: 201, body: JSON.stringify(body) };
  });
  return { status: 201, text: answer.body as string, replayed: answer.replayed };
}
