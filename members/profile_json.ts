import { z } from "@hono/zod-openapi";
import { isoTime, Timestamp } from "../http/openapi.ts";
import { encodeCursor } from "../http/pagination.ts";
import type { StatementLine } from "../ledger/statement.ts";
import { hundredthsToNumber } from "../rules/points.ts";
import type { CustomerDetail } from "./customers.ts";
import { CustomerDetailSchema, customerJson, CustomerSchema, detailJson } from "./customer_json.ts";
import type { LoyaltySettings } from "../programme/settings_schema.ts";
import {
  type Adjusted,
  AdjustmentSchema,
  type CustomerFigures,
  type CustomerSale,
} from "./profile.ts";
import type { MemberStatistics } from "./statistics.ts";
import { MinorUnits } from "../money/minor_units.ts";

const Points = (description: string) =>
  z.number().openapi({ description: `${description}; points, at most two decimals` });

export const StatisticsSchema = z.object({
  visits: z.number().int(),
  salesCount: z.number().int(),
  spend: MinorUnits.openapi({ description: "sales less returns" }),
  firstVisit: Timestamp.nullable(),
  lastVisit: Timestamp.nullable(),
}).openapi("MemberStatistics");

/** Balances, key line total and statistics, as the admin API and the POS lookup add them. */
export const FigureFields = {
  balances: z.object({ points: Points("the points balance") }),
  keyLineTotal: Points(
    "the sum of the customer's points entries whose reference matches " +
      "keyLineTotalReferenceMatch; only when showKeyLineTotal is on",
  ).optional(),
  statistics: StatisticsSchema,
};

export const statisticsJson = (s: MemberStatistics) => ({
  visits: s.visits,
  salesCount: s.salesCount,
  spend: s.spend,
  firstVisit: s.firstVisit ? isoTime(s.firstVisit) : null,
  lastVisit: s.lastVisit ? isoTime(s.lastVisit) : null,
});

export const figuresJson = (f: CustomerFigures) => ({
  balances: { points: hundredthsToNumber(f.points) },
  ...(f.keyLineTotal === null ? {} : { keyLineTotal: hundredthsToNumber(f.keyLineTotal) }),
  statistics: statisticsJson(f.statistics),
});

/** The POS's customer: the lookup's, with balances, key line total and statistics. */
export const PosCustomerSchema = CustomerSchema.extend(FigureFields).openapi("LookedUpCustomer");

export const posCustomerJson = (
  d: CustomerDetail,
  figures: CustomerFigures,
  settings: LoyaltySettings,
) => ({ ...customerJson(d, settings), ...figuresJson(figures) });

export const CustomerProfileSchema = CustomerDetailSchema.extend(FigureFields)
  .openapi("CustomerProfile");

export const profileJson = (
  d: CustomerDetail,
  figures: CustomerFigures,
  settings: LoyaltySettings,
) => ({ ...detailJson(d, settings), ...figuresJson(figures) });

export const StatementLineSchema = z.object({
  id: z.string().openapi({ description: "the entry's id" }),
  at: Timestamp,
  storeNumber: z.number().int().nullable(),
  posNumber: z.number().int().nullable(),
  receiptNumber: z.string().nullable(),
  reference: z.string().openapi({ description: "the entry's reference (an earning rule's)" }),
  transactionReference: z.string().openapi({
    description: "why value moved: SALE, RETURN, ADJUST, …",
  }),
  ruleId: z.string().nullable(),
  points: Points("signed"),
  balance: Points("the running balance after this entry"),
  actor: z.string(),
  reason: z.string().nullable(),
}).openapi("StatementLine");

export const StatementSchema = z.object({
  items: z.array(StatementLineSchema),
  nextCursor: z.string().nullable(),
  keyLineTotal: Points("the key line total now; only when the programme shows it").optional(),
}).openapi("PointsStatement");

/** A page of the statement: its lines, the cursor of the older page, the key line total. */
export const statementJson = (
  lines: StatementLine[],
  next: number | null,
  keyLineTotal: number | null,
) => ({
  items: lines.map(statementLineJson),
  nextCursor: next === null ? null : encodeCursor([String(next)]),
  ...keyLineTotal === null ? {} : { keyLineTotal: hundredthsToNumber(keyLineTotal) },
});

const statementLineJson = (l: StatementLine) => ({
  id: String(l.entryId),
  at: isoTime(l.at),
  storeNumber: l.storeNumber,
  posNumber: l.posNumber,
  receiptNumber: l.receiptNumber,
  reference: l.reference,
  transactionReference: l.transactionReference,
  ruleId: l.ruleId,
  points: hundredthsToNumber(l.amount),
  balance: hundredthsToNumber(l.balance),
  actor: l.actor,
  reason: l.reason,
});

export const CustomerSaleSchema = z.object({
  id: z.string(),
  kind: z.enum(["sale", "return"]),
  receiptNumber: z.string(),
  at: Timestamp,
  store: z.object({ number: z.number().int(), name: z.string() }),
  posNumber: z.number().int(),
  currency: z.string(),
  total: MinorUnits.openapi({ description: "in `currency`" }),
  points: Points("earned by a sale, taken back by a return"),
}).openapi("CustomerSale");

export const customerSaleJson = (s: CustomerSale) => ({
  id: s.id,
  kind: s.kind,
  receiptNumber: s.receiptNumber,
  at: isoTime(s.at),
  store: { number: s.storeNumber, name: s.storeName },
  posNumber: s.posNumber,
  currency: s.currency,
  total: s.total,
  points: hundredthsToNumber(s.points),
});

// `.meta`, not `.openapi`: the service builds this schema with plain zod.
export const NewAdjustment = AdjustmentSchema.meta({ id: "NewAdjustment" });

export const AdjustmentAnswerSchema = z.object({
  transactionId: z.string(),
  points: Points("the adjustment, signed"),
  balance: Points("the balance after it"),
  at: Timestamp,
  reason: z.string(),
}).openapi("Adjustment");

export const adjustedJson = (a: Adjusted) => ({
  transactionId: a.transactionId,
  points: hundredthsToNumber(a.points),
  balance: hundredthsToNumber(a.balance),
  at: isoTime(a.at),
  reason: a.reason,
});
