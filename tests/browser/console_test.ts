import assert from "node:assert/strict";
import { join } from "node:path";
import { onePointPerUnit } from "../../rules/examples.ts";
import { DIST_DIR } from "../../web/assets.ts";
import {
  ADMIN_EMAIL,
  ownerToken,
  signIn,
  skipBrowserTest,
  type Steps,
  waitFor,
  waitForHydration,
  waitForText,
  withBrowserApp,
} from "./harness.ts";

const ISLAND = '[data-island="ChartHover"]';

/**
 * An organization with store 1, a merchant group the store's merchant is in, and 1 point per
 * EUR published, through the admin API as a script would.
 */
async function publishBasicRule(base: string) {
  const bearer = await ownerToken(base);
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
  const org = await admin("POST", "/organizations", { name: "Acme Retail" });
  const site = await admin("POST", `/organizations/${org.id}/sites`, { name: "Paris" });
  const store = await admin("POST", `/sites/${site.id}/stores`, {
    number: 1,
    name: "Opéra",
    timezone: "Europe/Paris",
  });
  const group = await admin("POST", "/merchant-groups", {
    organizationId: org.id,
    name: "Paris programme",
  });
  const merchant = await admin("POST", "/merchants", {
    organizationId: org.id,
    name: "Opéra shop",
    storeIds: [store.id],
  });
  await admin("POST", `/merchant-groups/${group.id}/merchants`, { merchantId: merchant.id });
  const rules = `/merchant-groups/${group.id}/rules`;
  const draft = await admin("PUT", `${rules}/draft`, { version: 1, rules: [onePointPerUnit] });
  await admin("POST", `${rules}/publish`, { draftVersion: draft.version });
}

Deno.test({
  name: "console in a real browser: no-JS sign-in, the overview's chart island, sign-out",
  ignore: skipBrowserTest,
  fn: (t) =>
    withBrowserApp(t, { viewport: { width: 1100, height: 800 } }, async (app) => {
      const { baseUrl: base, page, requests, jsResponses, pageErrors } = app;
      const islandUrl = app.manifest.islands.ChartHover;
      assert.ok(islandUrl, "the build has a ChartHover bundle");
      const islandFile = islandUrl.slice(islandUrl.lastIndexOf("/") + 1);
      // The chunks this island imports (Preact's among them) must load too.
      const islandCode = await Deno.readTextFile(join(DIST_DIR, islandFile));
      const sharedChunks = [...islandCode.matchAll(/"\.\/(chunk-[A-Z0-9]+\.js)"/g)].map((m) =>
        m[1]
      );
      assert.ok(sharedChunks.length > 0, "the island imports a shared chunk");

      const steps: Steps = [
        ["the sign-in page ships no JavaScript", async () => {
          const res = await page.goto(`${base}/login`);
          assert.equal(res?.status(), 200);
          const html = await res!.text();
          assert.ok(!/<script/i.test(html), "no <script in the sign-in HTML");
          await page.waitForLoadState("load");
          const js = requests.filter((r) =>
            r.type === "script" || new URL(r.url).pathname.endsWith(".js")
          );
          assert.deepEqual(js, [], "no .js request from the sign-in page");
          assert.equal(await page.locator("h1").textContent(), "Sign in");
        }],
        ["a wrong password shows the error and stays on /login", async () => {
          await page.getByLabel("Email").fill(ADMIN_EMAIL);
          await page.getByLabel("Password").fill("not the password at all");
          await Promise.all([
            page.waitForResponse((r) => new URL(r.url()).pathname === "/login"),
            page.getByRole("button", { name: "Sign in" }).click(),
          ]);
          await waitForText(page.getByRole("alert"), "Email or password is not correct");
          assert.equal(new URL(page.url()).pathname, "/login");
          assert.equal(await page.getByLabel("Email").inputValue(), ADMIN_EMAIL);
        }],
        ["the right password signs in to the console", async () => {
          await signIn(page); // the form is already open
          assert.match(page.url(), /\/console$/);
          assert.equal((await page.locator("h1").textContent())?.trim(), "Overview");
        }],
        [
          "a programme publishes a rule through the API: the overview shows its figures",
          async () => {
            await publishBasicRule(base);
            await page.reload();
            assert.equal((await page.locator("h1").textContent())?.trim(), "Overview");
          },
        ],
        [
          "the overview's chart island hydrates and shows a day's figures under the pointer",
          async () => {
            await waitForHydration(page, ISLAND);
            for (const file of [islandFile, ...sharedChunks]) {
              const cc = jsResponses.get(`/assets/${file}`);
              assert.ok(
                cc !== undefined,
                `/assets/${file} was loaded (got ${[...jsResponses.keys()]})`,
              );
              assert.match(cc, /immutable/, `Cache-Control of /assets/${file}`);
            }
            const issued = page.locator('[data-figure="Points issued"] dd');
            assert.match((await issued.textContent())!, /^0\.00unchanged$/, "no sale yet");
            const chart = page.locator(`${ISLAND} .chart-svg`);
            assert.ok(await chart.locator("svg").isVisible(), "the chart is drawn");
            const box = (await chart.boundingBox())!;
            await page.mouse.move(box.x + box.width - 40, box.y + box.height / 2);
            const tip = page.locator(`${ISLAND} .chart-tip`);
            await waitFor("the hover details", async () =>
              /Issued: 0\.00/.test(
                await tip.textContent().catch(() => "") ?? "",
              ));
            assert.deepEqual(pageErrors, [], "no uncaught error in the page");
          },
        ],
        ["signing out returns to /login", async () => {
          await Promise.all([
            page.waitForURL((u) => u.pathname === "/login"),
            page.getByRole("button", { name: "Sign out" }).click(),
          ]);
          assert.equal((await page.locator("h1").textContent())?.trim(), "Sign in");
          await waitForText(page.getByRole("status"), "Signed out.");
        }],
      ];
      await app.runSteps(steps);
    }),
});
