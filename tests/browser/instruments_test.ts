import assert from "node:assert/strict";
import type { Db } from "../../db/connection.ts";
import { staffMove } from "../../instruments/activities.ts";
import { createSeries, NewSeriesSchema } from "../../instruments/series.ts";
import { createGroup } from "../../programme/groups.ts";
import { createOrganization } from "../../registry/organizations.ts";
import { createPos } from "../../registry/pos.ts";
import { createSite } from "../../registry/sites.ts";
import { createStore } from "../../registry/stores.ts";
import { createOwner } from "../../staff/users.ts";
import { generateInstruments, redeemAtPos } from "../helpers/instruments.ts";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  openFromNavigation,
  signIn,
  skipBrowserTest,
  type Steps,
  waitForText,
  withBrowserApp,
} from "./harness.ts";

const RECEIPT = "R-1001";
/** The card the test looks for, found in the seed. */
let card = { id: "", number: "" };

/**
 * What the test starts from, written through the services before the server starts: the
 * owner, a store with a POS, a programme with 40 gift cards of 25.00, one of them sold (activated
 * by staff) and used for 4.00 at the POS.
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
    number: 3,
    name: "Bastille",
    timezone: "Europe/Paris",
  }, owner);
  const pos = await createPos(db, store, { number: 1, name: "Till 1" }, owner);
  const group = await createGroup(db, { orgId: org.id, name: "Paris programme", actor: owner });
  const series = await createSeries(
    db,
    group,
    NewSeriesSchema.parse({
      name: "Gift cards",
      type: "gift-card",
      prefix: "6012",
      currency: "EUR",
      initialValue: 2500,
    }),
    owner,
  );
  const cards = await generateInstruments(db, series, 40, owner);
  card = { id: cards[17].id, number: cards[17].number };
  await staffMove(db, card.id, { move: "activate", reason: "sold at the desk" }, owner);
  await redeemAtPos(db, card.id, {
    storeId: store.id,
    posId: pos.id,
    posLabel: "POS 3/1",
    receipt: RECEIPT,
    amount: 400,
  });
}

Deno.test({
  name: "instruments in a real browser: find a card, see its history, block it with a reason",
  ignore: skipBrowserTest,
  fn: (t) =>
    withBrowserApp(t, { seed }, async (app) => {
      const { baseUrl: base, page, pageErrors } = app;
      const history = page.locator("#history");
      const moves = page.getByRole("form", { name: "Change the status" });
      const status = page.locator('[data-figure="status"]');

      const steps: Steps = [
        ["the owner signs in and opens Instruments from the navigation", async () => {
          await signIn(page, { baseUrl: base });
          await openFromNavigation(page, "Instruments", "/console/instruments");
          assert.equal((await page.locator("h1").textContent())?.trim(), "Instruments");
        }],
        ["search by a part of the number, printed with a space, and open the card", async () => {
          const part = `${card.number.slice(4, 8)} ${card.number.slice(8, 12)}`;
          await page.getByLabel("Number").fill(part);
          await Promise.all([
            page.waitForURL((u) => u.searchParams.get("number") === part),
            page.getByLabel("Number").press("Enter"),
          ]);
          const hit = page.getByRole("row", { name: new RegExp(card.number) });
          await hit.getByRole("cell", { name: "€21.00", exact: true }).waitFor();
          await hit.getByRole("cell", { name: "active", exact: true }).waitFor();
          await Promise.all([
            page.waitForURL((u) => u.pathname === `/console/instruments/${card.id}`),
            hit.getByRole("link", { name: card.number }).click(),
          ]);
          assert.equal((await page.locator("h1").textContent())?.trim(), card.number);
          await waitForText(page.locator('[data-figure="balance"]'), "€21.00");
          await waitForText(status, "active");
        }],
        ["the history shows the sale at the POS and the activation", async () => {
          const redeem = history.getByRole("row", { name: new RegExp(RECEIPT) });
          await redeem.getByRole("cell", { name: "3 Bastille", exact: true }).waitFor();
          await redeem.getByRole("cell", { name: "−€4.00", exact: true }).waitFor();
          await redeem.getByRole("cell", { name: "€21.00", exact: true }).waitFor();
          await redeem.getByRole("cell", { name: "POS 3/1", exact: true }).waitFor();
          const activation = history.getByRole("row", { name: /sold at the desk/ });
          await activation.getByRole("cell", { name: "+€25.00", exact: true }).waitFor();
          await activation.getByRole("cell", { name: "inactive → active", exact: true })
            .waitFor();
        }],
        ["blocking without a reason is refused at the field", async () => {
          // Without the browser's own check, to see the server's answer at the field.
          await moves.evaluate((f) => (f as HTMLFormElement).noValidate = true);
          await Promise.all([
            page.waitForLoadState("domcontentloaded"),
            moves.getByRole("button", { name: "Block", exact: true }).click(),
          ]);
          await waitForText(page.locator("#reason-error"), "a reason is required");
          assert.equal(await moves.getByLabel("Reason").getAttribute("aria-invalid"), "true");
          await waitForText(status, "active");
        }],
        ["block with a reason: the status changes and the history has the block", async () => {
          await moves.getByLabel("Reason").fill("card reported stolen");
          await Promise.all([
            page.waitForURL((u) => u.hash === "#history" && !u.pathname.endsWith("/moves")),
            moves.getByRole("button", { name: "Block", exact: true }).click(),
          ]);
          await page.getByText(
            `Instrument ${card.number} blocked: blocked, balance €21.00.`,
          ).waitFor();
          await waitForText(status, "blocked");
          const newest = history.getByRole("row").nth(1);
          await newest.getByRole("cell", { name: "block", exact: true }).waitFor();
          await newest.getByRole("cell", { name: "active → blocked", exact: true }).waitFor();
          await newest.getByRole("cell", { name: "card reported stolen", exact: true }).waitFor();
          await newest.getByRole("cell", { name: ADMIN_EMAIL, exact: true }).waitFor();
          await moves.getByRole("button", { name: "Unblock" }).waitFor();
          assert.equal(await moves.getByRole("button", { name: "Block", exact: true }).count(), 0);
        }],
        ["the search finds it blocked", async () => {
          await page.goto(`${base}/console/instruments?status=blocked`);
          const rows = page.getByRole("row", { name: new RegExp(card.number) });
          await rows.getByRole("cell", { name: "blocked", exact: true }).waitFor();
          assert.equal(await page.getByRole("row").count(), 2, "the header and the card");
          assert.deepEqual(pageErrors, []);
        }],
      ];
      await app.runSteps(steps);
    }),
});
