/**
 * The member export on the Customers page in a real browser: with the setting Export Customers
 * Requires Location on, the form will not go without a home store; with the filters filled it
 * downloads the CSV, whose header and rows are read from the downloaded file. With
 * EXPORT_SCREENSHOT set, the filled form is saved there (docs/screenshots/export.png).
 */
import assert from "node:assert/strict";
import type { Db } from "../../db/connection.ts";
import { createCustomer } from "../../members/customers.ts";
import { getSettings, saveSettings } from "../../programme/settings.ts";
import { parseCsv } from "../helpers/csv.ts";
import {
  openFromNavigation,
  seedProgramme,
  signIn,
  skipBrowserTest,
  type Steps,
  withBrowserApp,
} from "./harness.ts";

const TRICKY = 'Lefèvre, Zoé "la grande"';

/** A programme of two stores that requires the location, and three members. */
async function seed(db: Db) {
  const { owner, group } = await seedProgramme(db, {
    stores: [
      { number: 1, name: "Opéra", timezone: "Europe/Paris" },
      { number: 2, name: "Bastille", timezone: "Europe/Paris" },
    ],
    merchantName: "Paris shops",
  });
  const { settings: defaults } = await getSettings(db, group);
  const { settings } = await saveSettings(db, group, {
    version: 1,
    settings: {
      ...defaults,
      exportCustomersRequiresLocation: true,
      categoryNames: ["Customer type", "Region", "Category 3", "Category 4", "Category 5"],
    },
  }, owner);
  for (
    const [number, name, homeStoreNumber, type] of [
      ["1001", TRICKY, 1, "GOLD"],
      ["1002", "Ada Lovelace", 1, "SILVER"],
      ["1003", "Bob Bastille", 2, "GOLD"],
    ] as const
  ) {
    await createCustomer(
      db,
      group,
      { number, name, homeStoreNumber, categories: [type] },
      settings,
    );
  }
}

Deno.test({
  name: "member export in a real browser: the location required, filters, the download",
  ignore: skipBrowserTest,
  fn: (t) =>
    withBrowserApp(t, { seed }, async (app) => {
      const { baseUrl: base, page, pageErrors } = app;
      const form = page.getByRole("form", { name: "Export members" });
      const store = form.getByLabel("Home store");

      const steps: Steps = [
        ["the owner opens Customers", async () => {
          await signIn(page, { baseUrl: base });
          await openFromNavigation(page, "Customers", "/console/customers");
          await form.waitFor();
        }],
        ["the home store is marked required, and the form does not go without it", async () => {
          assert.equal(await store.getAttribute("required"), "");
          assert.match((await form.textContent())!, /required by the settings/);
          await form.getByRole("button", { name: "Export CSV" }).click();
          assert.equal(
            await store.evaluate((s) => (s as HTMLSelectElement).validity.valueMissing),
            true,
          );
          assert.equal(new URL(page.url()).pathname, "/console/customers", "nothing was sent");
        }],
        ["with the store, a category and a creation day, the CSV downloads", async () => {
          await store.selectOption("1");
          await form.locator('select[name="categoryNumber"]').selectOption({
            label: "Customer type",
          });
          await form.getByLabel("Category code").fill("gold");
          const today = new Date().toISOString().slice(0, 10);
          await form.getByLabel("Created from").fill(today);
          const screenshot = Deno.env.get("EXPORT_SCREENSHOT");
          if (screenshot) await page.locator("#export").screenshot({ path: screenshot });
          const [download] = await Promise.all([
            page.waitForEvent("download"),
            form.getByRole("button", { name: "Export CSV" }).click(),
          ]);
          assert.equal(download.suggestedFilename(), "Paris-programme-members.csv");
          const bytes = await Deno.readFile((await download.path())!);
          assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 with its BOM");
          const rows = parseCsv(new TextDecoder().decode(bytes));
          assert.deepEqual(rows[0].slice(0, 7), [
            "Customer number",
            "Card numbers",
            "Name",
            "Email",
            "Phone",
            "Category 1: Customer type",
            "Category 2: Region",
          ]);
          assert.deepEqual(rows.slice(1).map((r) => [r[0], r[2], r[10]]), [["1001", TRICKY, "1"]]);
          assert.deepEqual(pageErrors, []);
        }],
      ];
      await app.runSteps(steps);
    }),
});
