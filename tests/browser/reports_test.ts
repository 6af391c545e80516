/**
 * The overview and the reports in Chromium on a generated month (seeded through the services
 * before the server starts): the headline figures and a chart, the reports' charts with their
 * hover details, a filter applied through the form, a table's CSV downloaded and equal to the
 * table, a bad filter named. With SCREENSHOTS=<folder>, saves overview.png and reports.png.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PASSWORD } from "../helpers/app.ts";
import { seedMonth } from "../helpers/month.ts";
import {
  openFromNavigation,
  signIn,
  skipBrowserTest,
  type Steps,
  waitFor,
  waitForHydration,
  withBrowserApp,
} from "./harness.ts";

const CHART = '[data-island="ChartHover"]';
const screenshots = Deno.env.get("SCREENSHOTS");

Deno.test({
  name: "overview and reports in a real browser: charts, a filter, a CSV download",
  ignore: skipBrowserTest,
  fn: (t) =>
    withBrowserApp(t, {
      viewport: { width: 1280, height: 900 },
      seed: async (db) => void await seedMonth(db, { name: "Acme Retail", salesPerDay: 5 }),
    }, async (app) => {
      const { baseUrl: base, page, pageErrors } = app;
      const steps: Steps = [
        ["the overview shows the month's headline figures and a chart", async () => {
          await signIn(page, { baseUrl: base, password: PASSWORD });
          const issued = (await page.locator('[data-figure="Points issued"] dd').textContent())!;
          assert.match(issued, /^[1-9][\d,]*\.\d\d/, `points issued: ${issued}`);
          assert.match(
            (await page.locator('[data-figure="Outstanding liability"] dd').textContent())!,
            /^€[\d,]+\.\d\d/,
          );
          assert.match(
            (await page.locator('[data-figure="Member share of spend"] dd').textContent())!,
            /^\d+\.\d%/,
          );
          assert.ok(await page.locator(`${CHART} svg`).first().isVisible());
          if (screenshots) {
            await page.screenshot({ path: join(screenshots, "overview.png"), fullPage: true });
          }
        }],
        ["the reports page: five charts, their tables, hover details", async () => {
          await openFromNavigation(page, "Reports", "/console/reports");
          assert.equal(await page.locator("section.report").count(), 5);
          assert.equal(await page.locator(`section.report ${CHART} svg`).count(), 5);
          await waitForHydration(page, CHART);
          assert.equal(await page.locator('table[data-report="points"] tbody tr').count(), 30);
          const chart = page.locator(`#report-points ${CHART} .chart-svg`);
          const box = (await chart.boundingBox())!;
          await page.mouse.move(box.x + box.width - 40, box.y + box.height / 2);
          await waitFor("the hover details", async () =>
            /Issued: [\d,]+\.\d\d/.test(
              await page.locator(`#report-points .chart-tip`).textContent().catch(() => "") ?? "",
            ));
          await page.mouse.move(0, 0);
          if (screenshots) {
            await page.screenshot({ path: join(screenshots, "reports.png"), fullPage: false });
          }
        }],
        ["a filter applied: store 2 only", async () => {
          await page.getByLabel("Store").selectOption({ label: "2 Manhattan" });
          await Promise.all([
            page.waitForURL((u) => u.searchParams.has("store")),
            page.locator("form.report-filters").getByRole("button", { name: "Show" }).click(),
          ]);
          const stores = await page.locator('table[data-report="members"] tbody tr td:nth-child(2)')
            .allTextContents();
          assert.ok(stores.length > 0);
          assert.deepEqual([...new Set(stores)], ["2 Manhattan"]);
        }],
        ["a table's CSV downloads and is that table", async () => {
          const section = page.locator("#report-members");
          const [download] = await Promise.all([
            page.waitForEvent("download"),
            section.getByRole("link", { name: "Download this table (CSV)" }).click(),
          ]);
          assert.match(
            download.suggestedFilename(),
            /-members-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/,
          );
          const csv = await Deno.readTextFile((await download.path())!);
          const lines = csv.trimEnd().split("\r\n");
          const headers = await section.locator("thead th").allTextContents();
          assert.equal(lines[0], headers.join(","));
          const rows = await section.locator("tbody tr").all();
          assert.equal(lines.length - 1, rows.length);
          // The first row: the same store, counts and amounts, written plainly.
          const cells = await rows[0].locator("td").allTextContents();
          const fields = lines[1].split(",");
          assert.equal(fields[1], cells[1]);
          assert.equal(fields[2], cells[2]);
          assert.equal(`€${fields[3]}`, cells[3].replaceAll(",", ""));
        }],
        ["a bad filter is named beside its field and shows no report", async () => {
          await page.getByLabel("From", { exact: true }).fill("2026-03-10");
          await page.getByLabel("To", { exact: true }).fill("2026-03-01");
          await Promise.all([
            page.waitForURL((u) => u.searchParams.get("to") === "2026-03-01"),
            page.locator("form.report-filters").getByRole("button", { name: "Show" }).click(),
          ]);
          assert.equal(
            (await page.locator("#to-error").textContent())?.trim(),
            "must not be before from",
          );
          assert.equal(await page.locator("section.report").count(), 0);
          assert.deepEqual(pageErrors, [], "no uncaught error in the page");
        }],
      ];
      await app.runSteps(steps);
    }),
});
