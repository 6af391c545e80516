/**
 * The shared set-up of the browser tests: a test database, `main.ts` in a subprocess, a
 * headless Chromium on it, what the page loaded and threw, and a few polling helpers
 * (playwright-core has no `expect`).
 */
import assert from "node:assert/strict";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import type { AssetManifest } from "../../web/assets.ts";
import { buildIslands } from "../../web/build.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { type Db, PGLITE_EXTENSIONS } from "../../db/connection.ts";
import { PGlite } from "@electric-sql/pglite";
import { freePort, type RunningServer, startServer } from "./server.ts";
import { createGroup } from "../../programme/groups.ts";
import { addMerchantToGroup, createMerchant } from "../../programme/merchants.ts";
import { createOrganization } from "../../registry/organizations.ts";
import { createSite } from "../../registry/sites.ts";
import { createStore } from "../../registry/stores.ts";
import { createOwner } from "../../staff/users.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();
/**
 * For `Deno.test({ ignore })`: skipped only on a developer machine without the browser; CI
 * must have it.
 */
export const skipBrowserTest = !hasChromium && Deno.env.get("CI") !== "true";

export const ADMIN_EMAIL = "owner@example.com";
export const ADMIN_PASSWORD = "browser test password 42";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * The signed-in owner's programme, seeded before the server starts: organization "Acme Retail",
 * site "Paris" with these stores, all under one merchant of the group "Paris programme".
 */
export async function seedProgramme(
  db: Db,
  opts: { stores: Parameters<typeof createStore>[2][]; merchantName: string },
) {
  const owner = (await createOwner(db, {
    email: ADMIN_EMAIL,
    name: "Olivia Owner",
    password: ADMIN_PASSWORD,
  }))!;
  const org = await createOrganization(db, "Acme Retail", owner);
  const site = await createSite(db, org.id, "Paris", owner);
  const stores = [];
  for (const store of opts.stores) stores.push(await createStore(db, site, store, owner));
  const group = await createGroup(db, { orgId: org.id, name: "Paris programme", actor: owner });
  const merchant = await createMerchant(db, {
    orgId: org.id,
    name: opts.merchantName,
    storeIds: stores.map((s) => s.id),
    actor: owner,
  });
  await addMerchantToGroup(db, group, merchant, owner);
  return { owner, org, site, stores, group, merchant };
}

export type Steps = [string, () => Promise<void>][];

export interface BrowserApp {
  /** The server's origin, e.g. `http://127.0.0.1:1234`. */
  baseUrl: string;
  server: RunningServer;
  browser: Browser;
  /** The first page, in a context with the requested viewport. */
  page: Page;
  /** What `buildIslands()` produced before the server started. */
  manifest: AssetManifest;
  /** Every request of `page`, in order. */
  requests: { url: string; type: string }[];
  /** Path of every `.js` response of `page` → its Cache-Control header. */
  jsResponses: Map<string, string>;
  /** Uncaught errors thrown in `page`. */
  pageErrors: string[];
  /**
   * Runs the steps in order as `t.step`s. A later step depends on the earlier ones: stops at
   * the first failure and prints what the server logged.
   */
  runSteps(steps: Steps): Promise<void>;
}

export interface BrowserAppOptions {
  viewport?: { width: number; height: number };
  /**
   * Writes to the database before the server starts (what no API makes yet). On PGlite the
   * seeded database is copied into a temporary folder the server opens as its data folder.
   */
  seed?: (db: Db) => Promise<void>;
  /** More environment for the server (e.g. SMTP_URL). */
  env?: Record<string, string>;
}

/**
 * Builds the islands, creates the test database (or lets the server use `memory://`), starts
 * the server and Chromium, runs `body`, then closes all of it, also on failure.
 */
export async function withBrowserApp(
  t: Deno.TestContext,
  options: BrowserAppOptions,
  body: (app: BrowserApp) => Promise<void>,
): Promise<void> {
  assert.ok(hasChromium, `${CHROMIUM} is missing (CI=true needs the browser)`);
  const manifest = await buildIslands();

  let database: TestDatabase | undefined = await createTestDatabase();
  let dataDir: string | undefined;
  if (options.seed) await options.seed(database.db);
  // The server opens its own memory:// database (or, seeded, a copy of the test's one in a
  // folder): the test's one is not needed.
  if (database.kind === "pglite") {
    if (options.seed) {
      const dump = await database.pglite!.dumpDataDir("none");
      dataDir = await Deno.makeTempDir({ prefix: "browser-db-" });
      await (await PGlite.create({ dataDir, loadDataDir: dump, extensions: PGLITE_EXTENSIONS }))
        .close();
    }
    await database.close();
    database = undefined;
  }
  const dbUrl = database?.url ?? (dataDir ? "" : "memory://");

  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startServer({
      PORT: String(freePort()),
      DATABASE_URL: dbUrl,
      ...(dataDir ? { DATA_DIR: dataDir } : {}),
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      ...options.env,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1100, height: 900 },
    });
    const page = await context.newPage();
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

    const running = server;
    const launched = browser;
    await body({
      baseUrl: running.url,
      server: running,
      browser,
      page,
      manifest,
      requests,
      jsResponses,
      pageErrors,
      async runSteps(steps) {
        for (const [name, fn] of steps) {
          if (!(await t.step(name, fn))) {
            // The server logs one line per request: what the page asked and what it got.
            console.error(`server output:\n${running.output()}`);
            if (pageErrors.length) console.error(`page errors:\n${pageErrors.join("\n")}`);
            // Every open page: a step may act in another context (an invited member's).
            for (const shown of launched.contexts().flatMap((c) => c.pages())) {
              const shot = await Deno.makeTempFile({ prefix: "browser-failure-", suffix: ".png" });
              await shown.screenshot({ path: shot, fullPage: true }).catch(() => {});
              console.error(`screenshot of the failure (${shown.url()}): ${shot}`);
            }
            break;
          }
        }
      },
    });
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    await database?.close();
    if (dataDir) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

/** Polls until `check` holds. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${what}: still not true after ${timeoutMs} ms`);
}

/** Polls a locator's text until, trimmed, it is `expected`. */
export async function waitForText(locator: Locator, expected: string, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  let last: string | null = null;
  while (Date.now() < until) {
    last = await locator.textContent();
    if (last?.trim() === expected) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(last?.trim(), expected, `text of ${locator} after ${timeoutMs} ms`);
}

/**
 * Polls until the focused element is named `expected`: its first of `name` / `aria-label`
 * (in the order `prefer` gives) / text content.
 */
export async function waitForFocus(
  page: Page,
  expected: string | RegExp,
  prefer: "name" | "aria-label" = "aria-label",
) {
  await waitFor(`focus on ${expected}`, async () => {
    const name = await page.evaluate((prefer) => {
      const el = document.activeElement;
      const [first, second] = prefer === "name" ? ["name", "aria-label"] : ["aria-label", "name"];
      return el?.getAttribute(first) ?? el?.getAttribute(second) ?? el?.textContent ?? "";
    }, prefer);
    return typeof expected === "string" ? name === expected : expected.test(name);
  });
}

/** Waits until the island matched by `selector` (e.g. `[data-island="X"]`) has hydrated. */
export async function waitForHydration(page: Page, selector: string) {
  await page.waitForSelector(`${selector}[data-hydrated="true"]`, { state: "attached" });
}

/**
 * Fills the sign-in form and submits it, then waits for /console. With `baseUrl`, opens
 * /login first; without, the page must already show the form.
 */
export async function signIn(
  page: Page,
  { baseUrl, email = ADMIN_EMAIL, password = ADMIN_PASSWORD }: {
    baseUrl?: string;
    email?: string;
    password?: string;
  } = {},
) {
  if (baseUrl) await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await Promise.all([
    page.waitForURL((u) => u.pathname === "/console"),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
}

/** Follows the console navigation's link `name`, waiting for `pathname`. */
export async function openFromNavigation(page: Page, name: string, pathname: string) {
  await Promise.all([
    page.waitForURL((u) => u.pathname === pathname),
    page.getByRole("navigation").getByRole("link", { name }).click(),
  ]);
}

/** The owner's bearer token for the admin API, as a script gets it. */
export async function ownerToken(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).token;
}

/**
 * Opens an invitation link in a fresh browser context, sets the password and waits for
 * /console; returns that signed-in page.
 */
export async function acceptInvite(
  browser: Browser,
  baseUrl: string,
  inviteUrl: string,
  password: string,
): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(baseUrl + new URL(inviteUrl).pathname);
  await page.getByLabel("Password").fill(password);
  await Promise.all([
    page.waitForURL((u) => u.pathname === "/console"),
    page.getByRole("button", { name: /Set password/ }).click(),
  ]);
  return page;
}
