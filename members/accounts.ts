import { z } from "zod";
import type { Db } from "../db/connection.ts";
import { notFound, ProblemError } from "../errors/problem.ts";
import type { Selectable } from "kysely";
import type { AccountTable } from "../db/schema.ts";
import type { LoyaltySettings } from "../programme/settings_schema.ts";
import { inTransaction } from "../db/transaction.ts";
import { type AuditActor, recordAudit } from "../audit/log.ts";

export type Account = Selectable<AccountTable>;

/** The customer an account is for: its id and organization. */
export interface AccountHolder {
  id: string;
  org_id: string;
}

/** Account type codes (POINTS, MEMCR, …) compare like every code: trimmed, upper-cased. */
export const AccountTypeSchema = z.string().trim().toUpperCase()
  .min(1, "must not be empty").max(20, "at most 20 characters");

export const NewAccountSchema = z.object({
  type: AccountTypeSchema.optional().describe("the programme's default account type when absent"),
}).strict();

/**
 * Adds an account, refusing it when the customer already holds `max` accounts (0 =
 * unlimited). The count is only safe while the caller holds the customer row locked (or has
 * just created the customer in this transaction).
 */
async function insertAccount(
  tx: Db,
  customer: AccountHolder,
  type: string,
  max: number,
): Promise<Account> {
  if (max > 0) {
    const { n } = await tx.selectFrom("accounts").select((eb) => eb.fn.countAll<string>().as("n"))
      .where("customer_id", "=", customer.id).where("org_id", "=", customer.org_id)
      .executeTakeFirstOrThrow();
    if (Number(n) >= max) {
      throw new ProblemError(409, "max-accounts", "The customer has the most accounts allowed", {
        detail: `this programme allows ${max} account(s) per customer`,
        errors: [{ field: "type", message: `the customer already has ${n} account(s)` }],
      });
    }
  }
  return await tx.insertInto("accounts")
    .values({ org_id: customer.org_id, customer_id: customer.id, type })
    .returningAll().executeTakeFirstOrThrow();
}

/**
 * Opens an account for an existing customer: of `type`, or of the default account type, within
 * max accounts per customer. The customer row is locked before counting, so concurrent
 * openings queue and the limit holds.
 */
export async function openAccount(
  db: Db,
  customer: AccountHolder,
  type: string | undefined,
  settings: LoyaltySettings,
  actor: AuditActor,
): Promise<Account> {
  return await inTransaction(db, async (tx) => {
    const locked = await tx.selectFrom("customers").select(["id", "number", "name"])
      .where("id", "=", customer.id).where("org_id", "=", customer.org_id)
      .forUpdate().executeTakeFirst();
    if (!locked) throw notFound("customer");
    const account = await insertAccount(
      tx,
      customer,
      type ?? settings.defaultAccountType,
      settings.maxAccountsPerCustomer,
    );
    await recordAudit(tx, {
      orgId: customer.org_id,
      entity: "customer",
      entityId: customer.id,
      label: `${locked.name} (${locked.number})`,
      action: "open-account",
      actor,
      before: null,
      after: { accountType: account.type },
    });
    return account;
  });
}
