/**
 * Replays as background jobs: a row of `replay_jobs` with its status, progress and result.
 * A job runs in the server process that started it (`ReplayRunner`), off the request; its
 * progress is written after each page of sales with a heartbeat. A cancel is a write of its
 * status, which the next progress step reads (so any instance may cancel any job). A queued or
 * running job whose heartbeat stopped (its server went away) is resumed by the next instance
 * that reads it or starts: it is claimed in one statement, so one instance takes it, and
 * replayed again from the start (a replay writes nothing but its own row).
 *
 * The result is kept with the draft version it replayed: a draft save makes a new version,
 * and the current impact is the latest job of the current version.
 */
import { sql } from "kysely";
import { recordAudit } from "../audit/log.ts";
import type { Connection, Db } from "../db/connection.ts";
import type { Json, ReplayJobStatus } from "../db/schema.ts";
import { inTransaction } from "../db/transaction.ts";
import { getDraft, getRuleSet, getVersion } from "../earning/rule_sets.ts";
import { notFound, ProblemError } from "../errors/problem.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import type { Rule } from "../rules/schema.ts";
import type { StaffUser } from "../staff/users.ts";
import { type ImpactResult, parsedRules, replayImpact } from "./impact.ts";

type Group = Pick<MerchantGroup, "id" | "org_id" | "created_at">;
type Actor = Pick<StaffUser, "id" | "email">;

export interface ImpactJob {
  id: string;
  status: ReplayJobStatus;
  draftVersion: number;
  publishedVersion: number | null;
  days: number;
  from: Date;
  to: Date;
  progress: { done: number; total: number };
  startedAt: Date;
  finishedAt: Date | null;
  error: string | null;
  result: ImpactResult | null;
}

const COLUMNS = [
  "id",
  "status",
  "draft_version",
  "published_version",
  "days",
  "from_at",
  "to_at",
  "done",
  "total",
  "started_at",
  "finished_at",
  "heartbeat_at",
  "error",
  "result",
] as const;

type JobRow = {
  id: string;
  status: ReplayJobStatus;
  draft_version: number;
  published_version: number | null;
  days: number;
  from_at: Date;
  to_at: Date;
  done: number;
  total: number;
  started_at: Date;
  finished_at: Date | null;
  heartbeat_at: Date;
  error: string | null;
  result: Json | null;
};

const jobOf = (r: JobRow): ImpactJob => ({
  id: r.id,
  status: r.status,
  draftVersion: r.draft_version,
  publishedVersion: r.published_version,
  days: r.days,
  from: r.from_at,
  to: r.to_at,
  progress: { done: r.done, total: r.total },
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  error: r.error,
  // Written only by the runner, from replayImpact.
  result: r.result as unknown as ImpactResult | null,
});

const UNFINISHED: ReplayJobStatus[] = ["queued", "running"];
const DAY_MS = 86_400_000;

/** How long a heartbeat may be silent before its job counts as lost with its server. */
export const STALE_AFTER_MS = 15_000;

/**
 * A server's runner over its database (`kind`, at `databaseUrl`): on a Postgres server its
 * workers read their own pages from there.
 */
export const serverReplayRunner = (
  db: Db,
  kind: Connection["kind"],
  config: { replayWorkers?: number; databaseUrl?: string },
) =>
  new ReplayRunner(db, {
    workers: config.replayWorkers,
    databaseUrl: kind === "postgres" ? config.databaseUrl : undefined,
  });

/** Runs this instance's replays and adopts the ones other instances lost. */
export class ReplayRunner {
  readonly #db: Db;
  readonly #staleAfterMs: number;
  readonly #workers: number | undefined;
  readonly #databaseUrl: string | undefined;
  readonly #live = new Map<string, Promise<void>>();

  /**
   * `workers`: replay workers per job (replay/pricers.ts; 0: in the server's thread);
   * `databaseUrl`: the Postgres server `db` is on, where the workers read their own pages.
   */
  constructor(
    db: Db,
    opts: { staleAfterMs?: number; workers?: number; databaseUrl?: string } = {},
  ) {
    this.#db = db;
    this.#staleAfterMs = opts.staleAfterMs ?? STALE_AFTER_MS;
    this.#workers = opts.workers;
    this.#databaseUrl = opts.databaseUrl;
  }

  /** Runs the job in the background; one run per job in this instance. */
  launch(jobId: string): void {
    if (this.#live.has(jobId)) return;
    const run = this.#run(jobId).catch((err) => {
      console.error(JSON.stringify({ msg: "replay failed", jobId, error: String(err) }));
    }).finally(() => this.#live.delete(jobId));
    this.#live.set(jobId, run);
  }

  /** True once the job's run in this instance ended, waiting at most `ms`. */
  async settled(jobId: string, ms: number): Promise<boolean> {
    const run = this.#live.get(jobId);
    if (!run) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
    try {
      return await Promise.race([run.then(() => true), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Every run of this instance, ended (for a clean stop, and tests). */
  async idle(): Promise<void> {
    while (this.#live.size) await Promise.all(this.#live.values());
  }

  /** Resumes `job` when it is unfinished, not run here, and its heartbeat stopped. */
  async adopt(row: JobRow): Promise<JobRow> {
    if (!UNFINISHED.includes(row.status) || this.#live.has(row.id)) return row;
    if (Date.now() - row.heartbeat_at.getTime() < this.#staleAfterMs) return row;
    const claimed = await this.#db.updateTable("replay_jobs")
      .set({ heartbeat_at: sql<Date>`now()` })
      .where("id", "=", row.id).where("status", "in", UNFINISHED)
      .where(
        "heartbeat_at",
        "<",
        sql<Date>`now() - make_interval(secs => ${this.#staleAfterMs / 1000})`,
      )
      .returning(COLUMNS).executeTakeFirst();
    if (!claimed) return row;
    this.launch(row.id);
    return claimed;
  }

  /** At start: resumes every unfinished job whose server went away. */
  async resumeLost(): Promise<void> {
    const rows = await this.#db.selectFrom("replay_jobs").select(COLUMNS)
      .where("status", "in", UNFINISHED).execute();
    for (const row of rows) await this.adopt(row);
  }

  async #run(jobId: string): Promise<void> {
    const db = this.#db;
    const job = await db.updateTable("replay_jobs")
      .set({ status: "running", done: 0, heartbeat_at: sql<Date>`now()` })
      .where("id", "=", jobId).where("status", "in", UNFINISHED)
      .returning([
        "org_id",
        "group_id",
        "draft_version",
        "draft_rules",
        "published_version",
        "from_at",
        "to_at",
      ]).executeTakeFirst();
    if (!job) return;
    const group = { id: job.group_id, org_id: job.org_id, created_at: new Date(0) };
    const running = () =>
      db.updateTable("replay_jobs").where("id", "=", jobId).where("status", "=", "running");
    try {
      const published = job.published_version === null
        ? { version: null, rules: [] }
        : await getVersion(db, group, job.published_version);
      const result = await replayImpact(
        db,
        group,
        {
          published: {
            version: published.version,
            rules: parsedRules(`published rule set ${published.version}`, published.rules),
          },
          draft: {
            version: job.draft_version,
            rules: parsedRules(`draft ${job.draft_version}`, job.draft_rules),
          },
        },
        { from: job.from_at, to: job.to_at },
        {
          total: async (total) => {
            await running().set({ total, heartbeat_at: sql<Date>`now()` }).execute();
          },
          step: async (done) =>
            !!await running().set({ done, heartbeat_at: sql<Date>`now()` })
              .returning("id").executeTakeFirst(),
        },
        { workers: this.#workers, databaseUrl: this.#databaseUrl },
      );
      if (!result) return;
      await running().set({
        status: "done",
        result: JSON.stringify(result),
        finished_at: sql<Date>`now()`,
      }).execute();
    } catch (err) {
      await running().set({
        status: "failed",
        error: err instanceof Error ? err.message : String(err),
        finished_at: sql<Date>`now()`,
      }).execute();
      throw err;
    }
  }
}

const conflict = (detail: string) =>
  new ProblemError(409, "conflict", "The replay has already finished", { detail });

/** A job of the group, adopted when its server went away; 404 when the group has none such. */
export async function getImpactJob(
  db: Db,
  runner: ReplayRunner,
  group: Group,
  jobId: string,
): Promise<ImpactJob> {
  const row = await db.selectFrom("replay_jobs").select(COLUMNS)
    .where("id", "=", jobId).where("group_id", "=", group.id)
    .where("org_id", "=", group.org_id).executeTakeFirst();
  if (!row) throw notFound("replay");
  return jobOf(await runner.adopt(row));
}

/** The latest job of the current draft version; 404 when there is none. */
export async function currentImpact(
  db: Db,
  runner: ReplayRunner,
  group: Group,
): Promise<ImpactJob> {
  const draft = await getDraft(db, group);
  const row = await db.selectFrom("replay_jobs").select(COLUMNS)
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
    .where("draft_version", "=", draft.version)
    .orderBy("started_at", "desc").limit(1).executeTakeFirst();
  if (!row) throw notFound("replay of the current draft");
  return jobOf(await runner.adopt(row));
}

/**
 * Starts a replay of the current draft against the last `days` days of sales, beside the
 * latest published version; or answers the job already kept for the same draft version,
 * published version and days (queued, running or done). A new job writes one audit entry.
 */
export async function startImpact(
  db: Db,
  runner: ReplayRunner,
  group: Group,
  input: { days: number },
  actor: Actor,
  now = new Date(),
): Promise<{ job: ImpactJob; created: boolean }> {
  const { draft, published } = await getRuleSet(db, group);
  const publishedVersion = published?.version ?? null;
  let kept = db.selectFrom("replay_jobs").select(COLUMNS)
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
    .where("draft_version", "=", draft.version).where("days", "=", input.days)
    .where("status", "in", ["queued", "running", "done"]);
  kept = publishedVersion === null
    ? kept.where("published_version", "is", null)
    : kept.where("published_version", "=", publishedVersion);
  const found = await kept.orderBy("started_at", "desc").limit(1).executeTakeFirst();
  if (found) return { job: jobOf(await runner.adopt(found)), created: false };
  const job = await queueImpact(db, group, {
    draft,
    publishedVersion,
    days: input.days,
    now,
  }, actor);
  runner.launch(job.id);
  return { job, created: true };
}

/** Writes a queued job and its audit entry; `startImpact` then launches it. */
export async function queueImpact(
  db: Db,
  group: Group,
  input: {
    draft: { version: number; rules: readonly Rule[] };
    publishedVersion: number | null;
    days: number;
    now: Date;
  },
  actor: Actor,
): Promise<ImpactJob> {
  return await inTransaction(db, async (tx) => {
    const row = await tx.insertInto("replay_jobs").values({
      org_id: group.org_id,
      group_id: group.id,
      draft_version: input.draft.version,
      draft_rules: JSON.stringify(input.draft.rules),
      published_version: input.publishedVersion,
      days: input.days,
      from_at: new Date(input.now.getTime() - input.days * DAY_MS),
      to_at: input.now,
      status: "queued",
      created_by: actor.id,
    }).returning(COLUMNS).executeTakeFirstOrThrow();
    await recordAudit(tx, {
      orgId: group.org_id,
      entity: "rule-set-impact",
      entityId: row.id,
      action: "start",
      actor,
      before: null,
      after: {
        draftVersion: row.draft_version,
        publishedVersion: row.published_version,
        days: row.days,
      },
    });
    return jobOf(row);
  });
}

/** Cancels a queued or running job (409 `conflict` once it finished). One audit entry. */
export async function cancelImpact(
  db: Db,
  runner: ReplayRunner,
  group: Group,
  jobId: string,
  actor: Actor,
): Promise<ImpactJob> {
  const before = await getImpactJob(db, runner, group, jobId);
  return await inTransaction(db, async (tx) => {
    const row = await tx.updateTable("replay_jobs")
      .set({ status: "cancelled", finished_at: sql<Date>`now()` })
      .where("id", "=", jobId).where("status", "in", UNFINISHED)
      .returning(COLUMNS).executeTakeFirst();
    if (!row) {
      const now = await getImpactJob(tx, runner, group, jobId);
      throw conflict(`replay ${jobId} is ${now.status}: there is nothing to cancel`);
    }
    await recordAudit(tx, {
      orgId: group.org_id,
      entity: "rule-set-impact",
      entityId: jobId,
      action: "cancel",
      actor,
      before: { status: before.status },
      after: { status: row.status },
    });
    return jobOf(row);
  });
}
