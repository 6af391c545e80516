/**
 * The impact panel on the demo data in a real browser: a draft that doubles more, run on the
 * last 30 days, the result beside the published version, one sale's rule-by-rule comparison,
 * the kept result on reload; the progress bar and its cancel button on a job still running.
 */
import assert from "node:assert/strict";
import type { Page, Route } from "playwright-core";
import { loadDemo } from "../../demo/load.ts";
import { DEMO_RULES } from "../../demo/rules.ts";
import type { Db } from "../../db/connection.ts";
import {
  openFromNavigation,
  signIn,
  skipBrowserTest,
  type Steps,
  waitFor,
  waitForHydration,
  withBrowserApp,
} from "./harness.ts";

const ISLAND = '[data-island="RuleEditor"]';

Deno.test({
  name: "impact panel in a real browser, on the demo's month of sales",
  ignore: skipBrowserTest,
  fn: async (t) => {
    let login = { email: "", password: "" };
    const seed = async (db: Db) => {
      const demo = await loadDemo(db, {
        customers: 300,
        items: 60,
        giftCards: 0,
        coupons: 0,
        sales: 500,
        force: false,
        issuer: "http://localhost",
      });
      login = { email: demo.email, password: demo.password };
    };
    await withBrowserApp(t, { seed, viewport: { width: 1280, height: 1000 } }, async (app) => {
      const { baseUrl: base, page, pageErrors } = app;
      const panel = () =>
        page.locator(ISLAND).getByRole("region", { name: "Impact on real sales" });
      const result = () => panel().getByLabel("Impact result");
      let groupId = "";

      const steps: Steps = [
        ["a draft that doubles every Tuesday for every member, saved through the API", async () => {
          const token = (await (await fetch(`${base}/api/auth/token`, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(login),
          })).json()).token;
          const call = async (method: string, path: string, body?: unknown) => {
            const res = await fetch(`${base}/api/admin/v1${path}`, {
              method,
              headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
              body: body === undefined ? undefined : JSON.stringify(body),
            });
            const json = await res.json();
            assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
            return json;
          };
          const groups = await call("GET", "/merchant-groups");
          groupId = (groups.items ?? groups)[0].id;
          const set = await call("GET", `/merchant-groups/${groupId}/rules`);
          const rules = DEMO_RULES.map((r) =>
            r.id === "double-tuesday-gold"
              ? {
                ...r,
                conditions: { all: [{ fact: "dayOfWeek", operator: "in", value: [2, 5] }] },
              }
              : r
          );
          await call("PUT", `/merchant-groups/${groupId}/rules/draft`, {
            version: set.draft.version,
            rules,
          });
        }],
        ["the rules page opens with no impact for this draft yet", async () => {
          await signIn(page, { baseUrl: base, ...login });
          await openFromNavigation(page, "Rules", "/console/rules");
          await waitForHydration(page, ISLAND);
          await panel().getByText("No impact computed for this draft yet").waitFor();
        }],
        ["a bad window is refused next to its field", async () => {
          await panel().getByLabel("Days back").fill("400");
          await panel().getByRole("button", { name: "Run" }).click();
          const days = panel().getByLabel("Days back");
          await waitFor(
            "days invalid",
            async () => (await days.getAttribute("aria-invalid")) === "true",
          );
        }],
        ["run on the last 30 days: the result beside the published version", async () => {
          await panel().getByLabel("Days back").fill("30");
          await panel().getByRole("button", { name: "Run" }).click();
          await result().waitFor({ timeout: 60_000 });
          const window = await result().getByTestId("impact-window").textContent();
          assert.match(
            window ?? "",
            /Draft version \d+ beside published version 1, on [\d,]+ sales of the last 30 days/,
          );
          const change = await result().getByTestId("impact-points-change").textContent();
          assert.match(change ?? "", /^\+[\d,]+\.\d\d$/, "Fridays doubled too: more points");
          const perRule = await result().getByRole("table", { name: "Points per rule" })
            .locator("tbody tr", { hasText: "Double points on Tuesdays for GOLD" }).textContent();
          assert.match(perRule ?? "", /\+[\d,]+\.\d\d/);
          await result().getByRole("table", { name: "Points per store" }).waitFor();
          await result().getByRole("table", { name: "Points per customer category" }).waitFor();
          const top = result().getByRole("table", { name: "The sales that change most" });
          const rows = await top.locator("tbody tr").count();
          assert.ok(rows > 0 && rows <= 20, `${rows} sales listed`);
          assert.match(
            await top.locator("tbody tr").first().textContent() ?? "",
            /\d{2}:\d{2} UTC\+0[12]:00/,
            "times on the store's clock",
          );
        }],
        ["open the sale that changes most: rule by rule, why under each version", async () => {
          const top = result().getByRole("table", { name: "The sales that change most" });
          await top.getByRole("button", { name: /^Compare sale / }).first().click();
          const compare = panel().getByRole("region", { name: /^Sale .* compared$/ });
          await compare.waitFor();
          const row = await compare.getByRole("table", { name: "Rule by rule" })
            .locator("tr", { hasText: "Double points on Tuesdays for GOLD" }).textContent();
          assert.match(row ?? "", /did not fire: .*Customer category 1 is GOLD|Day of week/);
          assert.match(row ?? "", /earned [\d,]+\.\d\d/);
          const shot = Deno.env.get("IMPACT_SCREENSHOT");
          if (shot) await panel().screenshot({ path: shot });
        }],
        ["reloaded, the page shows the kept result of the draft", async () => {
          await page.reload();
          await waitForHydration(page, ISLAND);
          await result().waitFor();
        }],
        ["a job still running shows its progress, and cancel stops it", async () => {
          // The replay of 500 sales finishes at once: a slow job is played by the network layer.
          const path = `/api/admin/v1/merchant-groups/${groupId}/rules/draft/impact`;
          const job = (status: string, done: number) => ({
            id: "slow",
            status,
            draftVersion: 0,
            publishedVersion: 1,
            days: 365,
            from: new Date().toISOString(),
            to: new Date().toISOString(),
            progress: { done, total: 10_000 },
            startedAt: new Date().toISOString(),
            finishedAt: status === "running" ? null : new Date().toISOString(),
            error: null,
            result: null,
          });
          let cancelled = false;
          const answer = (route: Route, body: unknown, status = 200) =>
            route.fulfill({ status, contentType: "application/json", body: JSON.stringify(body) });
          await page.route(
            `**${path}`,
            (route) =>
              route.request().method() === "POST"
                ? answer(route, job("running", 0), 202)
                : route.fallback(),
          );
          await page.route(
            `**${path}/slow`,
            (route) => answer(route, job(cancelled ? "cancelled" : "running", 2_500)),
          );
          await page.route(`**${path}/slow/cancel`, (route) => {
            cancelled = true;
            return answer(route, job("cancelled", 2_500));
          });
          await panel().getByLabel("Days back").fill("365");
          await panel().getByRole("button", { name: "Run" }).click();
          const bar = panel().getByRole("progressbar", { name: "Replay progress" });
          await waitFor(
            "2,500 of 10,000",
            async () =>
              (await bar.getAttribute("value")) === "2500" &&
              (await panel().getByText("2,500 of 10,000 sales replayed").count()) > 0,
          );
          await panel().getByRole("button", { name: "Cancel" }).click();
          await panel().getByText(/^Cancelled after 2,500 of 10,000 sales replayed/).waitFor();
          assert.equal(await bar.count(), 0);
          await (page as Page).unrouteAll();
          assert.deepEqual(pageErrors, [], "no uncaught error in the page");
        }],
      ];
      await app.runSteps(steps);
    });
  },
});
