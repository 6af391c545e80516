/**
 * A replay worker's entry (a Deno Worker started by replay/pricers.ts). It puts its thread on
 * idle cores (replay/priority.ts) before it loads what the replay needs (replay/worker_handler.ts:
 * the engine, the database driver), so that even compiling them waits for the till; the
 * messages that arrive meanwhile are handled, in order, once it has.
 */
import type { ToWorker } from "./pricers.ts";
import { runWhenIdle } from "./priority.ts";

const idle = runWhenIdle();
const receive = import("./worker_handler.ts").then((h) => h.serve(idle));
const scope = self as unknown as { onmessage: (e: MessageEvent<ToWorker>) => void };
// A handler that cannot load rejects here, unhandled: the worker's error, which fails the replay.
scope.onmessage = (e) => void receive.then((handle) => handle(e.data));
