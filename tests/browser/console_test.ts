import assert from "node:assert/strict";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { join } from "node:path";
import { DIST_DIR } from "../../web/assets.ts";
import { buildIslands } from "../../web/build.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { freePort, type RunningServer, startServer } from "./server.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();
const ADMIN_EMAIL = "owner@example.com";
const ADMIN_PASSWORD = "browser test password 42";
const ISLAND = '[data-island="PointsPreview"]';

/** playwright-core has no `expect`: poll a locator's text until it matches. */
async function waitForText(locator: Locator, expected: string, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  let last: string | null = null;
  while (Date.now() < until) {
    last = await locator.textContent();
    if (last?.trim() === expected) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(last?.trim(), expected, `text of ${locator} after ${timeoutMs} ms`);
}

Deno.test({
  name: "console in a real browser: no-JS sign-in, island hydration, sign-out",
  // Skipped only on a developer machine without the browser; CI must have it.
  ignore: !hasChromium && Deno.env.get("CI") !== "true",
  async fn(t) {
    assert.ok(hasChromium, `${CHROMIUM} is missing (CI=true needs the browser)`);
    const manifest = await buildIslands();
    const islandUrl = manifest.islands.PointsPreview;
    assert.ok(islandUrl, "the build has a PointsPreview bundle");
    const islandFile = islandUrl.slice(islandUrl.lastIndexOf("/") + 1);
    // The chunks this island imports (Preact's among them) must load too.
    const islandCode = await Deno.readTextFile(join(DIST_DIR, islandFile));
    const sharedChunks = [...islandCode.matchAll(/"\.\/(chunk-[A-Z0-9]+\.js)"/g)].map((m) => m[1]);
    assert.ok(sharedChunks.length > 0, "the island imports a shared chunk");

    let database: TestDatabase | undefined = await createTestDatabase();
    // The server opens its own memory:// database; the test's one is not needed.
    if (database.kind === "pglite") {
      await database.close();
      database = undefined;
    }
    const dbUrl = database?.url ?? "memory://";

    let server: RunningServer | undefined;
    let browser: Browser | undefined;
    try {
      const port = freePort();
      server = await startServer({
        PORT: String(port),
        DATABASE_URL: dbUrl,
        ADMIN_EMAIL,
        ADMIN_PASSWORD,
        LOG_REQUESTS: "false",
      });
      const base = server.url;

      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
      const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
      const page: Page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const requests: { url: string; type: string }[] = [];
      const jsResponses = new Map<string, string>();
      const pageErrors: string[] = [];
      page.on("request", (r) => requests.push({ url: r.url(), type: r.resourceType() }));
      page.on("response", (r) => {
        const path = new URL(r.url()).pathname;
        if (path.endsWith(".js")) jsResponses.set(path, r.headers()["cache-control"] ?? "");
      });
      page.on("pageerror", (e) => pageErrors.push(String(e)));

      const steps: [string, () => Promise<void>][] = [
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
          await page.getByLabel("Email").fill(ADMIN_EMAIL);
          await page.getByLabel("Password").fill(ADMIN_PASSWORD);
          await Promise.all([
            page.waitForURL((u) => u.pathname === "/console"),
            page.getByRole("button", { name: "Sign in" }).click(),
          ]);
          assert.match(page.url(), /\/console$/);
          assert.equal((await page.locator("h1").textContent())?.trim(), "Overview");
        }],
        ["the PointsPreview island hydrates and recomputes", async () => {
          await page.waitForSelector(`${ISLAND}[data-hydrated="true"]`, { state: "attached" });
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
      for (const [name, fn] of steps) {
        // A later step depends on the earlier ones: stop at the first failure.
        if (!(await t.step(name, fn))) {
          console.error(`server output:\n${server.output()}`);
          break;
        }
      }
    } finally {
      await browser?.close().catch(() => {});
      await server?.stop();
      await database?.close();
    }
  },
});
