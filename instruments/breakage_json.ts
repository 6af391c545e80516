/** The API shapes of the breakage report. */
import { z } from "@hono/zod-openapi";
import { MinorUnits } from "../money/minor_units.ts";
import type { Period, SeriesBreakage } from "./breakage.ts";
import { INSTRUMENT_TYPES } from "./series.ts";

const Day = (name: "from" | "to", description: string) =>
  z.iso.date("a date such as 2026-01-31").optional().openapi({
    param: { name, in: "query" },
    description,
  });

export const BreakageQuery = z.object({
  from: Day("from", "the first day (UTC) of voids counted; from the first when absent"),
  to: Day("to", "the last day (UTC) of voids counted, included; up to now when absent"),
}).refine((q) => !q.from || !q.to || q.from <= q.to, {
  path: ["to"],
  message: "must not be before from",
});

export const BreakageReportSchema = z.object({
  from: z.string().nullable().openapi({ format: "date" }),
  to: z.string().nullable().openapi({ format: "date" }),
  series: z.array(z.object({
    seriesId: z.string(),
    name: z.string(),
    type: z.enum(INSTRUMENT_TYPES),
    currency: z.string().openapi({ description: "The currency of `writtenOff`" }),
    cards: z.number().int().openapi({ description: "Cards voided with a balance" }),
    writtenOff: MinorUnits.openapi({
      description: "What the voids wrote off (breakage), from the ledger",
    }),
  })).openapi({ description: "Every gift-card and store-credit series of the group, by name" }),
}).openapi("BreakageReport");

export const breakageReportJson = (period: Period, rows: SeriesBreakage[]) => ({
  from: period.from ?? null,
  to: period.to ?? null,
  series: rows,
});
