/**
 * The member export of a large programme: inserts MEMBERS (default 200,000) members with their
 * cards, statistics and points in SQL (generate_series), then reads
 * GET /api/admin/v1/merchant-groups/{id}/members.csv to its end in-process and prints rows/s
 * and the RSS before and at its peak while the stream was read.
 *
 *   deno task bench:export                                   # in-memory PGlite
 *   TEST_DATABASE_URL=postgres://… deno task bench:export    # a fresh database there
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
    let started = performance.now();
    await insertBulkMembers(t.db, w, count);
    console.log(
      `${testBackend}: ${count} members inserted in ${
        ((performance.now() - started) / 1000).toFixed(1)
      } s`,
    );
    started = performance.now();
    const res = await t.request(`/api/admin/v1/merchant-groups/${w.group.id}/members.csv`, {
      headers: { Authorization: `Bearer ${w.ownerToken}` },
    });
    if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
    const run = await consumeExport(res.body!);
    console.log(
      `${testBackend}: exported ${run.rows} rows (${mb(run.bytes)} MB) in ${
        run.seconds.toFixed(1)
      } s: ${Math.round(run.rowsPerSecond)} rows/s; RSS ${mb(run.rssBefore)} MB before, ${
        mb(run.rssPeak)
      } MB peak (+${mb(run.rssPeak - run.rssBefore)} MB)`,
    );
  } finally {
    await t.close();
  }
}

if (import.meta.main) await main();
