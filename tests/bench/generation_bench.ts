/**
 * Bulk generation of 100,000 gift cards on the test backend (TEST_DATABASE_URL unset →
 * in-memory PGlite, set → a Postgres server), against drawing the same numbers in memory
 * alone: the ratio is what the database adds. Each run starts from a fresh database, so runs
 * measure the same work.
 *
 *   deno bench -A tests/bench/generation_bench.ts
 *   TEST_DATABASE_URL=postgres://… deno bench -A tests/bench/generation_bench.ts
 */
import { createGroup } from "../../programme/groups.ts";
import { runGeneration, startGeneration } from "../../instruments/generation.ts";
import { generateNumber } from "../../instruments/numbers.ts";
import { createSeries, NewSeriesSchema } from "../../instruments/series.ts";
import { createOwner } from "../../staff/users.ts";
import { createTestDatabase, testBackend } from "../helpers/db.ts";

const COUNT = 100_000;
const group = `${COUNT.toLocaleString("en-US")} gift cards`;

Deno.bench({
  name: "draw the numbers in memory (no database)",
  group,
  baseline: true,
  n: 3,
  warmup: 1,
  fn() {
    const numbers = new Set<string>();
    while (numbers.size < COUNT) numbers.add(generateNumber("gift-card", "6012"));
  },
});

Deno.bench({
  name: `generate into ${testBackend} (batches, ON CONFLICT, progress)`,
  group,
  n: 1,
  warmup: 0,
  async fn(b) {
    const database = await createTestDatabase();
    try {
      const { db } = database;
      const owner = (await createOwner(db, {
        email: "bench@example.com",
        name: "Bench",
        password: "bench password 42",
      }))!;
      const org = await db.insertInto("organizations").values({ name: "Bench" })
        .returningAll().executeTakeFirstOrThrow();
      const programme = await createGroup(db, { orgId: org.id, name: "Bench", actor: owner });
      const series = await createSeries(
        db,
        programme,
        NewSeriesSchema.parse({
          name: "Gift cards",
          type: "gift-card",
          prefix: "6012",
          currency: "EUR",
          expiryDays: 365,
        }),
        owner,
      );
      const generation = await startGeneration(db, series, {
        count: COUNT,
        key: "bench",
        actor: owner,
      });
      b.start();
      const done = await runGeneration(db, generation.id);
      b.end();
      if (done.status !== "done" || done.created !== COUNT) {
        throw new Error(`generation ended ${done.status} with ${done.created}: ${done.error}`);
      }
    } finally {
      await database.close();
    }
  },
});
