/**
 * A replay worker (a Deno Worker started by replay/pricers.ts): re-prices the pages of sales the
 * server's thread posts, in order, keeps their tally and answers it at the end. It writes
 * nothing. Given a page source (a Postgres server), it reads each page itself over one
 * connection of its own, from where the thread says the page starts, so the reading and parsing
 * run here too. It runs only on idle cores (replay/priority.ts).
 */
import { connect, type Connection, REPLAY_APPLICATION_NAME } from "../db/connection.ts";
import type { FromWorker, PageSource, ToWorker } from "./pricers.ts";
import { runWhenIdle } from "./priority.ts";
import { parsedSale, SaleReplayer, type SaleRow } from "./replayer.ts";
import { readPage } from "./sales_pages.ts";
import { addSale, emptyTally } from "./tally.ts";

const scope = self as unknown as {
  onmessage: (e: MessageEvent<ToWorker>) => void;
  postMessage(message: FromWorker): void;
};

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
    scope.postMessage({ type: "started", idle: runWhenIdle() });
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

// One message at a time, in the order posted: a page is re-priced whole before the next.
let queue = Promise.resolve();
scope.onmessage = (e) => {
  const rows = rowsOf(e.data);
  const handled = queue.then(() => handle(e.data, rows));
  if (e.data.type === "start") started = handled.catch(() => {});
  queue = handled.catch((err) => {
    scope.postMessage({ type: "error", message: err instanceof Error ? err.message : String(err) });
  });
};
