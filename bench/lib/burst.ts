/**
 * A burst: `count` requests of one endpoint all sent at once by this process (fetch, each on a
 * connection of its own) and awaited together — the "1,000 concurrent requests on one card"
 * of the redemption scenario, which wrk cannot make (its connections each send one request
 * after another, and a thousand of them would only measure a queue in wrk). The figures have
 * wrk's shape: requests, req/s over the burst (first sent to last answered), latency
 * percentiles (nearest rank), the answers by status, and failures as errors.
 */
import { type Endpoint, fill } from "./endpoints.ts";
import type { WrkResult } from "./wrk.ts";

export interface BurstOptions {
  baseUrl: string;
  count: number;
  timeoutS: number;
  token: string;
  /** The card every request names. */
  card: string;
  /** Makes the Idempotency-Keys unique: `load-<endpoint>-<runId>-<i>`. */
  runId: string;
}

/** The nearest-rank percentile `q` (0–100) of sorted values. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** What one request came to: its latency and status, or how it failed. */
interface Answer {
  ms: number;
  status?: number;
  /** A refusal's problem type, its last path segment (`insufficient-funds`). */
  problem?: string;
  bytes: number;
  failure?: "timeout" | "socket";
}

/** wrk's figures, and the refusals by problem type (`{"409 insufficient-funds": 990}`). */
export type BurstResult = WrkResult & { problems: Record<string, number> };

/** The problem type of a refusal's body, or `?` when it is not a problem document. */
function problemType(body: ArrayBuffer): string {
  try {
    const type = JSON.parse(new TextDecoder().decode(body)).type;
    return typeof type === "string" ? type.slice(type.lastIndexOf("/") + 1) : "?";
  } catch {
    return "?";
  }
}

export async function runBurst(e: Endpoint, opts: BurstOptions): Promise<BurstResult> {
  const at = new Date().toISOString();
  const requests = Array.from({ length: opts.count }, (_, i) => {
    const values = { card: opts.card, id: `${opts.runId}-${i + 1}`, at };
    const headers: Record<string, string> = {};
    if (e.auth) headers.Authorization = `Bearer ${opts.token}`;
    if (e.body !== undefined) headers["Content-Type"] = "application/json";
    if (e.idempotencyKey) headers["Idempotency-Key"] = `load-${e.name}-${values.id}`;
    return {
      url: opts.baseUrl + fill(e.path, values),
      init: {
        method: e.method,
        headers,
        body: e.body === undefined ? undefined : fill(JSON.stringify(e.body), values),
      },
    };
  });

  const one = async (r: (typeof requests)[number]): Promise<Answer> => {
    const started = performance.now();
    try {
      const res = await fetch(r.url, {
        ...r.init,
        signal: AbortSignal.timeout(opts.timeoutS * 1000),
      });
      const body = await res.arrayBuffer();
      const ms = performance.now() - started;
      return {
        ms,
        status: res.status,
        bytes: body.byteLength,
        ...(res.status >= 400 ? { problem: problemType(body) } : {}),
      };
    } catch (err) {
      const timeout = err instanceof DOMException && err.name === "TimeoutError";
      return { ms: performance.now() - started, bytes: 0, failure: timeout ? "timeout" : "socket" };
    }
  };

  // Every request is built first, then all are sent in one turn of the event loop.
  const started = performance.now();
  const answers = await Promise.all(requests.map(one));
  const durationS = (performance.now() - started) / 1000;

  const answered = answers.filter((a) => a.status !== undefined);
  const latencies = answered.map((a) => a.ms).sort((a, b) => a - b);
  const mean = latencies.reduce((s, x) => s + x, 0) / (latencies.length || 1);
  const stdev = Math.sqrt(
    latencies.reduce((s, x) => s + (x - mean) ** 2, 0) / (latencies.length || 1),
  );
  const statuses: Record<string, number> = {};
  const problems: Record<string, number> = {};
  for (const a of answered) {
    statuses[a.status!] = (statuses[a.status!] ?? 0) + 1;
    if (a.problem) {
      const k = `${a.status} ${a.problem}`;
      problems[k] = (problems[k] ?? 0) + 1;
    }
  }
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  const status = answered.filter((a) => a.status! >= 400).length;
  const timeout = answers.filter((a) => a.failure === "timeout").length;
  const socket = answers.filter((a) => a.failure === "socket").length;
  return {
    // As wrk counts them: answered requests (a timeout is an error, not a request).
    requests: answered.length,
    durationS,
    rps: durationS > 0 ? answered.length / durationS : 0,
    bytes: answered.reduce((s, a) => s + a.bytes, 0),
    latencyMs: {
      mean: round(mean),
      stdev: round(stdev),
      max: round(latencies[latencies.length - 1] ?? 0),
      p50: round(percentile(latencies, 50)),
      p75: round(percentile(latencies, 75)),
      p90: round(percentile(latencies, 90)),
      p99: round(percentile(latencies, 99)),
      p999: round(percentile(latencies, 99.9)),
    },
    statuses,
    problems,
    errors: {
      status,
      connect: 0,
      read: socket,
      write: 0,
      timeout,
      total: status + socket + timeout,
    },
  };
}
