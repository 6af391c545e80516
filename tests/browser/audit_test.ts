import assert from "node:assert/strict";
import type { Db } from "../../db/connection.ts";
import { staffMove } from "../../instruments/activities.ts";
import { createSeries } from "../../instruments/series.ts";
import { createGroup } from "../../programme/groups.ts";
import { createOrganization } from "../../registry/organizations.ts";
import { createSite } from "../../registry/sites.ts";
import { createStore } from "../../registry/stores.ts";
import { createOwner } from "../../staff/users.ts";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  signIn,
  skipBrowserTest,
  type Steps,
  withBrowserApp,
} from "./harness.ts";

/** A store renamed, a gift card activated with 25.00 EUR: entries with a label and money. */
async function seed(db: Db) {
  const owner = (await createOwner(db, {
    email: ADMIN_EMAIL,
    name: "Olivia Owner",
    password: ADMIN_PASSWORD,
  }))!;
  const org = await createOrganization(db, "Acme Retail", owner);
  const site = await createSite(db, org.id, "Paris", owner);
  await createStore(db, site, { number: 1, name: "Opéra", timezone: "Europe/Paris" }, owner);
  const group = await createGroup(db, { orgId: org.id, name: "Paris programme", actor: owner });
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
    number: "770000000001",
  }).returningAll().executeTakeFirstOrThrow();
  await staffMove(db, card.id, { move: "activate", reason: "sold", amount: 2500 }, owner);
}

Deno.test({
  name: "audit log in a real browser: filter by entity type and person, a readable entry",
  ignore: skipBrowserTest,
  fn: (t) =>
    withBrowserApp(t, { seed, viewport: { width: 1200, height: 900 } }, async (app) => {
      const { baseUrl, page } = app;
      const rows = page.locator("table.audit tbody tr");
      const steps: Steps = [
        ["sign in and open the audit log", async () => {
          await signIn(page, { baseUrl });
          await page.goto(`${baseUrl}/console/audit`);
          assert.ok((await rows.count()) >= 5);
        }],
        ["filter by entity type: the card's activation, money formatted", async () => {
          await page.getByLabel("What changed").selectOption({ label: "Instrument" });
          await Promise.all([
            page.waitForURL((u) => u.searchParams.get("entity") === "instrument"),
            page.getByRole("button", { name: "Filter" }).click(),
          ]);
          assert.equal(await rows.count(), 1);
          const text = (await rows.first().textContent()) ?? "";
          assert.match(text, /Instrument 770000000001 activated/);
          assert.match(text, /Amount: none → €25\.00/);
          assert.match(text, /Status: inactive → active/);
          assert.match(text, /Reason: none → sold/);
          assert.match(text, /owner@example\.com/);
        }],
        ["filter by person: every entry is theirs", async () => {
          await page.getByLabel("What changed").selectOption({ label: "Everything" });
          await page.getByLabel("Changed by").selectOption({ label: ADMIN_EMAIL });
          await Promise.all([
            page.waitForURL((u) => u.searchParams.has("actor") && !u.searchParams.get("entity")),
            page.getByRole("button", { name: "Filter" }).click(),
          ]);
          const texts = await rows.allTextContents();
          assert.ok(texts.length >= 5);
          assert.ok(texts.every((r) => r.includes(ADMIN_EMAIL)));
          assert.ok(texts.some((r) => /Store Opéra created/.test(r)));
          assert.ok(texts.some((r) => /Time zone: Europe\/Paris/.test(r)));
          const screenshot = Deno.env.get("AUDIT_SCREENSHOT");
          if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
        }],
      ];
      await app.runSteps(steps);
    }),
});
