import { createRoute, z } from "@hono/zod-openapi";
import { authorizeOrg } from "../../auth/access.ts";
import type { Permission } from "../../auth/roles.ts";
import type { Db } from "../../db/connection.ts";
import {
  adminAuth,
  IdParam,
  jsonBody,
  jsonResponse,
  newRouter,
  problems,
} from "../../http/openapi.ts";
import { decodeCursor, page, pageOf, PageQuery } from "../../http/pagination.ts";
import { notFound } from "../../errors/problem.ts";
import { NewAccountSchema, openAccount } from "../../members/accounts.ts";
import {
  type Account,
  createCustomer,
  type Customer,
  type CustomerDetail,
  customerDetail,
  getCustomer,
  namedCategories,
  NewCustomerSchema,
  searchCustomers,
  statusOf,
} from "../../members/customers.ts";
import { authorizeGroup, getGroup } from "../../programme/groups.ts";
import { getSettings } from "../../programme/settings.ts";
import type { LoyaltySettings } from "../../programme/settings_schema.ts";
import type { StaffUser } from "../../staff/users.ts";

const V1 = "/api/admin/v1";
const tags = ["Customers"];
const Timestamp = z.string().openapi({ format: "date-time" });
const iso = (d: Date) => new Date(d).toISOString();

// `.meta`, not `.openapi`: the service builds these schemas with plain zod.
export const NewCustomer = NewCustomerSchema.meta({ id: "NewCustomer" });

export const AccountSchema = z.object({
  id: z.string(),
  type: z.string().openapi({ example: "MEMCR" }),
  createdAt: Timestamp,
}).openapi("Account");

const CategorySchema = z.object({
  code: z.string().nullable().openapi({ description: "null when this category is not set" }),
  name: z.string().openapi({ description: "the category's display name (settings)" }),
});

const CustomerFields = {
  id: z.string(),
  number: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable().openapi({ description: "digits, with the leading + if given" }),
  categories: z.array(CategorySchema).openapi({
    description: "entry i is category i + 1 (category 1 is the customer type)",
  }),
  member: z.boolean().openapi({ description: "category 1 is not a non-loyalty code" }),
  staff: z.boolean().openapi({ description: "category 1 is a staff loyalty code" }),
};

/** What the POS sees of a customer (and the console, with a few more fields). */
export const CustomerSchema = z.object({
  ...CustomerFields,
  cards: z.array(z.object({
    number: z.string(),
    status: z.enum(["inactive", "active", "blocked", "expired", "void"]),
  })),
  accounts: z.array(AccountSchema),
}).openapi("Customer");

const CustomerDetailSchema = CustomerSchema.extend({
  merchantGroupId: z.string(),
  homeStoreNumber: z.number().int().nullable(),
  createdAt: Timestamp,
}).openapi("CustomerDetail");

const CustomerSummarySchema = z.object({ ...CustomerFields, createdAt: Timestamp })
  .openapi("CustomerSummary");

export const accountJson = (a: Account) => ({
  id: a.id,
  type: a.type,
  createdAt: iso(a.created_at),
});

const fieldsJson = (c: Customer, settings: LoyaltySettings) => ({
  id: c.id,
  number: c.number,
  name: c.name,
  email: c.email,
  phone: c.phone,
  categories: namedCategories(c, settings),
  ...statusOf(c, settings),
});

export const customerJson = (d: CustomerDetail, settings: LoyaltySettings) => ({
  ...fieldsJson(d.customer, settings),
  cards: d.cards.map((card) => ({ number: card.number, status: card.status })),
  accounts: d.accounts.map(accountJson),
});

const detailJson = (d: CustomerDetail, settings: LoyaltySettings) => ({
  ...customerJson(d, settings),
  merchantGroupId: d.customer.group_id,
  homeStoreNumber: d.homeStoreNumber,
  createdAt: iso(d.customer.created_at),
});

const SearchQuery = PageQuery.extend({
  q: z.string().max(200, "at most 200 characters").optional().openapi({
    param: { name: "q", in: "query" },
    description: "customer number, card number, email or phone (exact; email in any case), " +
      "or the start of the name (any case)",
  }),
});

/** The customer behind a customer id, authorized on its organization (404 otherwise). */
async function authorizedCustomer(db: Db, staff: StaffUser, id: string, permission: Permission) {
  const customer = await getCustomer(db, id);
  if (!customer) throw notFound("customer");
  await authorizeOrg(db, staff, customer.org_id, permission, "customer");
  const group = (await getGroup(db, customer.group_id))!;
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
      const { db } = c.var.deps;
      const group = await authorizeGroup(
        db,
        c.var.staff!,
        c.req.valid("param").id,
        "customers:manage",
      );
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
      const { db } = c.var.deps;
      const group = await authorizeGroup(
        db,
        c.var.staff!,
        c.req.valid("param").id,
        "programme:read",
      );
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
          createdAt: iso(r.created_at),
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
      const { db } = c.var.deps;
      const { customer, group } = await authorizedCustomer(
        db,
        c.var.staff!,
        c.req.valid("param").id,
        "programme:read",
      );
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
      const { db } = c.var.deps;
      const { customer, group } = await authorizedCustomer(
        db,
        c.var.staff!,
        c.req.valid("param").id,
        "customers:manage",
      );
      const settings = (await getSettings(db, group)).settings;
      const account = await openAccount(db, customer, c.req.valid("json").type, settings);
      return c.json(accountJson(account), 201);
    },
  );
