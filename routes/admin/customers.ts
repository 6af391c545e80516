import { createRoute, z } from "@hono/zod-openapi";
import { authorized } from "../../auth/authorize.ts";
import type { Context } from "hono";
import type { AppEnv } from "../../http/env.ts";
import type { Permission } from "../../auth/roles.ts";
import {
  IdParam,
  isoTime,
  jsonBody,
  jsonResponse,
  newRouter,
  problems,
} from "../../http/openapi.ts";
import { adminAuth } from "../../auth/middleware.ts";
import { decodeCursor, page, pageOf, PageQuery } from "../../http/pagination.ts";
import { NewAccountSchema, openAccount } from "../../members/accounts.ts";
import { createCustomer, customerDetail, searchCustomers } from "../../members/customers.ts";
import { getGroup } from "../../programme/groups.ts";
import { idempotent } from "../../db/idempotency.ts";
import { optionalIdempotencyKey } from "../../http/idempotency_key.ts";
import {
  adjustPoints,
  customerFigures,
  customerSales,
  statementBefore,
  statementPage,
} from "../../members/profile.ts";
import {
  adjustedJson,
  AdjustmentAnswerSchema,
  CustomerProfileSchema,
  customerSaleJson,
  CustomerSaleSchema,
  NewAdjustment,
  profileJson,
  statementJson,
  StatementSchema,
} from "../../members/profile_json.ts";
import { getSettings } from "../../programme/settings.ts";
import { exportHeaders, exportMembers, MemberExportFilterSchema } from "../../members/export.ts";
import {
  accountJson,
  AccountSchema,
  CustomerChange,
  CustomerDetailSchema,
  CustomerSummarySchema,
  detailJson,
  fieldsJson,
  NewCustomer,
} from "../../members/customer_json.ts";
import { updateCustomer } from "../../members/customer_update.ts";

const V1 = "/api/admin/v1";
const tags = ["Customers"];
const SearchQuery = PageQuery.extend({
  q: z.string().max(200, "at most 200 characters").optional().openapi({
    param: { name: "q", in: "query" },
    description: "customer number or card number (exact); any word of the name from its " +
      'start ("smi" finds "Anna Smith"); any part of the email; or a phone number however ' +
      "written, compared by digits: with at least 6 digits after leading zeros, a stored " +
      'number ending with them matches ("0412 345 678" finds "+61412345678"). Any case; ' +
      "% and _ are taken literally.",
  }),
});

/** The customer behind a customer id, authorized on its organization, with its group. */
async function authorizedCustomer(c: Context<AppEnv>, permission: Permission) {
  const customer = await authorized(c, "customer", permission);
  const group = (await getGroup(c.get("deps").db, customer.group_id))!;
  return { customer, group };
}

export const adminCustomers = newRouter()
  .openapi(
    createRoute({
      method: "post",
      path: `${V1}/merchant-groups/{id}/customers`,
      tags,
      summary: "Create a customer (with the automatic card and the default account)",
      description: "Without a number, a random 16-digit number with a Luhn check digit is " +
        "generated. With the setting generateAutomaticCustomerCard on, an active loyalty card " +
        "with the customer's number is issued in the group's loyalty-card series without prefix " +
        '(created as "Customer cards" when missing). One account of defaultAccountType is ' +
        "opened.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(NewCustomer) },
      responses: { 201: jsonResponse(CustomerDetailSchema, "Created"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "customers:manage");
      const settings = (await getSettings(db, group)).settings;
      const detail = await createCustomer(
        db,
        group,
        c.req.valid("json"),
        settings,
        c.get("staff")!,
      );
      return c.json(detailJson(detail, settings), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/merchant-groups/{id}/customers`,
      tags,
      summary: "Search the group's customers",
      description: "Ordered by lower-cased name (byte order), then id. Without q, every " +
        "customer of the group.",
      ...adminAuth,
      request: { params: IdParam, query: SearchQuery },
      responses: {
        200: jsonResponse(pageOf(CustomerSummarySchema), "A page of customers"),
        ...problems,
      },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "programme:read");
      const { q, limit, cursor } = c.req.valid("query");
      const settings = (await getSettings(db, group)).settings;
      const rows = await searchCustomers(db, group, {
        q,
        limit: limit + 1,
        after: decodeCursor(cursor, ["text", "id"]) as [string, string] | undefined,
      });
      const result = page(rows, limit, (r) => [r.sort_key, r.id]);
      return c.json({
        items: result.items.map((r) => ({
          ...fieldsJson(r, settings),
          createdAt: isoTime(r.created_at),
        })),
        nextCursor: result.nextCursor,
      }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/merchant-groups/{id}/members.csv`,
      tags,
      summary: "Export the group's members as CSV",
      description: "Streamed as it is read, a page of customers at a time, in customer number " +
        "order. UTF-8 with a byte-order mark, RFC 4180 (CRLF, fields quoted when they must " +
        "be), a header line. Columns: Customer number, Card numbers (the loyalty cards, " +
        "space-separated), Name, Email, Phone, Category 1–5 (codes; each header carries the " +
        "category's name from categoryNames), Home store (number), Points balance and Key line " +
        "total (points with two decimals; the key line total is empty unless showKeyLineTotal " +
        "is on), Visits, Sales, Spend (minor units of the sales' currency), First visit, Last " +
        "visit, Created (ISO 8601, UTC). With the setting exportCustomersRequiresLocation on, " +
        "homeStoreNumber is required (422 validation on homeStoreNumber without it). Each " +
        "export writes one audit entry (entity merchant-group, action export-members: the " +
        "filter, the rows written and whether the export completed) when the stream ends, " +
        "also when the client stops reading. Roles: admin and marketing.",
      ...adminAuth,
      request: { params: IdParam, query: MemberExportFilterSchema },
      responses: {
        200: {
          description: "RFC 4180 CSV with a header line",
          content: { "text/csv": { schema: z.string() } },
        },
        ...problems,
      },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "customers:export");
      const settings = (await getSettings(db, group)).settings;
      const csv = await exportMembers(db, group, settings, c.req.valid("query"), c.get("staff")!);
      return c.body(csv, 200, exportHeaders(group));
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/customers/{id}`,
      tags,
      summary: "A customer with accounts, loyalty cards, balances and statistics",
      description: "balances and keyLineTotal come from the ledger (keyLineTotal only with " +
        "the setting showKeyLineTotal on: the sum of the customer's points entries whose " +
        "reference is keyLineTotalReferenceMatch); statistics are seed 004's member statistics.",
      ...adminAuth,
      request: { params: IdParam },
      responses: { 200: jsonResponse(CustomerProfileSchema, "The customer"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { customer, group } = await authorizedCustomer(c, "programme:read");
      const settings = (await getSettings(db, group)).settings;
      const [detail, figures] = await Promise.all([
        customerDetail(db, customer),
        customerFigures(db, customer, settings),
      ]);
      return c.json(profileJson(detail, figures, settings), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: `${V1}/customers/{id}`,
      tags,
      summary: "Change a customer's name, email, phone or categories",
      description: "Only the fields sent change, validated as a new customer's are (null " +
        "clears the email or phone; categories are sent whole, category 1 required). A " +
        "change writes one audit entry with the fields before and after; a body that changes " +
        "nothing writes none. The card is blocked with POST /instruments/{id}/block.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(CustomerChange) },
      responses: { 200: jsonResponse(CustomerDetailSchema, "The customer now"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { customer, group } = await authorizedCustomer(c, "customers:manage");
      const { customer: updated } = await updateCustomer(
        db,
        customer,
        c.req.valid("json"),
        c.get("staff")!,
      );
      const settings = (await getSettings(db, group)).settings;
      return c.json(detailJson(await customerDetail(db, updated), settings), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/customers/{id}/statement`,
      tags,
      summary: "The customer's points statement, newest first",
      description: "Every points entry with its date, store, POS and receipt (for a sale or a " +
        "return), reference, the transaction's reference, rule, who made it, the reason (an " +
        "adjustment's) and the running balance after it. With the setting showKeyLineTotal " +
        "on, `keyLineTotal` is the sum of the customer's entries whose reference is " +
        "keyLineTotalReferenceMatch.",
      ...adminAuth,
      request: { params: IdParam, query: PageQuery },
      responses: {
        200: jsonResponse(StatementSchema, "A page of the statement"),
        ...problems,
      },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { customer, group } = await authorizedCustomer(c, "programme:read");
      const { limit, cursor } = c.req.valid("query");
      const before = statementBefore(decodeCursor(cursor, ["text"]));
      const settings = (await getSettings(db, group)).settings;
      const [{ lines, next }, figures] = await Promise.all([
        statementPage(db, customer, { limit, before }),
        customerFigures(db, customer, settings),
      ]);
      return c.json(statementJson(lines, next, figures.keyLineTotal), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/customers/{id}/sales`,
      tags,
      summary: "The customer's sales and returns, newest first",
      ...adminAuth,
      request: { params: IdParam, query: PageQuery },
      responses: {
        200: jsonResponse(pageOf(CustomerSaleSchema), "A page of sales and returns"),
        ...problems,
      },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { customer } = await authorizedCustomer(c, "programme:read");
      const { limit, cursor } = c.req.valid("query");
      const after = decodeCursor(cursor, ["id"])?.[0];
      const rows = await customerSales(db, customer, { limit: limit + 1, after });
      const result = page(rows, limit, (s) => [s.id]);
      return c.json(
        { items: result.items.map(customerSaleJson), nextCursor: result.nextCursor },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${V1}/customers/{id}/adjustments`,
      tags,
      summary: "Adjust a customer's points by hand, with a reason",
      description: "Posts an ADJUST ledger transaction (the customer's points against the " +
        "programme's POINTS_ADJUSTED) with the reason and the staff member as actor, and " +
        "audits it. A negative adjustment may not take the balance below zero: 409 " +
        "insufficient-points. With an Idempotency-Key, a retry with the same key and body " +
        "answers the first response again (header Idempotent-Replayed: true) and moves " +
        "nothing; the same key with another body is a 422 idempotency-key-reused.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(NewAdjustment) },
      parameters: [{
        name: "Idempotency-Key",
        in: "header",
        required: false,
        schema: { type: "string", minLength: 1, maxLength: 100 },
        description: "Optional: identifies this adjustment, so a retry adjusts once",
      }],
      responses: { 201: jsonResponse(AdjustmentAnswerSchema, "Adjusted"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const input = c.req.valid("json");
      const key = optionalIdempotencyKey(c.req.header("Idempotency-Key"));
      const { customer } = await authorizedCustomer(c, "points:adjust");
      const staff = c.get("staff")!;
      const adjust = async (tx: typeof db) => ({
        status: 201,
        body: adjustedJson(await adjustPoints(tx, customer, input, staff)),
      });
      if (key === undefined) return c.json((await adjust(db)).body, 201);
      const answer = await idempotent(db, {
        orgId: customer.org_id,
        scope: `staff:${staff.id}`,
        key,
        fingerprint: {
          operation: `POST /api/admin/v1/customers/${customer.id}/adjustments`,
          body: input,
        },
      }, adjust);
      if (answer.replayed) c.header("Idempotent-Replayed", "true");
      return c.json(answer.body as ReturnType<typeof adjustedJson>, 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${V1}/customers/{id}/accounts`,
      tags,
      summary: "Open an account for a customer",
      description: "Without a type the account gets the programme's defaultAccountType. " +
        "maxAccountsPerCustomer (0 = unlimited) is enforced: 409 max-accounts beyond it.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(NewAccountSchema.meta({ id: "NewAccount" })) },
      responses: { 201: jsonResponse(AccountSchema, "Opened"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { customer, group } = await authorizedCustomer(c, "customers:manage");
      const settings = (await getSettings(db, group)).settings;
      const account = await openAccount(
        db,
        customer,
        c.req.valid("json").type,
        settings,
        c.get("staff")!,
      );
      return c.json(accountJson(account), 201);
    },
  );
