import assert from "node:assert/strict";
import type { Db } from "../../db/connection.ts";
import { upsertItems } from "../../catalogue/items.ts";
import { publishDraft, saveDraft } from "../../earning/rule_sets.ts";
import { createCustomer } from "../../members/customers.ts";
import { getSettings, saveSettings } from "../../programme/settings.ts";
import { createPos } from "../../registry/pos.ts";
import { memberRule } from "../helpers/world.ts";
import {
  openFromNavigation,
  seedProgramme,
  signIn,
  skipBrowserTest,
  type Steps,
  waitForText,
  withBrowserApp,
} from "./harness.ts";

/**
 * A programme with a store whose tills are POS 3 and 7, a member, two items (sell price level 2:
 * 42.00 and 9.50, the wholesale price level) and a rule of 1 point per unit.
 */
async function seed(db: Db) {
  const { owner, stores: [store], group } = await seedProgramme(db, {
    stores: [{ number: 4, name: "Bercy", timezone: "Europe/Paris" }],
    merchantName: "Bercy shop",
  });
  for (const number of [7, 3]) {
    await createPos(db, store, { number, name: `Till ${number}` }, owner);
  }
  const { settings: defaults } = await getSettings(db, group);
  const { settings } = await saveSettings(db, group, {
    version: 1,
    settings: {
      ...defaults,
      wholesale: { ...defaults.wholesale, priceLevel: 2, operatorNumber: 99 },
    },
  }, owner);
  await createCustomer(
    db,
    group,
    { number: "C100", name: "Café Lumière", categories: ["GOLD"] },
    settings,
  );
  await upsertItems(db, group, [
    {
      sku: "OIL5",
      name: "Olive oil 5 l",
      category: "FOOD",
      prices: [4500, 4200, 4000, 3900, 3800],
    },
    { sku: "SALT", name: "Sea salt 1 kg", category: "FOOD", prices: [1000, 950, 900, 850, 800] },
  ], owner);
  const draft = await saveDraft(db, group, {
    version: 1,
    rules: [memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } })],
  }, owner);
  await publishDraft(db, group, { draftVersion: draft.version }, owner);
}

Deno.test({
  name: "wholesale order in a real browser: create at the wholesale price level, accept as a sale",
  ignore: skipBrowserTest,
  fn: (t) =>
    withBrowserApp(t, { seed }, async (app) => {
      const { baseUrl: base, page, pageErrors } = app;
      const steps: Steps = [
        ["the owner signs in and opens Wholesale orders", async () => {
          await signIn(page, { baseUrl: base });
          await openFromNavigation(page, "Wholesale orders", "/console/wholesale-orders");
          await page.getByText("No wholesale orders yet.").waitFor();
        }],
        ["an unknown SKU is refused at its line, the form keeps what was typed", async () => {
          await page.getByLabel("Customer number").fill("C100");
          await page.getByLabel("Line 1 SKU").fill("NOPE");
          await page.getByLabel("Line 1 quantity").fill("1");
          await Promise.all([
            page.waitForLoadState("domcontentloaded"),
            page.getByRole("button", { name: "Create order" }).click(),
          ]);
          await waitForText(page.locator("#lines\\.0\\.sku-error"), "no item with this SKU");
          assert.equal(await page.getByLabel("Customer number").inputValue(), "C100");
        }],
        ["a draft is created with the level 2 prices", async () => {
          await page.getByLabel("Line 1 SKU").fill("OIL5");
          await page.getByLabel("Line 1 quantity").fill("3");
          await page.getByLabel("Line 2 SKU").fill("SALT");
          await page.getByLabel("Line 2 quantity").fill("2");
          await page.getByLabel("Fulfilment").selectOption("delivery");
          await page.getByLabel("Note").fill("PO 2026-118, deliver before 10:00");
          await Promise.all([
            page.waitForURL((u) => /^\/console\/wholesale-orders\/[0-9a-f-]{36}$/.test(u.pathname)),
            page.getByRole("button", { name: "Create order" }).click(),
          ]);
          await page.getByText(/created as a draft/).waitFor();
          const lines = page.getByRole("region", { name: /Order WO-/ });
          await lines.getByRole("row", { name: /OIL5/ }).getByRole("cell", {
            name: "42.00 EUR",
            exact: true,
          }).waitFor();
          await lines.getByText("145.00 EUR", { exact: true }).waitFor();
        }],
        ["accepting records the sale at the store's first till, with its points", async () => {
          await Promise.all([
            page.waitForLoadState("domcontentloaded"),
            page.getByRole("button", { name: "Accept order" }).click(),
          ]);
          await page.getByText(/accepted: recorded as sale WO-/).waitFor();
          const sale = page.getByRole("region", { name: "Sale" });
          await waitForText(sale.locator("dd").nth(2), "store 4 · POS 3");
          await waitForText(sale.locator("dd").nth(3), "99");
          await waitForText(sale.locator("dd").nth(4), "145.00");
          assert.equal(await page.getByRole("button", { name: "Accept order" }).count(), 0);
          const shot = Deno.env.get("WHOLESALE_SCREENSHOT");
          if (shot) await page.screenshot({ path: shot, fullPage: true });
        }],
        ["the member's profile lists the sale", async () => {
          await page.getByRole("link", { name: /Café Lumière/ }).click();
          await page.getByRole("region", { name: "Sales and returns" })
            .getByRole("cell", { name: /^WO-\d+$/ }).waitFor();
          await openFromNavigation(page, "Wholesale orders", "/console/wholesale-orders");
          await page.getByRole("row", { name: /accepted/ }).waitFor();
          assert.deepEqual(pageErrors, []);
        }],
      ];
      await app.runSteps(steps);
    }),
});
