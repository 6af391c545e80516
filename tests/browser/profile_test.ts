import assert from "node:assert/strict";
import type { Db } from "../../db/connection.ts";
import { idempotencyScope } from "../../auth/pos.ts";
import { getDraft, publishDraft, saveDraft } from "../../earning/rule_sets.ts";
import { createCustomer } from "../../members/customers.ts";
import { ProgrammeCache } from "../../programme/cache.ts";
import { createGroup } from "../../programme/groups.ts";
import { addMerchantToGroup, createMerchant } from "../../programme/merchants.ts";
import { getSettings, saveSettings } from "../../programme/settings.ts";
import { createOrganization } from "../../registry/organizations.ts";
import { createPos } from "../../registry/pos.ts";
import { createSite } from "../../registry/sites.ts";
import { createStore } from "../../registry/stores.ts";
import { recordSale } from "../../sales/sale.ts";
import { SaleRequestSchema } from "../../sales/sale_json.ts";
import { createOwner } from "../../staff/users.ts";
import { memberRule } from "../helpers/world.ts";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  signIn,
  skipBrowserTest,
  type Steps,
  waitForText,
  withBrowserApp,
} from "./harness.ts";

const RECEIPT = "R-0042";

/**
 * The programme the test starts from, written through the services before the server starts:
 * the owner, a store with a POS, a programme showing the key line total with its rules
 * published (1 point per unit, and 0.1 per unit under reference ONBO), a member and one sale of
 * 42.50 of theirs, recorded by the sale service the POS endpoint calls: 42.50 + 4.25 points.
 */
async function seed(db: Db) {
  const owner = (await createOwner(db, {
    email: ADMIN_EMAIL,
    name: "Olivia Owner",
    password: ADMIN_PASSWORD,
  }))!;
  const org = await createOrganization(db, "Acme Retail", owner);
  const site = await createSite(db, org.id, "Paris", owner);
  const store = await createStore(db, site, {
    number: 1,
    name: "Opéra",
    timezone: "Europe/Paris",
  }, owner);
  const pos = await createPos(db, store, { number: 1, name: "Till 1" }, owner);
  const group = await createGroup(db, { orgId: org.id, name: "Paris programme", actor: owner });
  const merchant = await createMerchant(db, {
    orgId: org.id,
    name: "Opéra shop",
    storeIds: [store.id],
    actor: owner,
  });
  await addMerchantToGroup(db, group, merchant, owner);
  const { settings: defaults } = await getSettings(db, group);
  const { settings } = await saveSettings(db, group, {
    version: 1,
    settings: { ...defaults, showKeyLineTotal: true, keyLineTotalReferenceMatch: "ONBO" },
  }, owner);
  const member = await createCustomer(db, group, {
    name: "Ada Lovelace",
    categories: ["GOLD"],
  }, settings);
  const { version } = await getDraft(db, group);
  const draft = await saveDraft(db, group, {
    version,
    rules: [
      memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }, {
        name: "One point per euro",
      }),
      memberRule("onbo", { type: "basic-points", params: { pointsPerUnit: 0.1 } }, {
        name: "Points on board",
        priority: 5,
        reference: "ONBO",
      }),
    ],
  }, owner);
  await publishDraft(db, group, { draftVersion: draft.version }, owner);
  // The context as routes/pos/sales.ts assembles it for a call with this POS's device token.
  const sale = await recordSale(
    db,
    {
      programmes: new ProgrammeCache(db),
      programme: { group, settings },
      till: {
        storeNumber: store.number,
        posNumber: pos.number,
        timezone: store.timezone,
        storeId: store.id,
        posId: pos.id,
      },
      idempotency: {
        scope: idempotencyScope({ kind: "pos", jti: "seed", org: org.id, pos: pos.id }),
        key: "seed-sale-1",
      },
    },
    SaleRequestSchema.parse({
      currency: "EUR",
      at: new Date().toISOString(),
      receiptNumber: RECEIPT,
      customer: { number: member.customer.number },
      lines: [{ sku: "BOOK1", category: "BOOKS", quantity: 1, unitPrice: 4250 }],
      tenders: [{ type: "CARD", amount: 4250 }],
    }),
  );
  assert.equal(JSON.parse(sale.text).points, 46.75);
}

Deno.test({
  name: "member profile in a real browser: find, see the sale, adjust with a reason",
  ignore: skipBrowserTest,
  fn: (t) =>
    withBrowserApp(t, { seed }, async (app) => {
      const { baseUrl: base, page, pageErrors } = app;
      const figure = (name: string) => page.locator(`[data-figure="${name}"]`);
      const statement = page.locator("#statement");

      const steps: Steps = [
        ["the owner signs in", async () => {
          await signIn(page, { baseUrl: base });
        }],
        ["find the member on the customers page by her surname", async () => {
          await page.goto(`${base}/console/customers`);
          await page.getByLabel("Find a customer").fill("Lovelace");
          await Promise.all([
            page.waitForURL((u) => u.searchParams.get("q") === "Lovelace"),
            page.getByLabel("Find a customer").press("Enter"),
          ]);
          const hit = page.getByRole("row", { name: /Ada Lovelace/ });
          await Promise.all([
            page.waitForURL((u) => /^\/console\/customers\/[0-9a-f-]{36}$/.test(u.pathname)),
            hit.getByRole("link").click(),
          ]);
          assert.equal((await page.locator("h1").textContent())?.trim(), "Ada Lovelace");
        }],
        ["the profile shows the balance, key line total, statistics and the sale", async () => {
          await waitForText(figure("points"), "46.75");
          await waitForText(figure("key-line-total"), "4.25");
          assert.equal(
            await page.getByText(/Key line total/).count(),
            1,
            "the key line total is shown once",
          );
          await page.getByRole("rowheader", { name: "Key line total (ONBO)" }).waitFor();
          await waitForText(figure("visits"), "1");
          await waitForText(figure("spend"), "42.50 EUR");
          // Rules by name, not id; dates on the store's clock (Paris) with the offset.
          const saleLine = statement.getByRole("row", { name: /One point per euro/ });
          assert.match(
            (await saleLine.getByRole("cell").first().textContent()) ?? "",
            /^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC\+0[12]:00$/,
          );
          await saleLine.getByRole("cell", { name: RECEIPT, exact: true }).waitFor();
          await saleLine.getByRole("cell", { name: "+42.50", exact: true }).waitFor();
          const keyLine = statement.getByRole("row", { name: /Points on board/ });
          await keyLine.getByRole("cell", { name: RECEIPT, exact: true }).waitFor();
          await keyLine.getByRole("cell", { name: "+4.25", exact: true }).waitFor();
          await page.getByRole("region", { name: "Sales and returns" })
            .getByRole("cell", { name: RECEIPT, exact: true }).waitFor();
        }],
        ["an adjustment without a reason is refused at the field", async () => {
          const form = page.getByRole("form", { name: "Adjust points" });
          await form.getByLabel("Points").fill("-7.5");
          // Without the browser's own check, to see the server's answer at the field.
          await form.evaluate((f) => (f as HTMLFormElement).noValidate = true);
          await Promise.all([
            page.waitForLoadState("domcontentloaded"),
            form.getByRole("button", { name: "Adjust points" }).click(),
          ]);
          const reason = page.getByRole("form", { name: "Adjust points" }).getByLabel("Reason");
          await page.locator("#reason-error").waitFor();
          assert.equal(await reason.getAttribute("aria-invalid"), "true");
          assert.equal(
            (await page.locator("#reason-error").textContent())?.trim(),
            "a reason is required",
          );
          assert.equal(
            await page.getByRole("form", { name: "Adjust points" }).getByLabel("Points")
              .inputValue(),
            "-7.5",
          );
        }],
        ["an adjustment with a reason lands on the statement with the new balance", async () => {
          const form = page.getByRole("form", { name: "Adjust points" });
          await form.getByLabel("Reason").fill("damaged voucher");
          await Promise.all([
            page.waitForURL((u) => u.hash === "#statement" && !u.pathname.endsWith("adjustments")),
            form.getByRole("button", { name: "Adjust points" }).click(),
          ]);
          await waitForText(figure("points"), "39.25");
          const line = statement.getByRole("row", { name: /damaged voucher/ });
          const heads = await statement.getByRole("columnheader").allTextContents();
          const cells = await line.getByRole("cell").allTextContents();
          assert.equal(cells[heads.indexOf("Reason")], "damaged voucher", "a column of its own");
          assert.equal(cells[heads.indexOf("Reference")], "ADJUST");
          await line.getByRole("cell", { name: "−7.50", exact: true }).waitFor();
          await line.getByRole("cell", { name: "39.25", exact: true }).waitFor();
          await line.getByRole("cell", { name: ADMIN_EMAIL, exact: true }).waitFor();
          assert.deepEqual(pageErrors, []);
        }],
      ];
      await app.runSteps(steps);
    }),
});
