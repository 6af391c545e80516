import { z } from "@hono/zod-openapi";
import { isoTime, Timestamp } from "../http/openapi.ts";
import {
  type Customer,
  type CustomerDetail,
  namedCategories,
  NewCustomerSchema,
  statusOf,
} from "./customers.ts";
import { type Account } from "./accounts.ts";
import { CustomerChangeSchema } from "./customer_update.ts";
import type { LoyaltySettings } from "../programme/settings_schema.ts";

// `.meta`, not `.openapi`: the service builds these schemas with plain zod.
export const NewCustomer = NewCustomerSchema.meta({ id: "NewCustomer" });
export const CustomerChange = CustomerChangeSchema.meta({ id: "CustomerChange" });

export const AccountSchema = z.object({
  id: z.string(),
  type: z.string().openapi({ example: "MEMCR" }),
  createdAt: Timestamp,
}).openapi("Account");

export const CategorySchema = z.object({
  code: z.string().nullable().openapi({ description: "null when this category is not set" }),
  name: z.string().openapi({ description: "the category's display name (settings)" }),
});

export const CustomerFields = {
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

export const CustomerDetailSchema = CustomerSchema.extend({
  merchantGroupId: z.string(),
  homeStoreNumber: z.number().int().nullable(),
  createdAt: Timestamp,
}).openapi("CustomerDetail");

export const CustomerSummarySchema = z.object({ ...CustomerFields, createdAt: Timestamp })
  .openapi("CustomerSummary");

export const accountJson = (a: Account) => ({
  id: a.id,
  type: a.type,
  createdAt: isoTime(a.created_at),
});

export const fieldsJson = (c: Customer, settings: LoyaltySettings) => ({
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

export const detailJson = (d: CustomerDetail, settings: LoyaltySettings) => ({
  ...customerJson(d, settings),
  merchantGroupId: d.customer.group_id,
  homeStoreNumber: d.homeStoreNumber,
  createdAt: isoTime(d.customer.created_at),
});
