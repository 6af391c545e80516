/**
 * The member export of a large programme: inserts MEMBERS (default 200,000) members with their
 * cards, statistics and points in SQL (generate_series), then reads
 * GET /api/admin/v1/merchant-groups/{id}/members.csv to its end in-process and prints rows/s
 * and the RSS before and at its peak while the stream was read (with `--json`, the run as one
 * JSON line: tests/members/export_memory_test.ts runs it so in a process of its own).
 *
 *   deno task bench:export                                   # in-memory PGlite
 *   TEST_DATABASE_URL=postgres://… deno task bench:export    # a fresh database there
 *
 * With `--v8-flags=--expose-gc` it also samples the live heap (after a forced collection).
 *
 * A script, not Deno.bench: one expensive setup, one measured read. `deno bench` imports it
 * without running it.
 */
import { createTestApp } from "../helpers/app.ts";
import { consumeExport, insertBulkMembers, mb } from "../helpers/bulk_members.ts";
import { testBackend } from "../helpers/db.ts";
import { buildWorld } from "../helpers/world.ts";

async function main() {
  const count = Number(Deno.env.get("MEMBERS") ?? 200_000);
  const t = await createTestApp();
  try {
    const w = await buildWorld(t, { name: "Bulk", member: null });
    const json = Deno.args.includes("--json");
    const started = performance.now();
    await insertBulkMembers(t.db, w, count);
    const inserted = ((performance.now() - started) / 1000).toFixed(1);
    if (!json) console.log(`${testBackend}: ${count} members inserted in ${inserted} s`);
    const res = await t.request(`/api/admin/v1/merchant-groups/${w.group.id}/members.csv`, {
      headers: { Authorization: `Bearer ${w.ownerToken}` },
    });
    if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
    const run = await consumeExport(res.body!);
    if (json) return console.log(JSON.stringify(run));
    console.log(
      `${testBackend}: exported ${run.rows} rows (${mb(run.bytes)} MB) in ${
        run.seconds.toFixed(1)
      } s: ${Math.round(run.rowsPerSecond)} rows/s; RSS ${mb(run.rssBefore)} MB before, ${
        mb(run.rssPeak)
      } MB peak (+${mb(run.rssPeak - run.rssBefore)} MB)${
        run.liveHeapPeak === null
          ? ""
          : `; live heap ${mb(run.liveHeapBefore!)} MB before, ${mb(run.liveHeapPeak)} MB peak`
      }`,
    );
  } finally {
    await t.close();
  }
}

if (import.meta.main) await main();
