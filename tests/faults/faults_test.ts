/**
 * Fault tests (`deno task faults`, not part of `deno task test`): the server started as a user
 * starts it (`deno run -A main.ts`, tests/browser/server.ts), under a load of sales, returns,
 * gift-card redemptions and offline sync batches from 16 POS clients that retry with the same
 * Idempotency-Key (tests/faults/pos_clients.ts), while the test
 *
 *   (a) kills the server with SIGKILL and starts it again (Postgres, and embedded PGlite);
 *   (b) terminates every backend of the server's database (pg_terminate_backend);
 *   (c) restarts Postgres with `pg_ctl restart -m immediate`, then stops it the same way and
 *       starts it again a moment later (gone long enough to see /healthz answer 503);
 *   (d) runs two instances on one database (one PUBLIC_URL) behind the same clients, which
 *       alternate between them, and kills one of them with SIGKILL.
 *
 * After each: the servers still run (b, c, and the other instance in d); every sale, return
 * and redemption a client got a 2xx for is in the database once, with its lines, its ledger
 * transaction and its stored answer; sending every acknowledged request again answers the
 * first answer byte for byte; the ledger check passes and no gift card is overdrawn; the LISTEN
 * connection is back and a programme change made after the fault reaches the server's cache.
 * Prints the recovery time (fault → first 2xx of a request sent after it) and a summary table.
 *
 * Postgres runs in a throwaway cluster of the test's own (tests/faults/cluster.ts), never the
 * shared server; PGlite in a temporary folder.
 */
import assert from "node:assert/strict";
import { connect, LISTENER_APPLICATION_NAME } from "../../db/connection.ts";
import { getGroup } from "../../programme/groups.ts";
import { getSettings, saveSettings } from "../../programme/settings.ts";
import { freePort, type RunningServer, startServer } from "../browser/server.ts";
import { type Audit, audit } from "./audit.ts";
import { type Cluster, createCluster } from "./cluster.ts";
import { type Fixture, loadFixture, PROBE_CATEGORY } from "./fixture.ts";
import { type Attempt, type Outcome, runLoad, send } from "./pos_clients.ts";

const CLIENTS = 16;
const SECRET = "fault-tests-token-key-secret";
/** Load before the fault, and after the first 2xx that follows it (ms). */
const BEFORE_MS = 4_000;
const AFTER_MS = 4_000;
/** The database stays down this long in (c) once /healthz has said so (ms). */
const DOWN_MS = 1_500;
/** How many times (b) terminates the server's backends. */
const TERMINATIONS = 3;
const RUN = crypto.randomUUID().slice(0, 6);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until it holds; fails after `ms` (a bound, not a measure). */
async function until(what: string, ms: number, check: () => Promise<boolean> | boolean) {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) assert.fail(`${what}: not after ${ms / 1000} s`);
    await sleep(100);
  }
}

let cluster: Promise<Cluster> | undefined;
let created: Cluster | undefined;
const theCluster = () => cluster ??= createCluster().then((c) => created = c);
// A run cut short (an uncaught failure, Ctrl-C, the CI's timeout) still stops the cluster and
// removes its folder.
const removeNow = () => created?.removeSync();
const interrupted = () => {
  removeNow();
  Deno.exit(130);
};
globalThis.addEventListener("unload", removeNow);
for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, interrupted);

interface Summary {
  fault: string;
  audit: Audit;
  /** From the fault to the end of the outage it caused (the database started again). */
  outageMs: number;
  recoveryMs: number;
  /** Requests answered 2xx after more than one attempt (the retries the fault caused). */
  retried: number;
  replayed: number;
  /** Replays that answered the first answer. */
  matched: number;
  failed: Record<string, number>;
}
const summaries: Summary[] = [];

interface Place {
  kind: "postgres" | "pglite";
  /** Postgres: the database's name and URL. */
  database?: string;
  url?: string;
  dataDir?: string;
}

async function newPlace(kind: Place["kind"], name: string): Promise<Place> {
  if (kind === "pglite") {
    return { kind, dataDir: await Deno.makeTempDir({ prefix: `le-faults-${name}-` }) };
  }
  const c = await theCluster();
  const database = `le_faults_${name}`;
  await c.query("postgres", `create database ${database}`);
  return { kind, database, url: c.urlOf(database) };
}

function serverEnv(place: Place, port: number, publicUrl: string): Record<string, string> & {
  PORT: string;
} {
  return {
    PORT: String(port),
    PUBLIC_URL: publicUrl,
    TOKEN_KEY_SECRET: SECRET,
    LOG_REQUESTS: "false",
    RATE_LIMIT_POS_PER_MINUTE: "0",
    DATABASE_URL: place.url ?? "",
    DATA_DIR: place.dataDir ?? "",
  };
}

/** The server's LISTEN connections now (pid each). */
async function listeners(place: Place): Promise<number[]> {
  if (!place.database) return [];
  const rows = await (await theCluster()).query<{ pid: number }>(
    "postgres",
    `select pid from pg_stat_activity where datname = '${place.database}'
       and application_name = '${LISTENER_APPLICATION_NAME}' and query like 'listen %'`,
  );
  return rows.map((r) => r.pid);
}

/**
 * A settings change made through the services on a connection of the test's own (as a script
 * or another instance would): the probe customer stops being a member. Answers how long each
 * server took to see it (ms); the cache's 5 s bound holds without LISTEN, so the listening
 * connections themselves are checked by `listeners`.
 */
async function cacheSeesChange(place: Place, fixture: Fixture, urls: string[]) {
  const conn = await connect(place.url, { dataDir: place.dataDir });
  const started = performance.now();
  try {
    const group = (await getGroup(conn.db, fixture.groupId))!;
    const actor = await conn.db.selectFrom("staff_users").select(["id", "email"])
      .where("is_owner", "=", true).executeTakeFirstOrThrow();
    const current = await getSettings(conn.db, group);
    const codes = current.settings.nonLoyaltyCategoryCodes;
    await saveSettings(conn.db, group, {
      version: current.version,
      settings: { ...current.settings, nonLoyaltyCategoryCodes: [...codes, PROBE_CATEGORY] },
    }, actor);
  } finally {
    await conn.close();
  }
  const seen: number[] = [];
  for (const url of urls) {
    await until(`the change seen by ${url}`, 30_000, async () => {
      const res = await fetch(`${url}/api/pos/v1/customers/lookup?number=${fixture.probeNumber}`, {
        headers: { Authorization: `Bearer ${fixture.tokens[0]}` },
      });
      return res.ok && (await res.json()).customer.member === false;
    });
    seen.push(Math.round(performance.now() - started));
  }
  return seen;
}

/** Sends every acknowledged request again; answers how many got their first answer back. */
async function replayAll(outcomes: Outcome[], urls: string[]) {
  const acked = outcomes.filter((o) => o.first);
  const mismatches: string[] = [];
  let next = 0;
  const worker = async (w: number) => {
    while (next < acked.length) {
      const o = acked[next++];
      const again = await send(o.op, () => urls, [], {
        timeoutMs: 10_000,
        giveUpMs: 30_000,
        offset: w,
      });
      if (again.first?.text !== o.first!.text) {
        mismatches.push(
          `${o.op.kind} ${o.op.key}: first ${o.first!.text.slice(0, 300)} / again ${
            (again.first ?? again.refusal)?.text.slice(0, 300)
          }`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, w) => worker(w)));
  return { replayed: acked.length, mismatches };
}

/** Failed attempts by kind: `503 application/problem+json`, `error`, `timeout`, … */
function failures(attempts: Attempt[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of attempts) {
    if (a.applied) continue;
    const k = typeof a.result === "number"
      ? `${a.result}${a.contentType ? ` ${a.contentType.split(";")[0]}` : ""}`
      : a.result;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

interface FaultContext {
  place: Place;
  servers: RunningServer[];
  /** Starts server `i` again (same port, same settings). */
  restart(i: number): Promise<void>;
  /**
   * Call when the fault happens, and again when the outage it caused ends (the database
   * started again): the recovery time is measured from the last call.
   */
  mark(): void;
}

/**
 * Loads a database, starts the servers and the POS clients, runs the fault, waits for a 2xx
 * of a request sent after it, lets the load go on, then checks everything (module comment).
 */
async function scenario(
  fault: string,
  opts: {
    kind: Place["kind"];
    instances?: number;
    /** Server indices the fault kills (and restarts); every other one must survive. */
    killed?: number[];
    /** 5xx answers must be problem+json 503s, and no attempt may time out. */
    strict503?: boolean;
    run: (ctx: FaultContext) => Promise<void>;
  },
) {
  const name = fault.replace(/\W+/g, "_").replace(/^_|_$/g, "").toLowerCase();
  const place = await newPlace(opts.kind, `${name}_${RUN}`);
  const ports = Array.from({ length: opts.instances ?? 1 }, () => freePort());
  // One issuer for every instance: each accepts the tokens the fixture issued.
  const publicUrl = `http://127.0.0.1:${ports[0]}`;
  const fixture = await loadFixture(place, { issuer: publicUrl, tokenKeySecret: SECRET });
  const start = (port: number) => startServer(serverEnv(place, port, publicUrl));
  const servers = await Promise.all(ports.map(start));
  const urls = servers.map((s) => s.url);
  try {
    if (place.kind === "postgres") {
      await until(
        "each instance LISTENs",
        30_000,
        async () => (await listeners(place)).length === servers.length,
      );
    }
    let stopped = false;
    const load = runLoad({
      urls: () => urls,
      fixture,
      clients: CLIENTS,
      tag: `${RUN}-${name}`,
      stop: () => stopped,
    });
    await sleep(BEFORE_MS);
    /** Fails when a server the fault does not kill has ended, with its last words. */
    const survivorsRun = () => {
      servers.forEach((s, i) => {
        const exit = opts.killed?.includes(i) ? undefined : s.exited();
        if (exit) {
          const tail = s.output().trimEnd().split("\n").slice(-8).join("\n");
          assert.fail(`server ${i} exited (code ${exit.code}) after the fault:\n${tail}`);
        }
      });
    };
    const marks: number[] = [];
    await opts.run({
      place,
      servers,
      restart: async (i) => {
        servers[i] = await start(ports[i]);
      },
      mark: () => marks.push(performance.now()),
    });
    assert.ok(marks.length > 0, "the fault marked its time");
    const faultAt = marks.at(-1)!;
    const outageMs = Math.round(faultAt - marks[0]);
    const recovered = () => load.attempts.find((a) => a.applied && a.sentAt >= faultAt);
    await until(`${fault}: a 2xx after the fault`, 60_000, () => {
      survivorsRun();
      return recovered() !== undefined;
    });
    const recoveryMs = Math.round(recovered()!.doneAt - faultAt);
    await sleep(AFTER_MS);
    stopped = true;
    await load.done;

    survivorsRun();
    const unanswered = load.outcomes.filter((o) => !o.first && !o.refusal);
    assert.equal(unanswered.length, 0, `requests never answered: ${unanswered.length}`);
    const refused = load.outcomes.filter((o) => o.refusal);
    assert.equal(
      refused.length,
      0,
      `refusals: ${refused.slice(0, 3).map((o) => o.refusal!.text).join("\n")}`,
    );
    const failed = failures(load.attempts);
    if (opts.strict503) {
      const other = Object.keys(failed).filter((k) => k !== "503 application/problem+json");
      assert.deepEqual(
        other,
        [],
        `failures other than problem+json 503: ${JSON.stringify(failed)}`,
      );
    }

    // What the load left, before anything is sent again: a retry would hide a lost sale by
    // recording it anew. PGlite is the server's own: read once it has stopped.
    if (place.kind === "pglite") { for (const s of servers) await s.stop(); }
    const conn = await connect(place.url, { dataDir: place.dataDir });
    let found: Audit;
    try {
      found = await audit(conn.db, `${RUN}-${name}`, load.outcomes);
    } finally {
      await conn.close();
    }
    if (place.kind === "pglite") servers[0] = await start(ports[0]);

    const { replayed, mismatches } = await replayAll(load.outcomes, urls);

    if (place.kind === "postgres") {
      await until("every instance LISTENs again", 30_000, async () => {
        const now = await listeners(place);
        return now.length === servers.length;
      });
      const seen = await cacheSeesChange(place, fixture, urls);
      console.log(`  programme change seen after ${seen.join(", ")} ms`);
    }
    summaries.push({
      fault,
      audit: found,
      outageMs,
      recoveryMs,
      retried: load.outcomes.filter((o) => o.first && o.attempts > 1).length,
      replayed,
      matched: replayed - mismatches.length,
      failed,
    });
    console.log(
      `  ${fault}: ${load.outcomes.length} requests, recovery ${recoveryMs} ms` +
        `${outageMs ? ` after an outage of ${outageMs} ms` : ""}; failed attempts ` +
        JSON.stringify(failed),
    );
    assert.deepEqual(mismatches.slice(0, 5), [], "every retry answers the first answer");
    assert.deepEqual(found.findings, []);
    assert.equal(found.found, found.acknowledged);
    assert.equal(found.duplicates, 0);
    assert.equal(found.halfWritten, 0);
    assert.equal(found.redemptionsFound, found.redemptionsAcknowledged);
    assert.ok(found.ledgerSound, "ledger check");
    assert.ok(found.acknowledged > 0, "the load recorded sales");
  } finally {
    for (const s of servers) await s.stop();
    if (place.dataDir) await Deno.remove(place.dataDir, { recursive: true });
  }
}

const options = { sanitizeOps: false, sanitizeResources: false };

/** The fault of (a) and (d): the first instance killed with SIGKILL, then started again. */
async function killFirstAndRestart({ servers, restart, mark }: FaultContext) {
  mark();
  await servers[0].kill();
  await restart(0);
}

Deno.test(
  "(a) SIGKILL of the server, then a restart (Postgres)",
  options,
  () =>
    scenario("a SIGKILL", {
      kind: "postgres",
      killed: [0],
      run: killFirstAndRestart,
    }),
);

Deno.test(
  "(b) every backend of the server terminated",
  options,
  () =>
    scenario("b terminate backends", {
      kind: "postgres",
      strict503: true,
      run: async ({ place, mark }) => {
        // Three times, a moment apart: connections of the pool are caught in every state (idle,
        // in a query, checked out between two statements of a transaction).
        const c = await theCluster();
        const counts = [];
        mark();
        for (let i = 0; i < TERMINATIONS; i++) {
          if (i) await sleep(300);
          counts.push(await c.terminateBackends(place.database!));
        }
        console.log(`  terminated ${counts.join(" + ")} backends`);
        mark();
      },
    }),
);

Deno.test(
  "(c) Postgres restarted -m immediate, then stopped: /healthz 503, started again",
  options,
  () =>
    scenario("c restart Postgres", {
      kind: "postgres",
      strict503: true,
      run: async ({ servers, mark }) => {
        const c = await theCluster();
        mark();
        await c.restartImmediate();
        // Then once more, with a pause: the database is gone long enough to ask /healthz.
        await sleep(1_000);
        await c.stopImmediate();
        let health = 0;
        let tookMs = 0;
        await until("/healthz answers 503 while the database is gone", 10_000, async () => {
          const t0 = performance.now();
          const res = await fetch(`${servers[0].url}/healthz`, {
            signal: AbortSignal.timeout(10_000),
          });
          await res.body?.cancel();
          tookMs = Math.round(performance.now() - t0);
          health = res.status;
          return health === 503;
        });
        console.log(`  /healthz answered ${health} in ${tookMs} ms with the database gone`);
        await sleep(DOWN_MS);
        await c.start();
        mark();
      },
    }),
);

Deno.test(
  "(d) two instances on one database, one killed with SIGKILL",
  options,
  () =>
    scenario("d two instances", {
      kind: "postgres",
      instances: 2,
      killed: [0],
      run: killFirstAndRestart,
    }),
);

Deno.test(
  "(a) SIGKILL of the server on the embedded database (PGlite)",
  options,
  () =>
    scenario("a SIGKILL PGlite", {
      kind: "pglite",
      killed: [0],
      run: killFirstAndRestart,
    }),
);

Deno.test("fault tests: summary, and the throwaway cluster removed", options, async () => {
  const head = [
    "fault",
    "sales acknowledged",
    "sales found",
    "duplicates",
    "half-written",
    "redemptions ack/found",
    "retried",
    "outage ms",
    "recovery ms",
    "replayed = first",
    "ledger",
  ];
  const rows = summaries.map((s) => [
    s.fault,
    String(s.audit.acknowledged),
    String(s.audit.found),
    String(s.audit.duplicates),
    String(s.audit.halfWritten),
    `${s.audit.redemptionsAcknowledged}/${s.audit.redemptionsFound}`,
    String(s.retried),
    String(s.outageMs),
    String(s.recoveryMs),
    `${s.matched}/${s.replayed}`,
    s.audit.ledgerSound ? "sound" : "NOT SOUND",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join(" | ");
  console.log(["", line(head), widths.map((w) => "-".repeat(w)).join("-|-"), ...rows.map(line)]
    .join("\n"));
  if (cluster) await (await cluster).remove();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.removeSignalListener(signal, interrupted);
  }
});
