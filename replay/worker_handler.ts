/**
 * What a replay worker does (loaded by replay/worker.ts once its thread runs on idle cores):
 * re-prices the pages of sales the server's thread posts, in order, keeps their tally and
 * answers it at the end. It writes nothing. Given a page source (a Postgres server), it reads
 * each page itself over one connection of its own, from where the thread says the page starts,
 * so the reading and parsing run here too.
 */
import { connect, type Connection, REPLAY_APPLICATION_NAME } from "../db/connection.ts";
import type { FromWorker, PageSource, ToWorker } from "./pricers.ts";
import { parsedSale, SaleReplayer, type SaleRow } from "./replayer.ts";
import { readPage } from "./sales_pages.ts";
import { addSale, emptyTally } from "./tally.ts";

const scope = self as unknown as { postMessage(message: FromWorker): void };

/** Whether this thread runs only on idle cores, as replay/worker.ts found. */
let idle = false;
let replayer: SaleReplayer | undefined;
let source: { pages: PageSource; conn: Connection } | undefined;
/** Settles once the start was handled (the connection opened). */
let started: Promise<void> = Promise.resolve();
const tally = emptyTally();

async function handle(m: ToWorker, rows: Promise<SaleRow[]> | undefined) {
  if (m.type === "start") {
    replayer = new SaleReplayer(m.sides, m.recorded);
    if (m.source) {
      source = {
        pages: m.source,
        conn: await connect(m.source.databaseUrl, {
          poolSize: 1,
          applicationName: REPLAY_APPLICATION_NAME,
        }),
      };
    }
    scope.postMessage({ type: "started", idle });
    return;
  }
  if (!replayer) throw new Error("replay worker: a page before the start");
  if (m.type === "page") {
    const page = await rows!;
    for (const [i, row] of page.entries()) {
      const sale = parsedSale(row);
      addSale(tally, m.seq + i, sale, await replayer.replay(sale));
    }
    scope.postMessage({ type: "page", sales: page.length });
    return;
  }
  tally.stats = replayer.stats();
  await source?.conn.close();
  scope.postMessage({ type: "tally", tally });
}

/**
 * A page's rows. One the worker reads is asked for at once, so that it is read while the page
 * before is re-priced (the connection takes one query at a time, in order).
 */
function rowsOf(m: ToWorker): Promise<SaleRow[]> | undefined {
  if (m.type !== "page") return undefined;
  if ("rows" in m) return Promise.resolve(m.rows);
  const read = started.then(() => {
    if (!source) throw new Error("replay worker: a page to read without a page source");
    const { conn, pages } = source;
    return readPage(conn.db, pages.group, pages.window, m.from, pages.size);
  });
  // Its failure is reported when the page's turn comes, not as an unhandled rejection now.
  read.catch(() => {});
  return read;
}

/** Reports a failure to the server's thread, which fails the replay. */
const reportError = (err: unknown) =>
  scope.postMessage({ type: "error", message: err instanceof Error ? err.message : String(err) });

// One message at a time, in the order posted: a page is re-priced whole before the next.
let queue = Promise.resolve();

/** Takes the server's messages, in order; `runsIdle`: whether this thread runs on idle cores. */
export function serve(runsIdle: boolean) {
  idle = runsIdle;
  return (m: ToWorker) => {
    const rows = rowsOf(m);
    const handled = queue.then(() => handle(m, rows));
    if (m.type === "start") started = handled.catch(() => {});
    queue = handled.catch(reportError);
  };
}
