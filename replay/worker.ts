/**
 * A replay worker (a Deno Worker started by replay/pricers.ts): re-prices the pages of sales the
 * server's thread posts, in order, keeps their tally and answers it at the end. Pure: it reads
 * no database and writes nothing. It runs only on idle cores (replay/priority.ts).
 */
import type { FromWorker, ToWorker } from "./pricers.ts";
import { runWhenIdle } from "./priority.ts";
import { parsedSale, SaleReplayer } from "./replayer.ts";
import { addSale, emptyTally } from "./tally.ts";

const scope = self as unknown as {
  onmessage: (e: MessageEvent<ToWorker>) => void;
  postMessage(message: FromWorker): void;
};

let replayer: SaleReplayer | undefined;
const tally = emptyTally();

async function handle(m: ToWorker) {
  if (m.type === "start") {
    replayer = new SaleReplayer(m.sides, m.recorded);
    scope.postMessage({ type: "started", idle: runWhenIdle() });
    return;
  }
  if (!replayer) throw new Error("replay worker: a page before the start");
  if (m.type === "page") {
    for (const [i, row] of m.rows.entries()) {
      const sale = parsedSale(row);
      addSale(tally, m.seq + i, sale, await replayer.replay(sale));
    }
    scope.postMessage({ type: "page", sales: m.rows.length });
    return;
  }
  tally.stats = replayer.stats();
  scope.postMessage({ type: "tally", tally });
}

// One message at a time, in the order posted: a page is re-priced whole before the next.
let queue = Promise.resolve();
scope.onmessage = (e) => {
  queue = queue.then(() => handle(e.data)).catch((err) => {
    scope.postMessage({ type: "error", message: err instanceof Error ? err.message : String(err) });
  });
};
