import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import {
  acceptInvite,
  openFromNavigation,
  ownerToken,
  signIn,
  skipBrowserTest,
  type Steps,
  waitFor,
  waitForFocus as waitForFocusOn,
  waitForHydration,
  withBrowserApp,
} from "./harness.ts";

const ISLAND = '[data-island="DeviceTree"]';

/** The focused element's `name`, else its `aria-label`, else its text, is `expected`. */
const waitForFocus = (page: Page, expected: string) => waitForFocusOn(page, expected, "name");

/** The message tied to an input by aria-describedby, once the input is marked invalid. */
async function fieldError(input: Locator): Promise<string> {
  await waitFor(
    "the field is marked invalid",
    async () => (await input.getAttribute("aria-invalid")) === "true",
  );
  const ids = (await input.getAttribute("aria-describedby"))?.split(" ") ?? [];
  const errorId = ids.find((id) => id.endsWith("-error"));
  assert.ok(errorId, `aria-describedby names the error (got ${ids})`);
  return (await input.page().locator(`[id="${errorId}"]`).textContent())?.trim() ?? "";
}

Deno.test({
  name: "device management island in a real browser: registry, errors, tokens, read-only",
  ignore: skipBrowserTest,
  fn: (t) =>
    withBrowserApp(t, {}, async (app) => {
      const { baseUrl: base, browser, page, pageErrors } = app;
      const island = page.locator(ISLAND);
      const button = (name: string) => island.getByRole("button", { name, exact: true });
      const form = (name: string) => island.getByRole("form", { name });
      const row = (text: string) => island.locator(".node-row", { hasText: text });
      let posToken = "";
      const me = (token: string) =>
        fetch(`${base}/api/pos/v1/me`, { headers: { Authorization: `Bearer ${token}` } });

      const steps: Steps = [
        ["the owner signs in and opens Devices from the navigation", async () => {
          await signIn(page, { baseUrl: base });
          await openFromNavigation(page, "Devices", "/console/devices");
          assert.equal((await page.locator("h1").textContent())?.trim(), "Devices");
          await waitForHydration(page, ISLAND);
          await island.getByText("No organization yet").waitFor();
        }],
        ["create an organization: the form takes the focus, Enter submits", async () => {
          await button("New organization").click();
          await waitForFocus(page, "name");
          await page.keyboard.type("Acme Retail");
          await page.keyboard.press("Enter");
          await island.getByRole("heading", { name: "Acme Retail" }).waitFor();
          await form("New organization").waitFor({ state: "detached" });
          await waitForFocus(page, "New organization");
        }],
        ["add a site to it", async () => {
          await button("Add site to Acme Retail").click();
          await form("New site in Acme Retail").getByLabel("Name").fill("Île-de-France");
          await form("New site in Acme Retail").getByLabel("Name").press("Enter");
          await row("Île-de-France").waitFor();
          await waitForFocus(page, "Add site to Acme Retail");
        }],
        ["an unknown time zone is shown next to its field", async () => {
          await button("Add store to Île-de-France").click();
          const f = form("New store in Île-de-France");
          await waitForFocus(page, "number");
          assert.equal(await f.getByLabel("Number").inputValue(), "1", "next free number");
          await f.getByLabel("Name", { exact: true }).fill("Paris Opéra");
          await f.getByLabel("Time zone").fill("Mars/Olympus");
          await f.getByRole("button", { name: "Add store" }).click();
          const message = await fieldError(f.getByLabel("Time zone"));
          assert.match(message, /IANA time zone/);
          await waitForFocus(page, "timezone");
          assert.equal(await f.getByRole("alert").count(), 0, "no alert for a field's error");
        }],
        ["correcting the field adds the store (number 1, Europe/Paris)", async () => {
          const f = form("New store in Île-de-France");
          await f.getByLabel("Time zone").fill("Europe/Paris");
          await f.getByLabel("Time zone").press("Enter");
          await row("Paris Opéra").getByText("Europe/Paris").waitFor();
          await f.waitFor({ state: "detached" });
        }],
        ["add POS 1 to the store", async () => {
          await button("Add POS to Store 1 · Paris Opéra").click();
          const f = form("New POS in Store 1 · Paris Opéra");
          assert.equal(await f.getByLabel("Number").inputValue(), "1");
          await f.getByLabel("Name").fill("Till 1");
          await f.getByLabel("Name").press("Enter");
          await row("Till 1").waitFor();
          assert.equal(await row("Till 1").locator(".badge").textContent(), "active");
          // Beside the store, not only announced: the tree may be longer than the screen.
          await island.locator("p.flash[role=status]", {
            hasText: "POS Till 1 added to Store 1 · Paris Opéra.",
          }).waitFor();
        }],
        ["a second POS named like the first (any case) is refused at the name", async () => {
          await button("Add POS to Store 1 · Paris Opéra").click();
          const f = form("New POS in Store 1 · Paris Opéra");
          await f.getByLabel("Number").fill("2");
          await f.getByLabel("Name").fill("till 1");
          await f.getByLabel("Name").press("Enter");
          assert.equal(
            await fieldError(f.getByLabel("Name")),
            'a POS of this store is already called "till 1"',
          );
          await f.getByRole("button", { name: "Cancel" }).click();
          await f.waitFor({ state: "detached" });
        }],
        ["a duplicate POS number is shown next to its field, then fixed", async () => {
          await button("Add POS to Store 1 · Paris Opéra").click();
          const f = form("New POS in Store 1 · Paris Opéra");
          await f.getByLabel("Number").fill("1");
          await f.getByLabel("Name").fill("Till 2");
          await f.getByLabel("Name").press("Enter");
          assert.equal(
            await fieldError(f.getByLabel("Number")),
            "POS 1 already exists in this store",
          );
          await f.getByLabel("Number").fill("2");
          await f.getByLabel("Number").press("Enter");
          await row("Till 2").waitFor();
        }],
        ["Escape cancels an inline rename; Enter saves one", async () => {
          await button("Rename POS 2 · Till 2").click();
          const f = form("Rename POS 2 · Till 2");
          await waitForFocus(page, "name");
          assert.equal(await f.getByLabel("Name").inputValue(), "Till 2");
          await page.keyboard.type(" changed");
          await page.keyboard.press("Escape");
          await f.waitFor({ state: "detached" });
          await waitForFocus(page, "Rename POS 2 · Till 2");
          await page.keyboard.press("Enter"); // the focused Rename button opens the form again
          await waitForFocus(page, "name");
          await f.getByLabel("Name").fill("Back office");
          await f.getByLabel("Name").press("Enter");
          await row("Back office").waitFor();
        }],
        ["disable and enable a POS", async () => {
          await button("Disable POS 2 · Back office").click();
          await waitFor(
            "POS 2 disabled",
            async () => (await row("Back office").locator(".badge").textContent()) === "disabled",
          );
          await button("Enable POS 2 · Back office").click();
          await waitFor(
            "POS 2 enabled",
            async () => (await row("Back office").locator(".badge").textContent()) === "active",
          );
          await button("Disable POS 2 · Back office").click();
          await button("Enable POS 2 · Back office").waitFor();
        }],
        ["issue a POS token: shown once, accepted by GET /api/pos/v1/me", async () => {
          await button("Tokens of POS 1 · Till 1").click();
          const panel = island.getByRole("region", { name: "Tokens of POS 1 · Till 1" });
          await panel.getByText("No token issued yet.").waitFor();
          await waitForFocus(page, "label");
          await page.keyboard.type("Front counter");
          await panel.getByLabel("Valid for (days)").fill("30");
          await panel.getByLabel("Valid for (days)").press("Enter");
          const secret = panel.getByLabel("New token");
          await secret.waitFor();
          assert.ok(await secret.getAttribute("readonly") !== null, "read-only");
          await panel.getByText("it will not be shown again").waitFor();
          posToken = await secret.inputValue();
          assert.ok(posToken.length > 20, `a token (got ${posToken})`);
          await panel.getByRole("button", { name: "Copy" }).click();
          await panel.getByText(/Copied|Selected/).waitFor();
          await panel.getByRole("cell", { name: "Front counter", exact: true }).waitFor();
          const res = await me(posToken);
          assert.equal(res.status, 200, await res.clone().text());
          const device = await res.json();
          assert.deepEqual(
            [device.kind, device.storeNumber, device.posNumber, device.timezone],
            ["pos", 1, 1, "Europe/Paris"],
          );
        }],
        ["revoke it after a confirmation: the token stops working at once", async () => {
          const panel = island.getByRole("region", { name: "Tokens of POS 1 · Till 1" });
          await panel.getByRole("button", { name: "Revoke token Front counter" }).click();
          await waitForFocus(page, "Keep it");
          await panel.getByRole("button", { name: "Revoke token", exact: true }).click();
          const tokenRow = panel.getByRole("row", { name: /Front counter/ });
          await waitFor(
            "the token is listed as revoked",
            async () => (await tokenRow.locator(".badge").textContent()) === "revoked",
          );
          assert.equal(await panel.getByLabel("New token").count(), 0, "the secret is gone");
          const res = await me(posToken);
          assert.equal(res.status, 401, await res.text());
          const screenshot = Deno.env.get("DEVICES_SCREENSHOT");
          if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
          assert.deepEqual(pageErrors, [], "no uncaught error in the page");
        }],
        ["a problem without a field (a disabled POS gets no token) shows in an alert", async () => {
          await button("Tokens of POS 2 · Back office").click();
          const panel = island.getByRole("region", { name: "Tokens of POS 2 · Back office" });
          await waitForFocus(page, "label");
          await page.keyboard.press("Enter");
          const alert = panel.getByRole("form").getByRole("alert");
          await alert.waitFor();
          assert.match((await alert.textContent()) ?? "", /POS is disabled/);
          await page.keyboard.press("Escape");
          await panel.waitFor({ state: "detached" });
          await waitForFocus(page, "Tokens of POS 2 · Back office");
        }],
        ["a site token is issued the same way", async () => {
          await button("Tokens of Île-de-France").click();
          const panel = island.getByRole("region", { name: "Tokens of Île-de-France" });
          await waitForFocus(page, "label");
          await page.keyboard.type("Back-office server");
          await page.keyboard.press("Enter");
          const res = await me(await panel.getByLabel("New token").inputValue());
          assert.equal(res.status, 200, await res.clone().text());
          assert.equal((await res.json()).kind, "site");
          await panel.getByRole("cell", { name: "Back-office server", exact: true }).waitFor();
          await panel.getByRole("button", { name: "Close" }).click();
          await panel.waitFor({ state: "detached" });
        }],
        ["disabling the organization asks first; keeping it changes nothing", async () => {
          await button("Disable Acme Retail").click();
          const confirm = island.getByRole("group", { name: "Confirm disabling" });
          await confirm.getByText("Every POS and site token of it is refused").waitFor();
          await waitForFocus(page, "Keep it enabled");
          await confirm.getByRole("button", { name: "Keep it enabled" }).click();
          await confirm.waitFor({ state: "detached" });
          await waitForFocus(page, "Disable Acme Retail");
          const orgRow = row("Acme Retail").first();
          assert.equal(await orgRow.locator(".badge").first().textContent(), "active");
          await button("Disable Acme Retail").click();
          await confirm.getByRole("button", { name: "Disable organization" }).click();
          await button("Enable Acme Retail").waitFor();
          await button("Enable Acme Retail").click();
          await button("Disable Acme Retail").waitFor();
        }],
        ["a marketing member sees the tree without edit controls", async () => {
          const auth = { Authorization: `Bearer ${await ownerToken(base)}` };
          const orgs = await (await fetch(`${base}/api/admin/v1/organizations`, { headers: auth }))
            .json();
          const invited = await fetch(
            `${base}/api/admin/v1/organizations/${orgs.items[0].id}/staff`,
            {
              method: "POST",
              headers: { ...auth, "Content-Type": "application/json" },
              body: JSON.stringify({ email: "mia@example.com", name: "Mia", role: "marketing" }),
            },
          );
          assert.equal(invited.status, 201, await invited.clone().text());
          const { inviteUrl } = await invited.json();

          const other = await acceptInvite(browser, base, inviteUrl, "marketing password 42");
          await other.goto(`${base}/console/devices`);
          const view = other.locator(ISLAND);
          await waitForHydration(other, ISLAND);
          await view.locator(".node-row", { hasText: "Till 1" }).waitFor();
          await view.getByText("read only").waitFor();
          assert.equal(await view.getByRole("button").count(), 0, "no button in the island");
        }],
      ];
      await app.runSteps(steps);
    }),
});
