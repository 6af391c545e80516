/**
 * The POS clients of the fault tests: concurrent tills sending sales, returns, gift-card
 * redemptions and offline sync batches, and retrying as a real POS does — after a timeout, a
 * connection error or a 5xx, the same request again with the same Idempotency-Key (and, with
 * several server instances, at the next one), until it has an answer. Every attempt is kept,
 * with the first 2xx answer of each request: what the database and the retries are checked
 * against afterwards.
 */
import type { Fixture } from "./fixture.ts";

export type OpKind = "sale" | "return" | "redeem" | "sync";

/** One POS request, exactly as it is sent on every attempt. */
export interface Op {
  kind: OpKind;
  /** The Idempotency-Key (a sync batch sends one per transaction, in its body). */
  key: string;
  token: string;
  path: string;
  body: unknown;
  /** The receipt numbers the request records: sales and returns, or the redemption's. */
  receipts: string[];
}

export interface Answer {
  status: number;
  text: string;
  /** performance.now() when it arrived. */
  at: number;
}

export interface Outcome {
  op: Op;
  attempts: number;
  /** The first 2xx; for a sync batch, the first with every transaction applied. */
  first?: Answer;
  /** A 4xx: a refusal the load does not expect. */
  refusal?: Answer;
}

/** One attempt, for the recovery time and the failure counts. */
export interface Attempt {
  sentAt: number;
  doneAt: number;
  /** The status, or `error` (connection refused or reset) or `timeout`. */
  result: number | "error" | "timeout";
  /** A 2xx that did it all (a sync batch: no transaction of it answered a 5xx). */
  applied: boolean;
  /** A 5xx answer's Content-Type. */
  contentType?: string;
}

export interface LoadOptions {
  /** Server base URLs; a client's attempts go to them in turn. */
  urls: () => string[];
  fixture: Fixture;
  clients: number;
  /** Unique per run and scenario: in every receipt number and key. */
  tag: string;
  /** Each client stops starting new requests once this answers true. */
  stop: () => boolean;
  /** Per attempt. */
  timeoutMs?: number;
  /** A request still unanswered after this long (ms) is given up. */
  giveUpMs?: number;
  /** At most this many requests per client. */
  maxOps?: number;
}

/** The load as it runs: its lists grow until `done` resolves. */
export interface Load {
  outcomes: Outcome[];
  attempts: Attempt[];
  done: Promise<void>;
}

const QUANTITY = 2;
const REDEEM_AMOUNT = 100;
const SYNC_BATCH = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The status of a sync batch that every transaction of it went through (none a 5xx). */
function syncApplied(text: string): boolean {
  const { results } = JSON.parse(text) as { results: { status: number }[] };
  return results.every((r) => r.status < 500);
}

/** Sends `op` until it has an answer (2xx or 4xx) or `giveUpMs` has passed. */
export async function send(
  op: Op,
  urls: () => string[],
  attempts: Attempt[],
  opts: { timeoutMs: number; giveUpMs: number; offset?: number },
): Promise<Outcome> {
  const outcome: Outcome = { op, attempts: 0 };
  const started = performance.now();
  const headers: Record<string, string> = {
    Authorization: `Bearer ${op.token}`,
    "Content-Type": "application/json",
  };
  if (op.kind !== "sync") headers["Idempotency-Key"] = op.key;
  const body = JSON.stringify(op.body);
  while (performance.now() - started < opts.giveUpMs) {
    const all = urls();
    const url = all[(outcome.attempts + (opts.offset ?? 0)) % all.length];
    outcome.attempts++;
    const sentAt = performance.now();
    let result: Attempt["result"];
    let contentType: string | undefined;
    let text = "";
    try {
      const res = await fetch(url + op.path, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      text = await res.text();
      result = res.status;
      if (res.status >= 500) contentType = res.headers.get("content-type") ?? "";
    } catch (err) {
      result = err instanceof DOMException && err.name === "TimeoutError" ? "timeout" : "error";
    }
    const doneAt = performance.now();
    const applied = typeof result === "number" && result < 300 &&
      (op.kind !== "sync" || syncApplied(text));
    attempts.push({ sentAt, doneAt, result, applied, contentType });
    if (applied) {
      outcome.first = { status: result as number, text, at: doneAt };
      return outcome;
    }
    if (typeof result === "number" && result >= 400 && result < 500) {
      outcome.refusal = { status: result, text, at: doneAt };
      return outcome;
    }
    await sleep(Math.min(1_000, 100 * outcome.attempts));
  }
  return outcome;
}

/** Starts `clients` tills, which run until `stop()`: every request's outcome, every attempt. */
export function runLoad(opts: LoadOptions): Load {
  const outcomes: Outcome[] = [];
  const attempts: Attempt[] = [];
  const timing = { timeoutMs: opts.timeoutMs ?? 10_000, giveUpMs: opts.giveUpMs ?? 60_000 };
  const { fixture } = opts;
  const { sku, category, price } = fixture.item;

  const client = async (c: number) => {
    const token = fixture.tokens[c % fixture.tokens.length];
    const card = () => fixture.cards[Math.floor(Math.random() * fixture.cards.length)];
    const returnable: string[] = [];
    const name = (n: number) => `${opts.tag}-${c}-${n}`;
    const sale = (receipt: string) => ({
      currency: "EUR",
      customer: { card: card() },
      lines: [{ sku, category, quantity: QUANTITY, unitPrice: price }],
      // Tenders sum exactly to the basket's total.
      tenders: [{ type: "CASH", amount: QUANTITY * price }],
      receiptNumber: receipt,
      at: new Date().toISOString(),
    });
    for (let n = 0; n < (opts.maxOps ?? 400) && !opts.stop(); n++) {
      const step = n % 6;
      const receipt = name(n);
      let op: Op;
      if (step === 2) {
        const number = fixture.giftCards[Math.floor(Math.random() * fixture.giftCards.length)];
        op = {
          kind: "redeem",
          key: `k-${receipt}`,
          token,
          path: `/api/pos/v1/instruments/${number}/redeem`,
          body: { amount: REDEEM_AMOUNT, receiptNumber: receipt },
          receipts: [receipt],
        };
      } else if (step === 3 && returnable.length) {
        // One of the two units of an earlier sale of this till, on its receipt; no tender:
        // the refund is the returned line's value.
        op = {
          kind: "return",
          key: `k-${receipt}`,
          token,
          path: "/api/pos/v1/returns",
          body: {
            receiptNumber: receipt,
            at: new Date().toISOString(),
            original: { receiptNumber: returnable.shift()! },
            lines: [{ sku, quantity: 1, unitPrice: price }],
            tenders: [],
          },
          receipts: [receipt],
        };
      } else if (step === 4) {
        const receipts = Array.from({ length: SYNC_BATCH }, (_, i) => `${receipt}.${i}`);
        op = {
          kind: "sync",
          key: `k-${receipt}`,
          token,
          path: "/api/pos/v1/sync",
          body: {
            transactions: receipts.map((r) => ({
              kind: "sale",
              idempotencyKey: `k-${r}`,
              body: sale(r),
            })),
          },
          receipts,
        };
      } else {
        op = {
          kind: "sale",
          key: `k-${receipt}`,
          token,
          path: "/api/pos/v1/sales",
          body: sale(receipt),
          receipts: [receipt],
        };
      }
      const outcome = await send(op, opts.urls, attempts, { ...timing, offset: c });
      outcomes.push(outcome);
      if (op.kind === "sale" && outcome.first) returnable.push(receipt);
    }
  };
  const done = Promise.all(Array.from({ length: opts.clients }, (_, c) => client(c))).then(
    () => {},
  );
  return { outcomes, attempts, done };
}
