/**
 * Staff's changes to a customer's contact details and categories from the console: only the
 * fields sent change, validated as a new customer's are; one audit entry with the fields that
 * changed (none when nothing did).
 */
import { z } from "zod";
import { recordAudit } from "../audit/log.ts";
import type { Db } from "../db/connection.ts";
import type { Json } from "../db/schema.ts";
import { inTransaction } from "../db/transaction.ts";
import { notFound } from "../errors/problem.ts";
import { staffMove, type StaffMoved } from "../instruments/activities.ts";
import type { StaffUser } from "../staff/users.ts";
import { canonicalPhone } from "../phones/canonical.ts";
import { groupTimeZone } from "../programme/merchants.ts";
import { CategoryCode, type Customer, Email, NewCustomerSchema, Phone } from "./customers.ts";

export const CustomerChangeSchema = z.object({
  name: NewCustomerSchema.shape.name.optional(),
  email: Email.nullable().optional().describe("null clears it"),
  phone: Phone.nullable().optional().describe("null clears it"),
  categories: z.array(CategoryCode.nullable())
    .min(1, "category 1 (the customer type) is required").max(5, "at most 5 categories")
    .refine((c) => !!c[0], { message: "category 1 (the customer type) is required", path: [0] })
    .optional()
    .describe("all five at once: category codes 1–5; category 1 is the customer type"),
}).strict();

export type CustomerChange = z.output<typeof CustomerChangeSchema>;

/** The zone a customer's phone is read in: their home store's, else the programme's. */
async function customerZone(db: Db, customer: Customer): Promise<string> {
  const home = customer.home_store_id
    ? await db.selectFrom("stores").select("timezone")
      .where("id", "=", customer.home_store_id).executeTakeFirst()
    : undefined;
  return home?.timezone ??
    await groupTimeZone(db, { id: customer.group_id, org_id: customer.org_id });
}

const FIELDS = ["name", "email", "phone", "categories"] as const;

/**
 * Applies `change` to the customer, its row locked so two edits queue; answers the customer as
 * it is now and whether anything changed.
 */
export async function updateCustomer(
  db: Db,
  customer: Pick<Customer, "id" | "org_id">,
  change: CustomerChange,
  actor: Pick<StaffUser, "id" | "email">,
): Promise<{ customer: Customer; changed: boolean }> {
  return await inTransaction(db, async (tx) => {
    const current = await tx.selectFrom("customers").selectAll()
      .where("id", "=", customer.id).where("org_id", "=", customer.org_id)
      .forUpdate().executeTakeFirst();
    if (!current) throw notFound("customer");
    const next = { ...change };
    if (next.categories) {
      // Stored as at creation: codes, unset ones empty, no trailing empties.
      const codes = next.categories.map((c) => c ?? "");
      while (codes.length && !codes[codes.length - 1]) codes.pop();
      next.categories = codes;
    }
    if (next.phone) next.phone = canonicalPhone(next.phone, await customerZone(tx, current));
    const before: Record<string, Json> = {};
    const after: Record<string, Json> = {};
    for (const field of FIELDS) {
      const value = next[field];
      if (value === undefined) continue;
      if (JSON.stringify(value) === JSON.stringify(current[field])) continue;
      before[field] = current[field];
      after[field] = value;
    }
    if (!Object.keys(after).length) return { customer: current, changed: false };
    const updated = await tx.updateTable("customers")
      .set(after as Partial<Pick<Customer, (typeof FIELDS)[number]>>)
      .where("id", "=", current.id).where("org_id", "=", current.org_id)
      .returningAll().executeTakeFirstOrThrow();
    await recordAudit(tx, {
      orgId: current.org_id,
      entity: "customer",
      entityId: current.id,
      label: `${updated.name} (${updated.number})`,
      action: "update",
      actor,
      before,
      after,
    });
    return { customer: updated, changed: true };
  });
}

/**
 * Blocks one of the customer's loyalty cards from their profile: the staff move on the card
 * (history row with the reason, audit entry); 404 when the number is not a card of theirs.
 */
export async function blockCustomerCard(
  db: Db,
  customer: Pick<Customer, "id" | "org_id" | "group_id">,
  input: { number: string; reason: string },
  actor: Pick<StaffUser, "id" | "email">,
): Promise<StaffMoved> {
  const card = await db.selectFrom("instruments").select("id")
    .where("group_id", "=", customer.group_id).where("org_id", "=", customer.org_id)
    .where("customer_id", "=", customer.id).where("number", "=", input.number)
    .executeTakeFirst();
  if (!card) throw notFound("card");
  return await staffMove(db, card.id, { move: "block", reason: input.reason }, actor);
}
