import assert from "node:assert/strict";
import type { Page, Request } from "playwright-core";
import {
  ownerToken,
  signIn,
  skipBrowserTest,
  type Steps,
  waitFor,
  waitForHydration,
  waitForText,
  withBrowserApp,
} from "./harness.ts";

const ISLAND = '[data-island="InstrumentGenerator"]';
/** The series' instrument count, an island that shares its signal with the generator. */
const COUNT = '[data-island="InstrumentCount"] a';
const PREFIX = "6012";
/**
 * How long to wait for a batch to finish (100,000 at most). The island polls every 500 ms; on a
 * quiet machine 100,000 takes a few seconds, but CI shares two cores with a database server
 * and a browser, so the wait is generous: it bounds a hang, it measures nothing.
 */
const GENERATION_TIMEOUT = 90_000;

interface GenerationView {
  id: string;
  seriesId: string;
  count: number;
  created: number;
  status: "running" | "done" | "failed";
}

/** A POST of a generation by the island, as the browser sent it. */
interface GenerationPost {
  key: string;
  csrf: string;
  count: number;
}

const isGenerationPost = (r: Request) =>
  r.method() === "POST" &&
  /^\/api\/admin\/v1\/series\/[^/]+\/instruments$/.test(new URL(r.url()).pathname);

/**
 * Records every state of the island's progress (`created/max|text`), as the DOM shows it,
 * so that the test sees each step however briefly it lasts. Reset on each call.
 */
async function recordProgress(page: Page) {
  await page.evaluate((selector) => {
    const root = document.querySelector(selector)!;
    const seen: string[] = [];
    (globalThis as unknown as { progressSeen: string[] }).progressSeen = seen;
    const snap = () => {
      const bar = root.querySelector("progress");
      const text = root.querySelector('[role="status"] span')?.textContent ?? "";
      const entry = bar ? `${bar.value}/${bar.max}|${text}` : "";
      if (entry && seen.at(-1) !== entry) seen.push(entry);
    };
    snap();
    new MutationObserver(snap).observe(root, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
  }, ISLAND);
}

async function progressSeen(page: Page): Promise<{ value: number; max: number; text: string }[]> {
  const seen = await page.evaluate(() =>
    (globalThis as unknown as { progressSeen: string[] }).progressSeen
  );
  return seen.map((entry) => {
    const [bar, text] = entry.split("|");
    const [value, max] = bar.split("/").map(Number);
    return { value, max, text };
  });
}

Deno.test({
  name: "series in a real browser: create a gift-card series, generate 20,000 with progress, " +
    "create a coupon series",
  ignore: skipBrowserTest,
  fn: (t) =>
    withBrowserApp(t, {}, async (app) => {
      const { baseUrl: base, page, pageErrors } = app;

      /** The admin API as a script calls it, with the owner's bearer token. */
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
      /** Every instrument of the series, a page of 200 at a time. */
      const allInstruments = async (seriesId: string) => {
        const items: { number: string; status: string; generationId: string | null }[] = [];
        let cursor: string | null = null;
        do {
          const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
          const page = await admin("GET", `/series/${seriesId}/instruments?limit=200${q}`);
          items.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
        return items;
      };
      /** The audit entries of the series' generations: one per batch ever accepted. */
      const generationsAudited = async (seriesId: string) => {
        const { items } = await admin(
          "GET",
          `/audit?entity=series&entityId=${seriesId}&limit=200`,
        );
        return (items as { action: string; after: { generationId: string; count: number } }[])
          .filter((e) => e.action === "generate").map((e) => e.after).reverse();
      };

      const island = page.locator(ISLAND);
      const countInput = island.getByLabel("Instruments to generate");
      const generate = island.getByRole("button", { name: "Generate" });
      const status = island.getByRole("status");
      const progress = island.getByRole("progressbar", { name: "Gift cards generation" });

      // What the island sent and got back.
      const posts: GenerationPost[] = [];
      const accepted: GenerationView[] = [];
      page.on("request", (r) => {
        if (!isGenerationPost(r)) return;
        const headers = r.headers();
        posts.push({
          key: headers["idempotency-key"] ?? "",
          csrf: headers["x-csrf-token"] ?? "",
          count: JSON.parse(r.postData() ?? "{}").count,
        });
      });
      page.on("response", async (res) => {
        if (!isGenerationPost(res.request()) || res.status() !== 202) return;
        accepted.push((await res.json()).generation);
      });

      let org = { id: "" };
      let group = { id: "", name: "Paris programme" };
      let seriesId = "";
      let first: GenerationView | undefined;

      /**
       * The next generation POST reaches the server (which starts the batch) but its answer is
       * lost: the browser sees the connection drop. Returns what the server answered.
       */
      const loseNextAnswer = async () => {
        const lost: GenerationView[] = [];
        await page.route("**/api/admin/v1/series/*/instruments", async (route) => {
          const res = await route.fetch();
          lost.push((await res.json()).generation);
          await route.abort("connectionreset");
        }, { times: 1 });
        return lost;
      };

      /** Types `count`, presses Generate and waits for the island to show the batch done. */
      const generateAndWait = async (count: number) => {
        const answered = accepted.length;
        await countInput.fill(String(count));
        await generate.click();
        const n = count.toLocaleString("en-US");
        await waitForText(
          status,
          `${n} of ${n} — done. See the instruments`,
          GENERATION_TIMEOUT,
        );
        // The island may show "done" before the response listener has read the answer (a
        // retry gets an already finished batch back at once).
        await waitFor(
          "the answer to be recorded",
          () => Promise.resolve(accepted.length > answered),
        );
      };

      const steps: Steps = [
        ["setup through the API: an organization and a merchant group", async () => {
          bearer = await ownerToken(base);
          org = await admin("POST", "/organizations", { name: "Acme Retail" });
          group = await admin("POST", "/merchant-groups", {
            organizationId: org.id,
            name: group.name,
          });
        }],
        ["the owner signs in and opens the group's series page", async () => {
          await signIn(page, { baseUrl: base });
          await page.goto(`${base}/console/series?group=${group.id}`);
          assert.equal((await page.locator("h1").textContent())?.trim(), "Series");
          await page.getByText(`${group.name} has no series yet.`).waitFor();
          assert.equal(await island.count(), 0, "no generator without a series");
        }],
        ["create a gift-card series through the form", async () => {
          const form = page.locator("form.series-form");
          await form.getByLabel("Name").fill("Gift cards");
          await form.getByLabel("Instrument type").selectOption({ label: "Gift card" });
          await form.getByLabel("Number prefix").fill(PREFIX);
          await form.getByLabel("Currency").fill("EUR");
          await form.getByLabel("Initial value").fill("25.00");
          await Promise.all([
            page.waitForURL((u) =>
              u.pathname === "/console/series" && u.hash.startsWith("#series-")
            ),
            form.getByRole("button", { name: "Create series" }).click(),
          ]);
          await page.getByText("Series Gift cards created.").waitFor();
          seriesId = new URL(page.url()).hash.slice("#series-".length);
          const card = page.locator(`#series-${seriesId}`);
          await card.getByRole("heading", { name: "Gift cards Gift card" }).waitFor();
          assert.equal(await card.getByRole("link", { name: "0", exact: true }).count(), 1);
          await waitForText(card.locator('[data-figure="outstanding"]'), "€0.00");
          const series = await admin("GET", `/series/${seriesId}`);
          assert.deepEqual(
            [series.merchantGroupId, series.type, series.prefix, series.currency],
            [group.id, "gift-card", PREFIX, "EUR"],
          );
          assert.equal(series.initialValue, 2500, "25.00 EUR in cents");
        }],
        ["generate 20,000: the progress advances to done", async () => {
          await waitForHydration(page, ISLAND);
          assert.equal(await status.count(), 0, "no progress before the first batch");
          await recordProgress(page);
          await generateAndWait(20_000);

          assert.equal(posts.length, 1, "one POST");
          const csrf = await page.locator('meta[name="csrf-token"]').getAttribute("content");
          assert.ok(csrf, "the page has a CSRF token");
          assert.deepEqual(posts[0], { key: posts[0].key, csrf, count: 20_000 });
          assert.ok(posts[0].key.length > 0, "an Idempotency-Key is sent");
          assert.equal(accepted.length, 1);
          first = accepted[0];

          const seen = await progressSeen(page);
          assert.deepEqual(seen[0], { value: 0, max: 20_000, text: "0 of 20,000" });
          assert.deepEqual(seen.at(-1), {
            value: 20_000,
            max: 20_000,
            text: "20,000 of 20,000 — done. See the instruments",
          });
          for (const [i, s] of seen.entries()) {
            assert.equal(s.max, 20_000);
            const shown = Number(s.text.split(" of ")[0].replaceAll(",", ""));
            assert.equal(shown, s.value, `the text says what the bar shows: ${s.text}`);
            if (i > 0) assert.ok(s.value >= seen[i - 1].value, `never backwards: ${seen}`);
            // The batch commits its rows and its count together: progress is in batches.
            assert.equal(s.value % 2_000, 0, `whole batches only: ${s.text}`);
          }
          assert.equal(await progress.evaluate((el: HTMLProgressElement) => el.value), 20_000);
          assert.equal(await generate.getAttribute("aria-disabled"), null, "usable again");
          // The count beside it follows, without a reload.
          await waitForText(page.locator(`#series-${seriesId} ${COUNT}`), "20,000");
          console.log(`progress seen: ${seen.map((s) => s.value).join(" → ")}`);
        }],
        ["the API has the generation done and exactly 20,000 instruments", async () => {
          const { generation } = await admin("GET", `/generations/${first!.id}`);
          assert.deepEqual(
            [generation.seriesId, generation.count, generation.created, generation.status],
            [seriesId, 20_000, 20_000, "done"],
          );
          const items = await allInstruments(seriesId);
          assert.equal(items.length, 20_000);
          assert.equal(new Set(items.map((i) => i.number)).size, 20_000, "numbers are unique");
          assert.ok(items.every((i) => i.number.startsWith(PREFIX)), "numbers carry the prefix");
          assert.ok(items.every((i) => i.status === "inactive"), "generated inactive");
          assert.ok(items.every((i) => i.generationId === first!.id));
          // The island's link leads to them.
          await Promise.all([
            page.waitForURL((u) =>
              u.pathname === "/console/instruments" && u.searchParams.get("series") === seriesId
            ),
            status.getByRole("link", { name: "See the instruments" }).click(),
          ]);
          assert.equal(await page.getByRole("row").count(), 51, "the header and a page of 50");
        }],
        ["Generate again with a new count: a second batch, with a new key", async () => {
          await page.goto(`${base}/console/series?group=${group.id}`);
          const card = page.locator(`#series-${seriesId}`);
          await card.getByRole("link", { name: "20,000", exact: true }).waitFor();
          await waitForHydration(page, ISLAND);
          await generateAndWait(1_500);
          await waitForText(card.locator(COUNT), "21,500");
          assert.equal(posts.length, 2);
          assert.notEqual(posts[1].key, posts[0].key, "a new batch has a new key");
          assert.equal(accepted.length, 2);
          assert.notEqual(accepted[1].id, first!.id, "a second generation");
          assert.deepEqual(
            (await generationsAudited(seriesId)).map((g) => g.count),
            [20_000, 1_500],
          );
        }],
        ["a lost answer, then Generate again: the same key, no second batch", async () => {
          const lost = await loseNextAnswer();
          await countInput.fill("2500");
          await generate.click();
          await island.getByRole("alert").getByText(
            "The server could not be reached: check the connection. " +
              "Press Generate again: the same batch will not be made twice.",
          ).waitFor();
          assert.equal(lost.length, 1, "the server accepted the lost POST");
          assert.equal(posts.length, 3);
          await generateAndWait(2_500);
          assert.equal(posts.length, 4);
          assert.equal(posts[3].key, posts[2].key, "the retry reuses the key");
          assert.equal(accepted.at(-1)!.id, lost[0].id, "and gets the same generation back");
          assert.equal(await island.getByRole("alert").count(), 0, "the alert is gone");
          assert.deepEqual(
            (await generationsAudited(seriesId)).map((g) => g.count),
            [20_000, 1_500, 2_500],
          );
        }],
        [
          "a lost answer, then a reload while it runs: the page shows it, Generate makes nothing",
          async () => {
            const lost = await loseNextAnswer();
            // The largest batch: it runs for seconds, well past the reload.
            await countInput.fill("100000");
            await generate.click();
            await island.getByRole("alert").waitFor();
            assert.equal(lost.length, 1);
            const before = posts.length;
            await page.reload();
            await waitForHydration(page, ISLAND);
            // The server rendered the running batch: the island polls it from there.
            await status.getByText(/^[\d,]+ of 100,000$/).waitFor();
            assert.equal(await generate.getAttribute("aria-disabled"), "true");
            // Playwright would wait for the button to be enabled; a person clicks anyway.
            await generate.click({ force: true });
            await waitForText(
              status,
              "100,000 of 100,000 — done. See the instruments",
              GENERATION_TIMEOUT,
            );
            assert.equal(posts.length, before, "no POST after the reload");
            // The batch the reloaded page polled to its end: the count follows it too.
            await waitForText(page.locator(`#series-${seriesId} ${COUNT}`), "124,000");
            const audited = await generationsAudited(seriesId);
            assert.deepEqual(audited.map((g) => g.count), [20_000, 1_500, 2_500, 100_000]);
            assert.equal(audited[3].generationId, lost[0].id);
            await page.reload();
            await page.locator(`#series-${seriesId}`)
              .getByRole("link", { name: "124,000", exact: true }).waitFor();
            assert.deepEqual(pageErrors, [], "no uncaught error in the pages");
          },
        ],
        [
          "a lost answer, the batch finishes, then a reload and Generate: the same key, no second batch",
          async () => {
            const lost = await loseNextAnswer();
            await countInput.fill("500");
            await generate.click();
            await island.getByRole("alert").waitFor();
            const lostKey = posts.at(-1)!.key;
            await waitFor("the lost batch to finish", async () => {
              const { generation } = await admin("GET", `/generations/${lost[0].id}`);
              return generation.status === "done";
            }, GENERATION_TIMEOUT);
            // Nothing is running now, so the page has no batch to show: only the island's
            // remembered key can keep the retry from making a second batch.
            await page.reload();
            await waitForHydration(page, ISLAND);
            await generateAndWait(500);
            assert.equal(posts.at(-1)!.key, lostKey, "the retry after the reload reuses the key");
            assert.equal(accepted.at(-1)!.id, lost[0].id, "and gets the same generation back");
            const audited = await generationsAudited(seriesId);
            assert.deepEqual(audited.map((g) => g.count), [20_000, 1_500, 2_500, 100_000, 500]);
          },
        ],
        ["create a coupon series through the form: 10% off shoes, from a start time", async () => {
          const form = page.locator("form.series-form");
          const field = (name: string) => form.locator(`[name="${name}"]`);
          await form.getByLabel("Name").fill("Shoe coupons");
          await form.getByLabel("Instrument type").selectOption({ label: "Coupon" });
          await form.getByLabel("Number prefix").fill("SHW");
          await field("maxUses").fill("3");
          await field("benefit.kind").selectOption({ label: "A percent off" });
          await field("benefit.percent").fill("10");
          await field("benefit.selector.categories").fill("SHOES");
          await field("startsAt").fill("2026-06-01T09:00");
          await Promise.all([
            page.waitForURL((u) => u.hash.startsWith("#series-") && !u.hash.endsWith(seriesId)),
            form.getByRole("button", { name: "Create series" }).click(),
          ]);
          await page.getByText("Series Shoe coupons created.").waitFor();
          const couponsId = new URL(page.url()).hash.slice("#series-".length);
          const card = page.locator(`#series-${couponsId}`);
          await card.getByText("10% off SHOES").waitFor();
          await card.getByText("1 Jun 2026, 09:00 UTC", { exact: true }).waitFor();
          const series = await admin("GET", `/series/${couponsId}`);
          assert.deepEqual(
            [series.type, series.maxUses, series.benefit, series.startsAt],
            [
              "coupon",
              3,
              { kind: "percentOff", percent: 10, selector: { categories: ["SHOES"] } },
              "2026-06-01T09:00:00.000Z",
            ],
          );
          assert.deepEqual(pageErrors, [], "no uncaught error in the pages");
        }],
      ];
      await app.runSteps(steps);
    }),
});
