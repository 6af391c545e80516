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
import { getSettings } from "../../programme/settings.ts";
import {
  accountJson,
  AccountSchema,
  CustomerDetailSchema,
  CustomerSummarySchema,
  detailJson,
  fieldsJson,
  NewCustomer,
} from "../../members/customer_json.ts";

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
      const detail = await createCustomer(db, group, c.req.valid("json"), settings);
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
      path: `${V1}/customers/{id}`,
      tags,
      summary: "A customer with accounts and loyalty cards",
      ...adminAuth,
      request: { params: IdParam },
      responses: { 200: jsonResponse(CustomerDetailSchema, "The customer"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { customer, group } = await authorizedCustomer(c, "programme:read");
      const settings = (await getSettings(db, group)).settings;
      return c.json(detailJson(await customerDetail(db, customer), settings), 200);
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
      const account = await openAccount(db, customer, c.req.valid("json").type, settings);
      return c.json(accountJson(account), 201);
    },
  );
