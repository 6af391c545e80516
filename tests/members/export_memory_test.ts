/**
 * The member export streams with bounded memory: EXPORT_MEMBERS (default 30,000) members
 * inserted set-based, the CSV read to its end through the admin API, in a process of its own
 * (tests/bench/export_bench.ts --json) so that no other test's allocations count. Asserted:
 * every row arrives, the live heap (after forced collections) grows by less than a page's
 * worth of slack, and the peak RSS growth stays under a bound far below what holding the
 * members would take. `deno task bench:export` measures 200,000 (the figures in the README).
 */
import assert from "node:assert/strict";
import type { ExportRun } from "../helpers/bulk_members.ts";
import { mb } from "../helpers/bulk_members.ts";

const MEMBERS = Number(Deno.env.get("EXPORT_MEMBERS") ?? 30_000);
/** Bounds, in MB: a page is 1,000 members (about 0.2 MB of CSV); all of them would be far more. */
const LIVE_HEAP_GROWTH_MB = 16;
const RSS_GROWTH_MB = 160;

Deno.test(`member export: ${MEMBERS} members stream with bounded memory`, async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      new URL("../bench/export_bench.ts", import.meta.url).pathname,
      "--json",
    ],
    env: { MEMBERS: String(MEMBERS) },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  const run: ExportRun = JSON.parse(lines[lines.length - 1]);
  console.log(
    `${MEMBERS} members: ${Math.round(run.rowsPerSecond)} rows/s, RSS +${
      mb(run.rssPeak - run.rssBefore)
    } MB, live heap +${mb(run.liveHeapPeak! - run.liveHeapBefore!)} MB`,
  );
  assert.equal(run.rows, MEMBERS, "every member once");
  assert.ok(
    run.liveHeapPeak! - run.liveHeapBefore! < LIVE_HEAP_GROWTH_MB * 2 ** 20,
    `live heap grew by ${mb(run.liveHeapPeak! - run.liveHeapBefore!)} MB`,
  );
  assert.ok(
    run.rssPeak - run.rssBefore < RSS_GROWTH_MB * 2 ** 20,
    `RSS grew by ${mb(run.rssPeak - run.rssBefore)} MB`,
  );
});
