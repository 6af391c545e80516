import assert from "node:assert/strict";
import { join } from "node:path";
import { DIST_DIR } from "../../web/assets.ts";
import {
  ADMIN_EMAIL,
  signIn,
  skipBrowserTest,
  type Steps,
  waitForHydration,
  waitForText,
  withBrowserApp,
} from "./harness.ts";

const ISLAND = '[data-island="PointsPreview"]';

Deno.test({
  name: "console in a real browser: no-JS sign-in, island hydration, sign-out",
  ignore: skipBrowserTest,
  fn: (t) =>
    withBrowserApp(t, { viewport: { width: 1100, height: 800 } }, async (app) => {
      const { baseUrl: base, page, requests, jsResponses, pageErrors } = app;
      const islandUrl = app.manifest.islands.PointsPreview;
      assert.ok(islandUrl, "the build has a PointsPreview bundle");
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
        ["the PointsPreview island hydrates and recomputes", async () => {
          await waitForHydration(page, ISLAND);
          for (const file of [islandFile, ...sharedChunks]) {
            const cc = jsResponses.get(`/assets/${file}`);
            assert.ok(
              cc !== undefined,
              `/assets/${file} was loaded (got ${[...jsResponses.keys()]})`,
            );
            assert.match(cc, /immutable/, `Cache-Control of /assets/${file}`);
          }
          const points = page.locator(`${ISLAND} [data-testid=points]`);
          await waitForText(points, "18.51"); // 12.34 EUR × 1.5, not rounded
          const screenshot = Deno.env.get("SCREENSHOT");
          if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
          await page.getByRole("button", { name: "Always round up" }).click();
          await waitForText(points, "19.00");
          await page.getByRole("button", { name: "Always round down" }).click();
          await waitForText(points, "18.00");
          await page.locator(`${ISLAND} input[name=spend]`).fill("10");
          await page.getByRole("button", { name: "Round to nearest" }).click();
          await waitForText(points, "15.00");
          assert.equal(
            await page.getByRole("button", { name: "Round to nearest" }).getAttribute(
              "aria-pressed",
            ),
            "true",
          );
          assert.deepEqual(pageErrors, [], "no uncaught error in the page");
        }],
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
