/**
 * The reports page's and the overview's server time on a generated month (tests/helpers/
 * month.ts: two stores, SALES_PER_DAY sales per store and day on average, returns,
 * adjustments): each page asked RUNS times in process, after one warm-up, the median and the
 * slowest printed.
 *
 *   deno run -A tests/bench/reports_page_bench.ts                     # in-memory PGlite
 *   TEST_DATABASE_URL=postgres://… deno run -A tests/bench/reports_page_bench.ts
 *
 * A script, not Deno.bench: one expensive setup, then a few timings.
 */
import { createTestApp, ORIGIN, signIn } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { generateMonth } from "../helpers/month.ts";

const RUNS = Number(Deno.env.get("RUNS") ?? 10);
const SALES_PER_DAY = Number(Deno.env.get("SALES_PER_DAY") ?? 8);

if (import.meta.main) {
  const t = await createTestApp();
  try {
    const month = await generateMonth(t, { name: "Bench", salesPerDay: SALES_PER_DAY });
    const { cookie } = await signIn(t, "owner@example.com");
    console.log(
      `${testBackend}: ${month.counts.sales} sales, ${month.counts.returns} returns, ` +
        `${month.counts.adjustments} adjustments over ${month.from}..${month.to}`,
    );
    for (const path of ["/console/reports", "/console"]) {
      const ask = async () => {
        const started = performance.now();
        const res = await t.app.request(ORIGIN + path, { headers: { Cookie: cookie } });
        await res.text();
        if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
        return performance.now() - started;
      };
      await ask();
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) times.push(await ask());
      times.sort((a, b) => a - b);
      console.log(
        `${path}: median ${times[Math.floor(RUNS / 2)].toFixed(0)} ms, ` +
          `slowest ${times.at(-1)!.toFixed(0)} ms (${RUNS} runs)`,
      );
    }
  } finally {
    await t.close();
  }
}
