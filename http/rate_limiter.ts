import { ProblemError } from "../errors/problem.ts";

const WINDOW_MS = 60_000;
const MAX_KEYS = 100_000;

/**
 * Requests per key and minute, in fixed one-minute windows, counted in this process: a limit
 * per instance (each Deno Deploy isolate counts its own). It blunts a runaway or stolen
 * credential; it is not an accounting of use. `perMinute` 0 turns it off.
 */
export class RateLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(readonly perMinute: number, readonly now: () => number = Date.now) {}

  /** Counts one request of `key`; throws 429 with Retry-After when its minute is used up. */
  take(key: string): void {
    if (this.perMinute <= 0) return;
    const now = this.now();
    let w = this.#windows.get(key);
    if (!w || now - w.start >= WINDOW_MS) {
      if (this.#windows.size >= MAX_KEYS) this.#prune(now);
      w = { start: now, count: 0 };
      this.#windows.set(key, w);
    }
    if (++w.count > this.perMinute) {
      const retryAfter = Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000));
      throw new ProblemError(429, "rate-limited", "Too many requests", {
        detail: `at most ${this.perMinute} per minute; retry in ${retryAfter} s`,
      }, { "Retry-After": String(retryAfter) });
    }
  }

  #prune(now: number) {
    for (const [k, w] of this.#windows) if (now - w.start >= WINDOW_MS) this.#windows.delete(k);
  }
}
