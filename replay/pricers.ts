/**
 * Where a replay's sales are re-priced and added up. In replay workers (Deno Workers running
 * replay/worker.ts, `workers` of them, pages dealt to the least busy): the server's thread only
 * reads pages and posts them, so the till's requests do not wait behind the arithmetic. Where
 * workers cannot start (`workers` 0, or a runtime without them), in the server's thread, giving
 * the event loop a turn every SLICE sales.
 */
import { setImmediate } from "node:timers";
import type { Rule } from "../rules/schema.ts";
import { parsedSale, SaleReplayer, type SaleRow, type Sides } from "./replayer.ts";
import type { RecordedVersion } from "./reprice.ts";
import type { Group, PageKey, Window } from "./sales_pages.ts";
import { addSale, emptyTally, mergeTally, type Tally } from "./tally.ts";

/** A page of sales as read, or where a page starts for a worker that reads it itself. */
export type Page = { rows: SaleRow[] } | { from: PageKey };

/** Where replay workers read their pages themselves: a Postgres server's URL and the pages. */
export interface PageSource {
  databaseUrl: string;
  group: Group;
  window: Window;
  size: number;
}

/** Takes a replay's pages in order; answers the tally once every page was re-priced. */
export interface Pricer {
  /** Whether it reads its pages itself: then `add` takes where each starts, never rows. */
  readonly readsPages: boolean;
  /** Resolves once there is room for the next page, with the sales re-priced so far. */
  add(page: Page): Promise<number>;
  /** Waits for every page, then answers their tally. */
  finish(): Promise<Tally>;
  /** Stops: a worker is terminated, even mid-page. */
  close(): void;
}

/** What the server's thread posts to a replay worker. */
export type ToWorker =
  | {
    type: "start";
    sides: Sides;
    recorded: Map<RecordedVersion, readonly Rule[]>;
    source?: PageSource;
  }
  /** `seq`: the place of the page's first sale in the replay. */
  | { type: "page"; seq: number } & Page
  | { type: "finish" };

/** What a replay worker answers: a page re-priced, its tally, or why it failed. */
export type FromWorker =
  /** `idle`: whether the worker runs only on idle cores (replay/priority.ts). */
  | { type: "started"; idle: boolean }
  | { type: "page"; sales: number }
  | { type: "tally"; tally: Tally }
  | { type: "error"; message: string };

/** One worker per core but the server's own, at least one. */
export const defaultWorkers = () => Math.max(1, (navigator.hardwareConcurrency ?? 1) - 1);

// Sales re-priced in the server's thread between two turns of the event loop, so that the
// till's requests keep their turn. setImmediate, not setTimeout: nested timeouts are clamped
// to milliseconds (500 of them cost a second).
const SLICE = 50;
// Pages in flight per worker: one re-priced while the next is read and waits.
const IN_FLIGHT = 2;

/** Said once per process: the till then shares the cores with a replay as equals. */
let warned = false;
const priorityWarning = () => {
  if (warned) return;
  warned = true;
  console.error(JSON.stringify({
    msg: "replay workers share the cores with the till as equals (no --allow-ffi or not Linux)",
  }));
};

let live = 0;
/** Replay workers running in this process (tests check that a cancel ends them). */
export const liveReplayWorkers = () => live;

/**
 * The replay's pricer: `workers` replay workers (reading their pages from `source` when
 * given), or the server's thread when there are none.
 */
export function startPricer(
  workers: number,
  sides: Sides,
  recorded: ReadonlyMap<RecordedVersion, readonly Rule[]>,
  source?: PageSource,
): Pricer {
  if (workers > 0 && typeof Worker === "function") {
    try {
      return new WorkerPricer(workers, sides, recorded, source);
    } catch (err) {
      console.error(JSON.stringify({
        msg: "replay workers unavailable: replaying in the server's thread",
        error: String(err),
      }));
    }
  }
  return new ThreadPricer(sides, recorded);
}

class ThreadPricer implements Pricer {
  readonly readsPages = false;
  readonly #replayer: SaleReplayer;
  readonly #tally = emptyTally();

  constructor(sides: Sides, recorded: ReadonlyMap<RecordedVersion, readonly Rule[]>) {
    this.#replayer = new SaleReplayer(sides, recorded);
  }

  async add(page: Page): Promise<number> {
    if (!("rows" in page)) throw new Error("the server's thread re-prices pages it was given");
    for (const row of page.rows) {
      const sale = parsedSale(row);
      addSale(this.#tally, this.#tally.sales, sale, await this.#replayer.replay(sale));
      if (this.#tally.sales % SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return this.#tally.sales;
  }

  finish(): Promise<Tally> {
    this.#tally.stats = this.#replayer.stats();
    return Promise.resolve(this.#tally);
  }

  close() {}
}

interface Running {
  worker: Worker;
  inFlight: number;
  tally?: Tally;
}

class WorkerPricer implements Pricer {
  readonly readsPages: boolean;
  readonly #size: number;
  readonly #workers: Running[] = [];
  #seq = 0;
  #done = 0;
  #failure: Error | null = null;
  #closed = false;
  /** Resolves whoever waits for the next answer of any worker. */
  #wake = () => {};

  constructor(
    count: number,
    sides: Sides,
    recorded: ReadonlyMap<RecordedVersion, readonly Rule[]>,
    source?: PageSource,
  ) {
    this.readsPages = !!source;
    this.#size = source?.size ?? 0;
    try {
      for (let i = 0; i < count; i++) this.#workers.push(this.#spawn());
    } catch (err) {
      this.close();
      throw err;
    }
    for (const w of this.#workers) {
      this.#post(w, { type: "start", sides, recorded: new Map(recorded), source });
    }
  }

  #spawn(): Running {
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    live++;
    const running: Running = { worker, inFlight: 0 };
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.type === "started") {
        if (!m.idle) priorityWarning();
      } else if (m.type === "page") {
        running.inFlight--;
        this.#done += m.sales;
      } else if (m.type === "tally") running.tally = m.tally;
      else this.#failure ??= new Error(m.message);
      this.#wake();
    };
    // Handled here, so that a worker's failure fails its replay, not the server.
    worker.onerror = (e) => {
      e.preventDefault();
      this.#failure ??= new Error(`replay worker: ${e.message}`);
      this.#wake();
    };
    return running;
  }

  #post(w: Running, message: ToWorker) {
    w.worker.postMessage(message);
  }

  /** Waits until `ready()` or a worker failed (then throws). */
  async #until(ready: () => boolean) {
    while (!this.#failure && !ready()) await new Promise<void>((resolve) => this.#wake = resolve);
    if (this.#failure) throw this.#failure;
  }

  async add(page: Page): Promise<number> {
    if (this.#failure) throw this.#failure;
    const w = this.#workers.reduce((a, b) => b.inFlight < a.inFlight ? b : a);
    w.inFlight++;
    this.#post(w, { type: "page", seq: this.#seq, ...page });
    // A page read by the worker is full but for the last, after which nothing is posted.
    this.#seq += "rows" in page ? page.rows.length : this.#size;
    await this.#until(() => this.#workers.some((x) => x.inFlight < IN_FLIGHT));
    return this.#done;
  }

  async finish(): Promise<Tally> {
    await this.#until(() => this.#workers.every((w) => w.inFlight === 0));
    for (const w of this.#workers) this.#post(w, { type: "finish" });
    await this.#until(() => this.#workers.every((w) => w.tally));
    const tally = emptyTally();
    for (const w of this.#workers) mergeTally(tally, w.tally!);
    return tally;
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#workers) {
      w.worker.terminate();
      live--;
    }
  }
}
