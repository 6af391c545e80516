/**
 * The console's confirmations, feedback and missing moves in a real browser (issue 20 item 5):
 * a gift card loaded and voided from its page (the void confirmed first), a customer's details
 * edited and card blocked from the profile, a sale opened from it, a large adjustment
 * confirmed with the balance before and after, staff removed after a confirmation, a settings
 * save that makes members non-members confirmed with the count, a store added to a merchant.
 */
import assert from "node:assert/strict";
import type { Db } from "../../db/connection.ts";
import { idempotencyScope } from "../../auth/pos.ts";
import { getDraft, publishDraft, saveDraft } from "../../earning/rule_sets.ts";
import { staffMove } from "../../instruments/activities.ts";
import { createSeries } from "../../instruments/series.ts";
import { createCustomer } from "../../members/customers.ts";
import { ProgrammeCache } from "../../programme/cache.ts";
import { getSettings, saveSettings } from "../../programme/settings.ts";
import { createPos } from "../../registry/pos.ts";
import { createStore } from "../../registry/stores.ts";
import { recordSale } from "../../sales/sale.ts";
import { SaleRequestSchema } from "../../sales/sale_json.ts";
import { inviteMember } from "../../staff/memberships.ts";
import { memberRule } from "../helpers/world.ts";
import {
  seedProgramme,
  signIn,
  skipBrowserTest,
  type Steps,
  waitFor,
  waitForHydration,
  waitForText,
  withBrowserApp,
} from "./harness.ts";

const GIFT_CARD = "7700000000000001";
const RECEIPT = "R-0077";

async function seed(db: Db) {
  const { owner, org, site, stores, group } = await seedProgramme(db, {
    stores: [{ number: 1, name: "Opéra", timezone: "Europe/Paris" }],
    merchantName: "Opéra shop",
  });
  // A store no merchant has yet: the merchants page adds it to "Opéra shop".
  await createStore(db, site, { number: 2, name: "Gare du Nord", timezone: "Europe/Paris" }, owner);
  const store = stores[0];
  const pos = await createPos(db, store, { number: 1, name: "Till 1" }, owner);
  const { settings: defaults } = await getSettings(db, group);
  const { settings } = await saveSettings(db, group, {
    version: 1,
    settings: { ...defaults, generateAutomaticCustomerCard: true },
  }, owner);
  const member = await createCustomer(db, group, {
    name: "Ada Lovelace",
    categories: ["GOLD"],
  }, settings);
  await createCustomer(db, group, { name: "Bob Brown", categories: ["SILVER"] }, settings);
  const { version } = await getDraft(db, group);
  const draft = await saveDraft(db, group, {
    version,
    rules: [{
      ...memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }),
      name: "Base points",
    }],
  }, owner);
  await publishDraft(db, group, { draftVersion: draft.version }, owner);
  await recordSale(
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
        key: "seed-sale",
      },
    },
    SaleRequestSchema.parse({
      currency: "EUR",
      at: new Date().toISOString(),
      receiptNumber: RECEIPT,
      customer: { number: member.customer.number },
      lines: [{ sku: "BOOK1", category: "BOOKS", quantity: 2, unitPrice: 1500 }],
      tenders: [{ type: "CARD", amount: 3000 }],
    }),
  );
  const series = await createSeries(db, group, {
    name: "Gift cards",
    type: "gift-card",
    prefix: "77",
    currency: "EUR",
    initialValue: 0,
    expiryDays: null,
  }, owner);
  const card = await db.insertInto("instruments").values({
    org_id: org.id,
    group_id: group.id,
    series_id: series.id,
    number: GIFT_CARD,
  }).returningAll().executeTakeFirstOrThrow();
  await staffMove(db, card.id, { move: "activate", reason: "sold", amount: 2000 }, owner);
  await inviteMember(db, {
    orgId: org.id,
    email: "sam@example.com",
    name: "Sam Support",
    role: "support",
    invitedBy: owner,
  });
}

Deno.test({
  name: "console details in a real browser: confirmations, feedback and the missing moves",
  ignore: skipBrowserTest,
  fn: (t) =>
    withBrowserApp(t, { seed }, async (app) => {
      const { baseUrl: base, page, pageErrors } = app;
      const flash = page.locator("p.flash[role=status]");
      const confirmStep = page.locator("section.confirm-step");
      /** Submits with `click` and waits for the page that answers the post. */
      const submit = async (click: () => Promise<void>) => {
        await Promise.all([page.waitForLoadState("domcontentloaded"), click()]);
      };

      const steps: Steps = [
        ["the owner signs in", async () => {
          await signIn(page, { baseUrl: base });
        }],
        ["load a gift card from its page: the flash says so, the balance shows it", async () => {
          await page.goto(`${base}/console/instruments?number=${GIFT_CARD}`);
          await Promise.all([
            page.waitForURL((u) => /^\/console\/instruments\/[0-9a-f-]{36}$/.test(u.pathname)),
            page.getByRole("link", { name: GIFT_CARD }).click(),
          ]);
          const form = page.getByRole("form", { name: "Load money" });
          await form.getByLabel("Amount (EUR)").fill("12.50");
          await form.getByLabel("Reason").fill("paid at the desk");
          await submit(() => form.getByRole("button", { name: "Load" }).click());
          await waitForText(flash, `Loaded €12.50 onto ${GIFT_CARD}: the balance is €32.50.`);
          await waitForText(page.locator('[data-figure="balance"]'), "€32.50");
        }],
        [
          "voiding asks first, with what is written off; Back leaves the card as it was",
          async () => {
            const moves = page.getByRole("form", { name: "Change the status" });
            await moves.getByLabel("Reason").fill("reported stolen");
            await submit(() => moves.getByRole("button", { name: "Void" }).click());
            await confirmStep.getByText("Its balance of €32.50 is written off as breakage.")
              .waitFor();
            assert.equal(
              await page.evaluate(() => document.activeElement?.id),
              "confirm-heading",
              "the focus is on the question",
            );
            await Promise.all([
              page.waitForLoadState("domcontentloaded"),
              confirmStep.getByRole("link", { name: "Back" }).click(),
            ]);
            await waitForText(page.locator('[data-figure="balance"]'), "€32.50");
            assert.equal(await confirmStep.count(), 0);
          },
        ],
        ["confirmed, the card is voided", async () => {
          const moves = page.getByRole("form", { name: "Change the status" });
          await moves.getByLabel("Reason").fill("reported stolen");
          await submit(() => moves.getByRole("button", { name: "Void" }).click());
          await submit(() =>
            confirmStep.getByRole("button", { name: `Void ${GIFT_CARD}` }).click()
          );
          await waitFor("the flash", async () => /voided/.test(await flash.textContent() ?? ""));
          assert.equal(await page.getByRole("form", { name: "Load money" }).count(), 0);
        }],
        ["edit the customer's details from the profile", async () => {
          await page.goto(`${base}/console/customers?q=Lovelace`);
          await Promise.all([
            page.waitForURL((u) => /^\/console\/customers\/[0-9a-f-]{36}$/.test(u.pathname)),
            page.getByRole("row", { name: /Ada Lovelace/ }).getByRole("link").click(),
          ]);
          const form = page.getByRole("form", { name: "Edit details" });
          await form.getByLabel("Name").fill("Ada King");
          await form.getByLabel("Email").fill("ada@example.com");
          await submit(() => form.getByRole("button", { name: "Save details" }).click());
          await waitForText(flash, "Details saved.");
          assert.equal((await page.locator("h1").textContent())?.trim(), "Ada King");
          await page.getByRole("cell", { name: "ada@example.com", exact: true }).waitFor();
        }],
        ["block her card from the profile", async () => {
          const cards = page.getByRole("region", { name: "Loyalty cards" });
          const block = cards.getByRole("form", { name: /^Block card / });
          await block.getByLabel("Reason").fill("lost in the metro");
          await submit(() => block.getByRole("button", { name: "Block card" }).click());
          await waitFor(
            "the flash",
            async () => /^Card \d+ blocked\.$/.test(await flash.textContent() ?? ""),
          );
          await page.getByRole("region", { name: "Loyalty cards" }).getByText("blocked").waitFor();
        }],
        ["open the sale from the profile: lines, tenders, points per rule", async () => {
          await Promise.all([
            page.waitForURL((u) => u.pathname.startsWith("/console/sales/")),
            page.getByRole("region", { name: "Sales and returns" })
              .getByRole("link", { name: RECEIPT }).click(),
          ]);
          assert.equal((await page.locator("h1").textContent())?.trim(), `Sale ${RECEIPT}`);
          const lines = page.getByRole("region", { name: "Lines" });
          const line = lines.getByRole("row", { name: /BOOK1/ });
          await line.getByText("Base points: 30.00").waitFor();
          await line.getByRole("cell", { name: "15.00 EUR", exact: true }).waitFor();
          await page.getByRole("region", { name: "Tenders" }).getByText("30.00 EUR").waitFor();
          await page.getByRole("region", { name: "Returns" }).getByText("Nothing returned.")
            .waitFor();
          await Promise.all([
            page.waitForURL((u) => /^\/console\/customers\//.test(u.pathname)),
            page.getByRole("link", { name: "← Ada King" }).click(),
          ]);
        }],
        [
          "an adjustment above 1,000 points asks first with the balance before and after",
          async () => {
            const form = page.getByRole("form", { name: "Adjust points" });
            await form.getByLabel("Points").fill("2000");
            await form.getByLabel("Reason").fill("store opening gift");
            await submit(() => form.getByRole("button", { name: "Adjust points" }).click());
            await waitForText(page.locator('[data-figure="confirm-before"]'), "30.00");
            await waitForText(page.locator('[data-figure="confirm-after"]'), "2,030.00");
            await waitForText(page.locator('[data-figure="points"]'), "30.00");
            await Promise.all([
              page.waitForURL((u) => u.hash === "#statement"),
              confirmStep.getByRole("button", { name: "Adjust by +2,000.00 points" }).click(),
            ]);
            await waitForText(page.locator('[data-figure="points"]'), "2,030.00");
          },
        ],
        ["removing a member of staff asks first", async () => {
          await page.goto(`${base}/console/staff`);
          const row = page.getByRole("row", { name: /sam@example\.com/ });
          await submit(() => row.getByRole("button", { name: "Remove" }).click());
          await confirmStep.getByRole("heading", { name: "Remove Sam Support from Acme Retail?" })
            .waitFor();
          assert.equal(await page.getByRole("row", { name: /sam@example\.com/ }).count(), 1);
          await submit(() =>
            confirmStep.getByRole("button", { name: "Remove Sam Support" }).click()
          );
          await waitForText(flash, "Removed from the organization.");
          assert.equal(await page.getByRole("row", { name: /sam@example\.com/ }).count(), 0);
        }],
        ["a settings save that makes members non-members says how many first", async () => {
          await page.goto(`${base}/console/settings`);
          await page.getByLabel("Customer types that are not members").fill("SILVER");
          await submit(() => page.getByRole("button", { name: "Save settings" }).click());
          await waitForText(page.locator('[data-figure="members-leaving"]'), "1");
          await confirmStep.getByText("(SILVER)").waitFor();
          await submit(() =>
            confirmStep.getByRole("button", { name: "Save: 1 member become non-members" })
              .click()
          );
          await waitFor(
            "saved",
            async () => /Settings saved/.test(await flash.textContent() ?? ""),
          );
        }],
        ["add a store to an existing merchant from the merchants page", async () => {
          await page.goto(`${base}/console/merchants`);
          const island = '[data-island="MerchantManager"]';
          await waitForHydration(page, island);
          const add = page.getByRole("form", { name: "Add a store to Opéra shop" });
          await add.getByLabel("Store").selectOption({ label: "Store 2 · Gare du Nord" });
          await add.getByRole("button", { name: "Add store" }).click();
          await page.locator(island).locator(".store-list", { hasText: "Store 2 · Gare du Nord" })
            .waitFor();
          await add.waitFor({ state: "detached" });
          assert.deepEqual(pageErrors, []);
        }],
      ];
      await app.runSteps(steps);
    }),
});
