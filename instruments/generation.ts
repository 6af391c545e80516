import { type Selectable, sql } from "kysely";
import { recordAudit } from "../audit/log.ts";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import type { InstrumentGenerationTable, InstrumentStatus, InstrumentTable } from "../db/schema.ts";
import { ProblemError } from "../errors/problem.ts";
import type { StaffUser } from "../staff/users.ts";
import { generateNumber } from "./numbers.ts";
import type { Series } from "./series.ts";
import { inTransaction } from "../db/transaction.ts";

export type Generation = Selectable<InstrumentGenerationTable>;
export type Instrument = Selectable<InstrumentTable>;

export const INSTRUMENT_STATUSES = ["inactive", "active", "blocked", "expired", "void"] as const;

/** The most instruments one request may generate. */
export const MAX_GENERATION_COUNT = 100_000;
/**
 * Rows per INSERT and per transaction. Throughput hardly changes between 2,000 and 10,000
 * (measured); smaller batches hold PGlite's one connection for less time (about 0.3 s), so
 * the console's progress polls and other requests interleave, and a crash loses less.
 */
export const GENERATION_BATCH = 2_000;
/** Draws of replacement numbers per batch before the series is declared full. */
const MAX_DRAWS = 50;
const DAY_MS = 86_400_000;

export async function getGeneration(db: Db, id: string): Promise<Generation | undefined> {
  if (!isUuid(id)) return undefined;
  return await db.selectFrom("instrument_generations").selectAll().where("id", "=", id)
    .executeTakeFirst();
}

/**
 * Records a request to generate `count` instruments, once per idempotency key and series: the
 * same key again returns the generation it made (running, done or failed); the same key with
 * another count is a conflict, since that cannot be the same request. A merchant group runs
 * one generation at a time: up to 100,000 inserts hold the database's attention (on PGlite,
 * its only connection), so a second one waits its turn as a 409.
 */
export async function startGeneration(
  db: Db,
  series: Series,
  input: { count: number; key: string; actor: Pick<StaffUser, "id" | "email"> },
): Promise<Generation> {
  const generation = await inTransaction(db, async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${"generation:" + series.group_id}))`
      .execute(tx);
    const retried = await tx.selectFrom("instrument_generations").select("id")
      .where("series_id", "=", series.id).where("idempotency_key", "=", input.key)
      .executeTakeFirst();
    if (retried) return undefined;
    const running = await tx.selectFrom("instrument_generations as g")
      .innerJoin("series as s", "s.id", "g.series_id")
      .select(["g.id", "g.count", "g.created", "s.name"])
      .where("s.group_id", "=", series.group_id).where("g.status", "=", "running")
      .executeTakeFirst();
    if (running) {
      throw new ProblemError(
        409,
        "generation-running",
        "Another generation of this programme is running",
        {
          detail: `${running.created} of ${running.count} made in series "${running.name}"; ` +
            "start the next one when it is done",
          generationId: running.id,
        },
      );
    }
    const made = await tx.insertInto("instrument_generations").values({
      org_id: series.org_id,
      series_id: series.id,
      idempotency_key: input.key,
      count: input.count,
      created_by: input.actor.id,
    }).onConflict((oc) => oc.columns(["series_id", "idempotency_key"]).doNothing())
      .returningAll().executeTakeFirst();
    if (made) {
      await recordAudit(tx, {
        orgId: series.org_id,
        entity: "series",
        entityId: series.id,
        label: series.name,
        action: "generate",
        actor: input.actor,
        before: null,
        after: { generationId: made.id, count: made.count },
      });
    }
    return made;
  });
  if (generation) return generation;
  const earlier = await db.selectFrom("instrument_generations").selectAll()
    .where("series_id", "=", series.id).where("idempotency_key", "=", input.key)
    .executeTakeFirstOrThrow();
  if (earlier.count !== input.count) {
    throw new ProblemError(
      409,
      "idempotency-key-reused",
      "This Idempotency-Key was used for another request",
      {
        detail:
          `the key already asked for ${earlier.count} instruments; use a new key for a new batch`,
        errors: [{
          field: "count",
          message: `must be ${earlier.count}, as in the first request with this key`,
        }],
      },
    );
  }
  return earlier;
}

/**
 * Adds up to `size` instruments to a running generation in one transaction: the rows and the
 * new `created` commit together, so progress is exact and a crash loses only this batch. The
 * generation row is locked first, so two runners of the same generation (a retry resuming it
 * while another process still works) take turns and never exceed `count`.
 */
export async function generateBatch(
  db: Db,
  generationId: string,
  size = GENERATION_BATCH,
): Promise<Generation> {
  // A unit of work of its own: each batch commits its progress.
  return await db.transaction().execute(async (tx) => {
    const gen = await tx.selectFrom("instrument_generations").selectAll()
      .where("id", "=", generationId).forUpdate().executeTakeFirstOrThrow();
    const need = Math.min(size, gen.count - gen.created);
    if (gen.status !== "running" || need <= 0) return gen;
    const series = await tx.selectFrom("series").selectAll().where("id", "=", gen.series_id)
      .executeTakeFirstOrThrow();
    const expiresAt = series.expiry_days === null
      ? null
      : new Date(Date.now() + series.expiry_days * DAY_MS).toISOString();
    // A coupon is handed out as it is made: usable at once, with no activation at a till.
    const coupon = series.type === "coupon";
    const status: InstrumentStatus = coupon ? "active" : "inactive";
    const activatedAt = coupon ? new Date().toISOString() : null;
    let inserted = 0;
    for (let draw = 1; inserted < need; draw++) {
      if (draw > MAX_DRAWS) throw new Error("the series has run out of unused numbers");
      const numbers = new Set<string>();
      while (numbers.size < need - inserted) {
        numbers.add(generateNumber(series.type, series.prefix));
      }
      // One statement for the whole batch; numbers already taken in the group are skipped
      // and drawn again on the next pass.
      const { rows } = await sql<{ number: string }>`
        insert into instruments
          (org_id, group_id, series_id, number, status, activated_at, expires_at, generation_id)
        select ${series.org_id}::uuid, ${series.group_id}::uuid, ${series.id}::uuid, n,
          ${status}::text, ${activatedAt}::timestamptz,
          ${expiresAt}::timestamptz, ${gen.id}::uuid
        from unnest(${[...numbers]}::text[]) as n
        on conflict (group_id, number) do nothing
        returning number`.execute(tx);
      inserted += rows.length;
    }
    return await tx.updateTable("instrument_generations").set({ created: gen.created + need })
      .where("id", "=", gen.id).returningAll().executeTakeFirstOrThrow();
  });
}

/**
 * Runs a generation to its end, batch by batch, and returns it done — or failed, with the
 * error recorded, when a batch throws. Also resumes a generation that a dead process left
 * running: it starts from `created`.
 */
export async function runGeneration(
  db: Db,
  generationId: string,
  batchSize = GENERATION_BATCH,
): Promise<Generation> {
  try {
    for (;;) {
      // PGlite works on this thread and answers through promises alone: without a turn of
      // the event loop before each batch, no HTTP response (not even the 202) would go out.
      await new Promise((resolve) => setTimeout(resolve, 0));
      const gen = await generateBatch(db, generationId, batchSize);
      if (gen.status !== "running" || gen.created >= gen.count) break;
    }
    await db.updateTable("instrument_generations")
      .set({ status: "done", finished_at: new Date() })
      .where("id", "=", generationId).where("status", "=", "running").execute();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await db.updateTable("instrument_generations")
      .set({ status: "failed", error: message.slice(0, 500), finished_at: new Date() })
      .where("id", "=", generationId).where("status", "=", "running").execute();
  }
  return await db.selectFrom("instrument_generations").selectAll().where("id", "=", generationId)
    .executeTakeFirstOrThrow();
}

/** Generations this process is working on, so a retry does not start a second runner. */
const inProgress = new Map<string, Promise<void>>();

/**
 * Starts (or resumes) a running generation in the background of this process, unless it is
 * already being worked on here. Nothing awaits it: a failure is recorded on the generation by
 * runGeneration, and one that cannot even be recorded (the database gone) is logged.
 */
export function runInBackground(db: Db, generation: Generation): void {
  if (generation.status !== "running" || inProgress.has(generation.id)) return;
  const work = runGeneration(db, generation.id)
    .then(() => {})
    .catch((err) => {
      console.error(JSON.stringify({
        msg: "instrument generation could not record its failure",
        generationId: generation.id,
        error: String(err?.stack ?? err),
      }));
    })
    .finally(() => inProgress.delete(generation.id));
  inProgress.set(generation.id, work);
}

/** Resolves when this process's background work on the generation ends (at once if none). */
export async function backgroundSettled(generationId: string): Promise<void> {
  await inProgress.get(generationId);
}

/** A page of a series' instruments in id order (the series index), optionally of one status. */
export async function listInstruments(
  db: Db,
  seriesId: string,
  q: { status?: InstrumentStatus; limit: number; after?: string },
): Promise<Instrument[]> {
  let query = db.selectFrom("instruments").selectAll().where("series_id", "=", seriesId)
    .orderBy("id").limit(q.limit);
  if (q.status) query = query.where("status", "=", q.status);
  if (q.after) query = query.where("id", ">", q.after);
  return await query.execute();
}

/** The latest running generation of each series, for a page to keep showing its progress. */
export async function runningGenerations(
  db: Db,
  seriesIds: string[],
): Promise<Map<string, Generation>> {
  if (!seriesIds.length) return new Map();
  const rows = await db.selectFrom("instrument_generations").selectAll()
    .where("series_id", "in", seriesIds).where("status", "=", "running")
    .orderBy("created_at").execute();
  return new Map(rows.map((g) => [g.series_id, g]));
}
