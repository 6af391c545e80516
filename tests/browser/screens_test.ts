/**
 * The console on a phone (390 px wide) and the details every page shares, in a real browser:
 * the navigation folds behind a menu button and opens (no JavaScript needed: a checkbox and its
 * label), the customer list and a profile do not scroll sideways, a skip link is the first
 * thing the keyboard reaches and leads to the main content, the favicon is linked and cached
 * for a year; a new store's zone defaults to its site's stores'; and the customer search as people type: surname first, without accents, a phone
 * in its national form, a card number in groups.
 */
import assert from "node:assert/strict";
import type { Db } from "../../db/connection.ts";
import { createCustomer, NewCustomerSchema } from "../../members/customers.ts";
import { adjustPoints } from "../../members/profile.ts";
import { getSettings } from "../../programme/settings.ts";
import {
  seedProgramme,
  signIn,
  skipBrowserTest,
  type Steps,
  waitFor,
  waitForHydration,
  withBrowserApp,
} from "./harness.ts";

let cardNumber = "";

async function seed(db: Db) {
  const { owner, group } = await seedProgramme(db, {
    stores: [{ number: 1, name: "Opéra", timezone: "Europe/Paris" }],
    merchantName: "Opéra shop",
  });
  const { settings } = await getSettings(db, group);
  const marie = await createCustomer(
    db,
    group,
    NewCustomerSchema.parse({
      name: "Marie-Hélène Lefèvre de la Tour d'Auvergne",
      email: "marie-helene.lefevre-de-la-tour@a-rather-long-domain.example.com",
      phone: "06 12 34 56 78",
      categories: ["GOLD", "NEWSLETTER", "PARIS"],
    }),
    { ...settings, generateAutomaticCustomerCard: true },
  );
  cardNumber = marie.customer.number;
  await createCustomer(
    db,
    group,
    NewCustomerSchema.parse({
      name: "Marie Durand",
      categories: ["GOLD"],
    }),
    settings,
  );
  await adjustPoints(db, marie.customer, {
    points: 12.5,
    reason: "welcome gesture after a long wait at the opening of the new store",
  }, owner);
}

/** True when the document is no wider than the window: nothing scrolls sideways. */
const noSidewaysScroll = (page: import("playwright-core").Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

Deno.test({
  name: "the console at 390 px: folded navigation, no sideways scroll, skip link, favicon, search",
  ignore: skipBrowserTest,
  fn: (t) =>
    withBrowserApp(t, { seed, viewport: { width: 390, height: 844 } }, async (app) => {
      const { baseUrl: base, page, pageErrors } = app;
      const nav = page.getByRole("navigation", { name: "Main" });
      const menu = page.locator(".menu-button");
      const list = page.getByRole("table").first();
      const findCustomer = async (q: string) => {
        await page.goto(`${base}/console/customers?q=${encodeURIComponent(q)}`);
        await list.waitFor();
        return (await list.locator("tbody tr td:nth-child(2)").allTextContents())
          .map((s) => s.trim());
      };

      const steps: Steps = [
        ["the owner signs in on a phone", async () => {
          await signIn(page, { baseUrl: base });
        }],
        ["the navigation is folded behind the menu button, which opens it", async () => {
          assert.equal(await nav.isVisible(), false, "folded");
          assert.equal(await menu.isVisible(), true);
          await menu.click();
          await nav.getByRole("link", { name: "Customers" }).waitFor({ state: "visible" });
          assert.ok(await noSidewaysScroll(page), "the open menu fits too");
          await Promise.all([
            page.waitForURL((u) => u.pathname === "/console/customers"),
            nav.getByRole("link", { name: "Customers" }).click(),
          ]);
          assert.equal(await nav.isVisible(), false, "folded again on the next page");
        }],
        ["the customer list does not scroll sideways", async () => {
          await list.getByRole("row", { name: /Lefèvre/ }).waitFor();
          assert.ok(await noSidewaysScroll(page));
        }],
        ["the profile does not scroll sideways", async () => {
          await Promise.all([
            page.waitForURL((u) => /^\/console\/customers\/[0-9a-f-]{36}$/.test(u.pathname)),
            list.getByRole("row", { name: /Lefèvre/ }).getByRole("link").click(),
          ]);
          await page.locator("#statement").getByText("welcome gesture", { exact: false })
            .waitFor();
          assert.ok(await noSidewaysScroll(page));
        }],
        [
          "the skip link is the first stop of the keyboard and leads to the main content",
          async () => {
            await page.keyboard.press("Tab");
            const first = await page.evaluate(() => {
              const a = document.activeElement as HTMLAnchorElement;
              return { text: a.textContent, href: a.getAttribute("href") };
            });
            assert.deepEqual(first, { text: "Skip to main content", href: "#main" });
            assert.ok(await page.locator(".skip-link").isVisible(), "shown while focused");
            await page.keyboard.press("Enter");
            await waitFor(
              "the focus in main",
              () => page.evaluate(() => document.activeElement?.id === "main"),
            );
          },
        ],
        ["the favicon is linked and cached for a year", async () => {
          const href = await page.locator('link[rel="icon"]').getAttribute("href");
          assert.match(href ?? "", /^\/favicon-[0-9a-z]+\.svg$/);
          const res = await fetch(`${base}${href}`);
          assert.equal(res.status, 200);
          assert.equal(res.headers.get("content-type"), "image/svg+xml");
          assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
          assert.match(await res.text(), /^<svg /);
        }],
        ["a new store's time zone defaults to its site's stores' zone", async () => {
          await page.goto(`${base}/console/devices`);
          await waitForHydration(page, '[data-island="DeviceTree"]');
          await page.getByRole("button", { name: "Add store to Paris", exact: true }).click();
          const form = page.getByRole("form", { name: "New store in Paris" });
          assert.equal(await form.getByLabel("Time zone").inputValue(), "Europe/Paris");
        }],
        ["the search finds her surname first, without accents, by phone and by card", async () => {
          const marie = "Marie-Hélène Lefèvre de la Tour d'Auvergne";
          assert.deepEqual(await findCustomer("lefevre marie"), [marie]);
          assert.deepEqual(await findCustomer("LEFEVRE"), [marie]);
          assert.deepEqual(await findCustomer("helene"), [marie]);
          assert.deepEqual(await findCustomer("+33612345678"), [marie]);
          assert.deepEqual(await findCustomer("06 12 34 56 78"), [marie]);
          assert.deepEqual(await findCustomer(cardNumber.replace(/(.{4})/g, "$1 ").trim()), [
            marie,
          ]);
          assert.deepEqual(await findCustomer("durand marie"), ["Marie Durand"]);
          assert.deepEqual(pageErrors, []);
        }],
      ];
      await app.runSteps(steps);
    }),
});
