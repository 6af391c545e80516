import assert from "node:assert/strict";
import type { Locator } from "playwright-core";
import {
  acceptInvite,
  ADMIN_EMAIL,
  openFromNavigation,
  ownerToken,
  signIn,
  skipBrowserTest,
  type Steps,
  waitFor,
  waitForFocus,
  waitForHydration,
  withBrowserApp,
} from "./harness.ts";

const ISLAND = '[data-island="MerchantManager"]';
const DETAIL = '[data-island="MerchantDetail"]';

/** The messages tied to an element by aria-describedby. */
async function describedBy(el: Locator): Promise<string> {
  const ids = (await el.getAttribute("aria-describedby"))?.split(" ") ?? [];
  const texts = await Promise.all(
    ids.map((id) => el.page().locator(`[id="${id}"]`).textContent()),
  );
  return texts.join(" ");
}

Deno.test({
  name: "programme in a real browser: merchant group, merchant, settings, audit log, customer",
  ignore: skipBrowserTest,
  fn: (t) =>
    withBrowserApp(t, {}, async (app) => {
      const { baseUrl: base, browser, page, pageErrors } = app;

      /** The admin API as a script calls it, with the owner's bearer token (setup only). */
      let bearer = "";
      const admin = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${base}/api/admin/v1${path}`, {
          method,
          headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const json = await res.json();
        assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
        return json;
      };
      const posCall = (token: string, path: string) =>
        fetch(`${base}/api/pos/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });

      const island = page.locator(ISLAND);
      const button = (name: string) => island.getByRole("button", { name, exact: true });
      const form = (name: string) => island.getByRole("form", { name });
      const merchantItem = (name: string) =>
        island.locator("li.merchant", { has: page.getByRole("link", { name, exact: true }) });
      let org = { id: "", name: "Acme Retail" };
      let posToken = "";
      let customerNumber = "";

      const steps: Steps = [
        [
          "setup through the API: an organization, a site, two stores, POS and a POS token",
          async () => {
            bearer = await ownerToken(base);
            org = await admin("POST", "/organizations", { name: org.name });
            const site = await admin("POST", `/organizations/${org.id}/sites`, { name: "Paris" });
            const opera = await admin("POST", `/sites/${site.id}/stores`, {
              number: 1,
              name: "Opéra",
              timezone: "Europe/Paris",
            });
            await admin("POST", `/sites/${site.id}/stores`, {
              number: 2,
              name: "Bastille",
              timezone: "Europe/Paris",
            });
            const till = await admin("POST", `/stores/${opera.id}/pos`, {
              number: 1,
              name: "Till 1",
            });
            await admin("POST", `/stores/${opera.id}/pos`, { number: 2, name: "Till 2" });
            posToken = (await admin("POST", `/pos/${till.id}/tokens`, { label: "setup" })).token;
          },
        ],
        ["the owner signs in and opens Merchants from the navigation", async () => {
          await signIn(page, { baseUrl: base });
          await openFromNavigation(page, "Merchants", "/console/merchants");
          assert.equal((await page.locator("h1").textContent())?.trim(), "Merchants");
          await waitForHydration(page, ISLAND);
          await island.getByRole("heading", { name: "Acme Retail" }).waitFor();
          await island.getByText("No merchant group yet").waitFor();
          await island.getByText("No merchant yet").waitFor();
        }],
        ["create a merchant group with the keyboard", async () => {
          await button("New merchant group in Acme Retail").click();
          await waitForFocus(page, "name");
          await page.keyboard.type("Paris programme");
          await page.keyboard.press("Enter");
          await island.locator(".merchant-group", { hasText: "Paris programme" }).waitFor();
          await form("New merchant group in Acme Retail").waitFor({ state: "detached" });
          await waitForFocus(page, "New merchant group in Acme Retail");
          await island.getByText("No merchant in this group yet.").waitFor();
        }],
        [
          "a merchant without a store is refused: the error is next to the store picker",
          async () => {
            await button("New merchant in Acme Retail").click();
            const f = form("New merchant in Acme Retail");
            await waitForFocus(page, "name");
            await page.keyboard.type("Opéra shop");
            await f.getByRole("button", { name: "Create merchant" }).click();
            const picker = f.getByRole("group", { name: "Stores", exact: true });
            await waitFor(
              "the picker names the error",
              async () => /link at least one store/.test(await describedBy(picker)),
            );
            await waitForFocus(page, "storeIds");
            assert.equal(await f.getByRole("alert").count(), 0, "no alert for a field's error");
          },
        ],
        [
          "pick store 1 from the registry tree: the merchant is created, not in a group",
          async () => {
            const f = form("New merchant in Acme Retail");
            const opera = f.getByRole("checkbox", { name: /Store 1 · Opéra/ });
            assert.match((await opera.locator("xpath=..").textContent()) ?? "", /2 POS/);
            await page.keyboard.press("Space"); // the focused checkbox: store 1, first in the tree
            assert.ok(await opera.isChecked());
            await f.getByRole("button", { name: "Create merchant" }).click();
            await f.waitFor({ state: "detached" });
            const item = merchantItem("Opéra shop");
            await item.getByText("not in a group — its POS are refused").waitFor();
            await item.getByText("Store 1 · Opéra").waitFor();
            await item.getByText("POS 2 · Till 2").waitFor();
            // The next step is its group: the focus waits on that choice.
            await waitForFocus(page, "merchantId");
            const refused = await posCall(posToken, "/customers/lookup?number=1");
            assert.equal(refused.status, 403);
            assert.match((await refused.json()).type, /merchant-not-in-group$/);
          },
        ],
        ["store 1 is now shown as taken; Escape closes the form", async () => {
          await button("New merchant in Acme Retail").click();
          const f = form("New merchant in Acme Retail");
          const opera = f.getByRole("checkbox", { name: /Store 1 · Opéra/ });
          assert.ok(await opera.isDisabled(), "a linked store cannot be picked again");
          assert.match(await describedBy(opera), /taken by Opéra shop/);
          assert.ok(await f.getByRole("checkbox", { name: /Store 2 · Bastille/ }).isEnabled());
          await waitForFocus(page, "name");
          await page.keyboard.press("Escape");
          await f.waitFor({ state: "detached" });
          await waitForFocus(page, "New merchant in Acme Retail");
        }],
        ["add the merchant to the group: its POS are accepted from then on", async () => {
          const join = island.getByRole("form", { name: "Add Opéra shop to a group" });
          await join.getByLabel("Group").selectOption({ label: "Paris programme" });
          await join.getByRole("button", { name: "Add to group" }).click();
          await join.waitFor({ state: "detached" });
          const group = island.locator(".merchant-group", { hasText: "Paris programme" });
          await group.getByRole("link", { name: "Opéra shop" }).waitFor();
          assert.equal(await island.getByText("not in a group — its POS are refused").count(), 0);
          await waitForFocus(page, "Opéra shop");
          // The POS now reaches the programme: an unknown customer is a 404, not a refusal.
          const res = await posCall(posToken, "/customers/lookup?number=1");
          assert.equal(res.status, 404, await res.clone().text());
          await res.body?.cancel();
        }],
        ["a second merchant, on store 2, stays outside any group until added", async () => {
          await button("New merchant in Acme Retail").click();
          const f = form("New merchant in Acme Retail");
          await f.getByLabel("Name").fill("Bastille shop");
          await f.getByRole("checkbox", { name: /Store 2 · Bastille/ }).check();
          await f.getByRole("button", { name: "Create merchant" }).click();
          await f.waitFor({ state: "detached" });
          const item = merchantItem("Bastille shop");
          await item.getByText("not in a group — its POS are refused").waitFor();
          await item.getByText("no POS yet").waitFor();
          await island.getByRole("form", { name: "Add Bastille shop to a group" }).waitFor();
          const screenshot = Deno.env.get("MERCHANTS_SCREENSHOT");
          if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
        }],
        ["the merchant page lists every POS of its stores with their tokens", async () => {
          await Promise.all([
            page.waitForURL((u) => u.pathname.startsWith("/console/merchants/")),
            island.getByRole("link", { name: "Opéra shop" }).click(),
          ]);
          assert.equal((await page.locator("h1").textContent())?.trim(), "Opéra shop");
          await waitForHydration(page, DETAIL);
          const detail = page.locator(DETAIL);
          const store = detail.getByRole("region", { name: "Opéra", exact: true });
          await store.getByText("Till 1").waitFor();
          await store.getByText("Till 2").waitFor();
          const label = "Store 1 · Opéra · POS 2 · Till 2";
          await detail.getByRole("button", { name: `Tokens of ${label}` }).click();
          const panel = detail.getByRole("region", { name: `Tokens of ${label}` });
          await panel.getByText("No token issued yet.").waitFor();
          await waitForFocus(page, "label");
          await page.keyboard.type("Counter 2");
          await page.keyboard.press("Enter");
          const token = await panel.getByLabel("New token").inputValue();
          const me = await posCall(token, "/me");
          assert.equal(me.status, 200, await me.clone().text());
          assert.deepEqual([(await me.json()).posNumber], [2]);
          await panel.getByRole("cell", { name: "Counter 2", exact: true }).waitFor();
          await page.keyboard.press("Escape");
          await panel.waitFor({ state: "detached" });
          await waitForFocus(page, `Tokens of ${label}`);
        }],
        ["a token for the merchant itself is issued on the same page", async () => {
          const detail = page.locator(DETAIL);
          await detail.getByRole("button", { name: "Tokens of Opéra shop" }).click();
          const panel = detail.getByRole("region", { name: "Tokens of Opéra shop" });
          await panel.getByText("No token issued yet.").waitFor();
          await panel.getByLabel("Label").fill("Back office");
          await panel.getByLabel("Label").press("Enter");
          const token = await panel.getByLabel("New token").inputValue();
          await panel.getByRole("cell", { name: "Back office", exact: true }).waitFor();
          const me = await posCall(token, "/me");
          assert.equal(me.status, 200, await me.clone().text());
          const device = await me.json();
          const merchantId = new URL(page.url()).pathname.split("/").pop();
          assert.deepEqual([device.kind, device.merchantId], ["merchant", merchantId]);
        }],
        ["change two settings of the group and save them", async () => {
          await page.goto(`${base}/console/settings`);
          await page.getByText("Paris programme").first().waitFor();
          await page.getByLabel("Rounding of points").selectOption("up");
          await page.getByLabel("Type of a new account").fill("points");
          await Promise.all([
            page.waitForURL((u) => u.pathname === "/console/settings" && u.search !== ""),
            page.getByRole("button", { name: "Save settings" }).click(),
          ]);
          await page.getByText("Settings saved: now at version 2.").waitFor();
          assert.equal(await page.getByLabel("Rounding of points").inputValue(), "up");
          // Codes are stored trimmed and upper-cased.
          assert.equal(await page.getByLabel("Type of a new account").inputValue(), "POINTS");
        }],
        ["the audit log lists both changes, with who made them", async () => {
          await page.goto(`${base}/console/audit`);
          // Fields by their form labels, values before → after.
          const entry = page.getByRole("row").filter({ hasText: "Rounding of points" });
          await entry.waitFor();
          const text = (await entry.textContent()) ?? "";
          assert.match(text, /Loyalty settings/);
          assert.ok(text.includes(ADMIN_EMAIL), `who saved them (got ${text})`);
          assert.match(text, /Rounding of points: none → up/);
          assert.match(text, /Type of a new account: MEMCR → POINTS/);
          // The merchant's creation and its joining the group are there too.
          await page.getByRole("row").filter({ hasText: "joined a group" }).waitFor();
        }],
        ["create a customer: the automatic card carries the customer number", async () => {
          await page.goto(`${base}/console/customers`);
          const create = page.locator("#new");
          await create.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
          await create.getByLabel("Customer type").fill("retail");
          await create.getByLabel("Email").fill("ada@example.com");
          await Promise.all([
            page.waitForURL((u) => /^\/console\/customers\/[0-9a-f-]{36}$/.test(u.pathname)),
            create.getByRole("button", { name: "Create customer" }).click(),
          ]);
          assert.equal((await page.locator("h1").textContent())?.trim(), "Ada Lovelace");
          const flash = (await page.locator(".flash").first().textContent()) ?? "";
          customerNumber = /Customer (\S+) created/.exec(flash)?.[1] ?? "";
          assert.ok(customerNumber, `the flash names the number (got ${flash})`);
          const cards = page.locator("section", {
            has: page.getByRole("heading", { name: "Loyalty cards" }),
          });
          await cards.getByRole("cell", { name: customerNumber, exact: true }).waitFor();
          // The account opened on creation has the default type saved a moment ago.
          const accounts = page.locator("section", {
            has: page.getByRole("heading", { name: "Accounts" }),
          });
          await accounts.getByRole("cell", { name: "POINTS", exact: true }).waitFor();
        }],
        ["find the customer by their card number", async () => {
          await page.goto(`${base}/console/customers`);
          await page.getByLabel("Find a customer").fill(customerNumber);
          await Promise.all([
            page.waitForURL((u) => u.searchParams.get("q") === customerNumber),
            page.getByLabel("Find a customer").press("Enter"),
          ]);
          const hit = page.getByRole("row").filter({ hasText: "Ada Lovelace" });
          await hit.getByRole("link", { name: customerNumber }).waitFor();
          assert.equal(await page.getByRole("row").count(), 2, "the header and one customer");
          assert.deepEqual(pageErrors, [], "no uncaught error in the pages");
        }],
        ["a marketing member sees groups and merchants without controls", async () => {
          const invited = await admin("POST", `/organizations/${org.id}/staff`, {
            email: "mia@example.com",
            name: "Mia",
            role: "marketing",
          });
          const other = await acceptInvite(
            browser,
            base,
            invited.inviteUrl,
            "marketing password 42",
          );
          await other.goto(`${base}/console/merchants`);
          await waitForHydration(other, ISLAND);
          const view = other.locator(ISLAND);
          await view.getByRole("link", { name: "Opéra shop" }).waitFor();
          await view.getByText("read only").waitFor();
          await view.getByText("not in a group — its POS are refused").waitFor();
          assert.equal(await view.getByRole("button").count(), 0, "no button in the island");
          assert.equal(await view.getByRole("form").count(), 0, "no form in the island");
          // Marketing may read the merchant page but not manage tokens.
          await view.getByRole("link", { name: "Opéra shop" }).click();
          await waitForHydration(other, DETAIL);
          await other.locator(DETAIL).getByText("Till 2").waitFor();
          assert.equal(await other.locator(DETAIL).getByRole("button").count(), 0);
        }],
      ];
      await app.runSteps(steps);
    }),
});
