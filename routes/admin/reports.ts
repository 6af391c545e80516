import { createRoute, z } from "@hono/zod-openapi";
import { authorized } from "../../auth/authorize.ts";
import { adminAuth } from "../../auth/middleware.ts";
import { IdParam, newRouter, problems } from "../../http/openapi.ts";
import { parseFilters, reportScope } from "../../reports/filters.ts";
import { reportContext, runReport } from "../../reports/report.ts";
import {
  reportJson,
  ReportNameParam,
  ReportQuery,
  ReportSchema,
} from "../../reports/reports_json.ts";
import { csvFileName, tableCsv } from "../../reports/tables.ts";

const V1 = "/api/admin/v1";

export const adminReports = newRouter().openapi(
  createRoute({
    method: "get",
    path: `${V1}/merchant-groups/{id}/reports/{name}`,
    tags: ["Reports"],
    summary: "A report of the group's figures, as JSON or as the console's CSV",
    description: "Read from the sales and the ledger (never from the statistics counters), for " +
      "the trading days `from` to `to` on the stores' clocks (the last 30 days by default), " +
      "optionally one store and one customer type. Points are numbers with two decimals, money " +
      "integer minor units of `currency`. `?format=csv` answers the report's table instead, " +
      "the one under its chart on the console's Reports page. The store filter does not apply " +
      "to `liability` (a balance belongs to no store); the category filter applies to its " +
      "points. Readable by every role that reads the programme (programme:read).",
    ...adminAuth,
    request: {
      params: IdParam.extend(ReportNameParam.pick({ name: true }).shape),
      query: ReportQuery,
    },
    responses: {
      200: {
        description: "The report",
        content: {
          "application/json": { schema: ReportSchema },
          "text/csv": { schema: z.string().openapi({ description: "RFC 4180, a header line" }) },
        },
      },
      ...problems,
    },
  }),
  async (c) => {
    const { name } = c.req.valid("param");
    const { format, ...input } = c.req.valid("query");
    const group = await authorized(c, "merchant group", "programme:read");
    const { db } = c.get("deps");
    const scope = await reportScope(db, group);
    const filters = parseFilters(scope, input);
    const report = await runReport(db, await reportContext(db, scope), name, filters);
    if (format === "csv") {
      return c.body(tableCsv(report.table), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${csvFileName(group.name, name, filters)}"`,
        "Cache-Control": "no-store",
      });
    }
    return c.json(reportJson(report), 200);
  },
);
