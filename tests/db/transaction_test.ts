import assert from "node:assert/strict";
import { inTransaction } from "../../db/transaction.ts";
import { openAccount } from "../../members/accounts.ts";
import { createCustomer } from "../../members/customers.ts";
import { createGroup } from "../../programme/groups.ts";
import { getSettings, saveSettings } from "../../programme/settings.ts";
import { createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { buildWorld } from "../helpers/world.ts";

const t = await createTestApp();
const w = await buildWorld(t, { member: null });
const count = async (table: "customers" | "accounts" | "merchant_groups" | "audit_log") =>
  Number(
    (await t.db.selectFrom(table).select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow()).n,
  );

Deno.test(`a unit of work that calls several services and then throws leaves nothing behind (${testBackend})`, async () => {
  const before = {
    customers: await count("customers"),
    accounts: await count("accounts"),
    groups: await count("merchant_groups"),
    audit: await count("audit_log"),
  };
  await assert.rejects(
    inTransaction(t.db, async (tx) => {
      const group = await createGroup(tx, { orgId: w.org.id, name: "Doomed", actor: w.owner });
      const { settings } = await getSettings(tx, group);
      await saveSettings(tx, group, {
        version: 1,
        settings: { ...settings, roundingRule: "up" },
      }, w.owner);
      const made = await createCustomer(
        tx,
        w.group,
        { name: "Ghost", categories: ["GOLD"] },
        settings,
      );
      await openAccount(tx, made.customer, "POINTS", settings, w.owner);
      throw new Error("the sale failed after all of this");
    }),
    /the sale failed/,
  );
  assert.deepEqual({
    customers: await count("customers"),
    accounts: await count("accounts"),
    groups: await count("merchant_groups"),
    audit: await count("audit_log"),
  }, before);
});

Deno.test(`the same services commit together when the unit of work succeeds (${testBackend})`, async () => {
  const made = await inTransaction(t.db, async (tx) => {
    const c = await createCustomer(tx, w.group, { name: "Kept", categories: ["GOLD"] }, w.settings);
    await openAccount(tx, c.customer, "POINTS", w.settings, w.owner);
    return c;
  });
  const accounts = await t.db.selectFrom("accounts").select("type")
    .where("customer_id", "=", made.customer.id).orderBy("type").execute();
  assert.deepEqual(accounts.map((a) => a.type), [w.settings.defaultAccountType, "POINTS"].sort());
});

Deno.test("close", () => t.close());
