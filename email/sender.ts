import { sql, type UpdateObject } from "kysely";
import type { Connection, Db } from "../db/connection.ts";
import type { Database, EmailAttemptOutcome } from "../db/schema.ts";
import { inTransaction } from "../db/transaction.ts";
import { OUTBOX_CHANNEL, type OutboxRow } from "./outbox.ts";
import { getTemplate, renderEmail } from "./template.ts";
import type { Delivery, Mailer } from "./transport.ts";

export interface SenderOptions {
  /** Attempts before an email is marked failed. */
  maxAttempts: number;
  /** The wait before the first retry; each next one waits twice as long, up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  /**
   * How long a claimed email is this sender's: a sender that dies holding it leaves it to the
   * others after this (longer than the transport's timeouts, so a live sender is done first).
   */
  leaseMs: number;
  /** How often the outbox is looked at without a notification (retries come due, PGlite). */
  pollMs: number;
  /** Emails claimed at once. */
  batch: number;
}

/** 8 attempts over about an hour: 30 s, then 1, 2, 4, 8, 16 and 32 min apart (at most 1 h). */
export const DEFAULT_SENDER_OPTIONS: SenderOptions = {
  maxAttempts: 8,
  backoffMs: 30_000,
  maxBackoffMs: 3_600_000,
  leaseMs: 120_000,
  pollMs: 5_000,
  batch: 20,
};

/** The wait after the `attempts`-th failed attempt. */
export const backoffAfter = (
  attempts: number,
  o: Pick<SenderOptions, "backoffMs" | "maxBackoffMs">,
) => Math.min(o.maxBackoffMs, o.backoffMs * 2 ** (attempts - 1));

type Claimed = OutboxRow & { lease_token: string; message_id: string; to_address: string };

/**
 * Due emails, leased to this sender for `leaseMs`, their attempt counted now (a sender that
 * dies mid-send has used the attempt). SKIP LOCKED: two senders claiming at once take
 * different rows; the lease keeps a claimed row from the others after the claim commits.
 */
async function claim(db: Db, mailer: Mailer, o: SenderOptions): Promise<Claimed[]> {
  const { rows } = await sql<Claimed>`
    update email_outbox o set
      attempts = o.attempts + 1,
      lease_until = now() + make_interval(secs => ${o.leaseMs / 1000}),
      lease_token = gen_random_uuid(),
      message_id = coalesce(o.message_id,
        '<new-member.' || o.customer_id || '@' || ${mailer.domain} || '>')
    from (
      select id from email_outbox
      where status = 'pending' and next_attempt_at <= now()
        and (lease_until is null or lease_until <= now())
      order by next_attempt_at, id limit ${o.batch}
      for update skip locked
    ) due
    where o.id = due.id
    returning o.*`.execute(db);
  return rows;
}

/** The member's fields as the template names them, read when the email is sent. */
async function memberFields(db: Db, row: OutboxRow) {
  const member = await db.selectFrom("customers as c")
    .select(["c.name", "c.number"])
    .select((eb) =>
      eb.selectFrom("instruments as i").innerJoin("series as s", "s.id", "i.series_id")
        .select("i.number").whereRef("i.customer_id", "=", "c.id")
        .where("s.type", "=", "loyalty-card").orderBy("i.created_at").orderBy("i.number")
        .limit(1).as("card_number")
    )
    .where("c.id", "=", row.customer_id).executeTakeFirstOrThrow();
  return { name: member.name, customerNumber: member.number, cardNumber: member.card_number ?? "" };
}

/** The attempt and its outcome, in one transaction; the row only while the lease is ours. */
async function record(
  db: Db,
  row: Claimed,
  outcome: { delivery: Delivery } | { error: string },
  o: SenderOptions,
) {
  await inTransaction(db, async (tx) => {
    const attempt = (outcome: EmailAttemptOutcome, detail: string) =>
      tx.insertInto("email_attempts").values({
        outbox_id: row.id,
        org_id: row.org_id,
        attempt: row.attempts,
        outcome,
        detail,
      }).execute();
    const release = (set: UpdateObject<Database, "email_outbox">) =>
      tx.updateTable("email_outbox").set({ ...set, lease_until: null, lease_token: null })
        .where("id", "=", row.id).where("lease_token", "=", row.lease_token).execute();
    if ("delivery" in outcome) {
      const smtp = outcome.delivery.via === "smtp";
      await attempt(
        smtp ? "sent" : "logged",
        outcome.delivery.via === "smtp" ? outcome.delivery.response : "written to the log",
      );
      await release({
        status: smtp ? "sent" : "logged",
        finished_at: sql<Date>`now()`,
        last_error: null,
      });
      return;
    }
    await attempt("error", outcome.error);
    const last = row.attempts >= o.maxAttempts;
    const wait = backoffAfter(row.attempts, o) / 1000;
    await release({
      status: last ? "failed" : "pending",
      finished_at: last ? sql<Date>`now()` : null,
      next_attempt_at: sql<Date>`now() + make_interval(secs => ${wait})`,
      last_error: outcome.error,
    });
  });
}

/** One claimed email: rendered with the group's template, sent, its attempt recorded. */
async function deliver(db: Db, mailer: Mailer, row: Claimed, o: SenderOptions) {
  let outcome: { delivery: Delivery } | { error: string };
  try {
    const [fields, { template }] = await Promise.all([
      memberFields(db, row),
      getTemplate(db, { id: row.group_id, org_id: row.org_id }),
    ]);
    const delivery = await mailer.send({
      to: row.to_address,
      messageId: row.message_id,
      ...renderEmail(template, fields),
    });
    outcome = { delivery };
  } catch (err) {
    outcome = { error: err instanceof Error ? err.message : String(err) };
  }
  await record(db, row, outcome, o);
}

/**
 * Claims what is due and sends it, one email after another; resolves with how many it
 * claimed. Delivery is at least once: a sender that dies after the SMTP server accepted an
 * email but before recording it leaves the email claimed; when the lease ends another sender
 * sends it again, with the same Message-ID (docs/email.md).
 */
export async function drainOutbox(db: Db, mailer: Mailer, o: SenderOptions): Promise<number> {
  const rows = await claim(db, mailer, o);
  for (const row of rows) await deliver(db, mailer, row, o);
  return rows.length;
}

/**
 * The outbox's sender of one server instance: drains at start, on each notification of a new
 * email (Postgres LISTEN, PGlite's own) and every `pollMs`. `stop` lets the emails it claimed
 * be sent and recorded, then ends: no timer is left.
 */
export class OutboxSender {
  readonly #db: Db;
  readonly #mailer: Mailer;
  readonly #options: SenderOptions;
  readonly #listen?: Connection["listen"];
  #timer?: ReturnType<typeof setTimeout>;
  #running?: Promise<void>;
  #again = false;
  #stopped = true;

  constructor(deps: {
    db: Db;
    mailer: Mailer;
    listen?: Connection["listen"];
    options?: Partial<SenderOptions>;
  }) {
    this.#db = deps.db;
    this.#mailer = deps.mailer;
    this.#listen = deps.listen;
    this.#options = { ...DEFAULT_SENDER_OPTIONS, ...deps.options };
  }

  async start(): Promise<void> {
    this.#stopped = false;
    await this.#listen?.(OUTBOX_CHANNEL, () => this.wake()).catch((err) => {
      // The poll still finds every email, later.
      console.error(
        JSON.stringify({ msg: `cannot LISTEN to ${OUTBOX_CHANNEL}`, error: String(err) }),
      );
    });
    this.wake();
  }

  /** Drain now (or once more right after the drain under way). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#running = this.#run().finally(() => {
      this.#running = undefined;
      if (!this.#stopped) this.#timer = setTimeout(() => this.wake(), this.#options.pollMs);
    });
  }

  async #run(): Promise<void> {
    do {
      this.#again = false;
      try {
        while (!this.#stopped) {
          if (await drainOutbox(this.#db, this.#mailer, this.#options) < this.#options.batch) {
            break;
          }
        }
      } catch (err) {
        // The database is away: the next poll tries again.
        console.error(JSON.stringify({ msg: "email outbox not drained", error: String(err) }));
      }
    } while (this.#again && !this.#stopped);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
