import { createApp } from "./app.tsx";
import { APP_VERSION, loadConfig, startRefusal } from "./config.ts";
import { connect } from "./db/connection.ts";
import {
  latestAppliedMigration,
  latestKnownMigration,
  migrateToLatest,
  type SchemaState,
  schemaState,
} from "./db/migrate.ts";
import { OutboxSender } from "./email/sender.ts";
import { mailerFor } from "./email/transport.ts";
import { serverReplayRunner } from "./replay/jobs.ts";
import { ensureOwnerFromEnv } from "./staff/bootstrap.ts";
import { readManifest } from "./web/assets.ts";

/** A start that cannot go on: one line on stderr, never a stack or a secret. */
function refuse(msg: string): never {
  console.error(`cannot start: ${msg}`);
  Deno.exit(1);
}
const message = (err: unknown) => err instanceof Error ? err.message : String(err);

const started = performance.now();
const config = loadConfig();
const refusal = startRefusal(config);
if (refusal) refuse(refusal);
const parallel = Deno.args.includes("--parallel");
// Built by `deno task build` (which `deno task start` runs), never here: a host may let the
// server neither write files nor spawn the bundler.
const assets = await readManifest();
if (!assets) refuse("no island bundles in dist/: run `deno task build` first");
const conn = await connect(config.databaseUrl, { dataDir: config.dataDir })
  .catch((err) => refuse(message(err)));
if (parallel && conn.kind === "pglite") {
  await conn.close();
  refuse("--parallel needs DATABASE_URL=postgres://…: the embedded database is one process");
}
let applied: string[] = [];
/** Null when the database did not answer. */
let schema: SchemaState | null = null;
try {
  if (config.migrateOnStart) applied = await migrateToLatest(conn.db);
  schema = schemaState(await latestAppliedMigration(conn.db));
} catch (err) {
  if (config.migrateOnStart) refuse(message(err));
  // Not migrating, the server starts without its database and stays not ready (/readyz).
  console.error(JSON.stringify({ msg: "database not checked at start", error: message(err) }));
}
if (schema === "pending") {
  // The owner needs its tables: ADMIN_EMAIL takes effect at a start after `db:migrate`.
  console.warn(JSON.stringify({
    msg: "migrations pending: not ready until `deno task db:migrate` runs",
    latest: latestKnownMigration,
  }));
} else if (schema) {
  await ensureOwnerFromEnv(conn.db, config).catch((err) => refuse(message(err)));
}

if (parallel) {
  // One worker per core, each with its own pool, all on one port (`deno serve --parallel`).
  // The database is migrated once, here, before any worker starts.
  await conn.close();
  const workers = new Deno.Command(Deno.execPath(), {
    args: ["serve", "--parallel", "-A", new URL("./serve.ts", import.meta.url).pathname],
    env: { DENO_SERVE_ADDRESS: `tcp:0.0.0.0:${config.port}` },
  }).spawn();
  console.log(JSON.stringify({
    msg: "starting workers",
    url: `http://localhost:${config.port}`,
    workers: Number(Deno.env.get("DENO_JOBS") ?? navigator.hardwareConcurrency),
    migrationsApplied: applied,
  }));
  // Workers hold open pools, so a graceful stop may never end: after 3 s they are killed
  // (Postgres rolls back whatever they had in flight).
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      workers.kill(signal);
      setTimeout(() => workers.kill("SIGKILL"), 3_000);
    });
  }
  Deno.exit((await workers.status).code);
}

const mailer = mailerFor(config);
const replays = serverReplayRunner(conn.db, conn.kind, config);
const app = createApp({
  db: conn.db,
  dbKind: conn.kind,
  config,
  assets,
  listen: conn.listen,
  mailer,
  replays,
});
// The outbox has its table once migrated; a server behind sends nothing until restarted.
const sender = schema === "current"
  ? new OutboxSender({ db: conn.db, mailer, listen: conn.listen })
  : undefined;
await sender?.start();
if (schema === "current") {
  // Replays a stopped server left unfinished run again here.
  replays.resumeLost().catch((err) => {
    console.error(JSON.stringify({ msg: "cannot resume replays", error: message(err) }));
  });
}
const server = Deno.serve({
  port: config.port,
  onListen: ({ port }) => {
    console.log(JSON.stringify({
      msg: "listening",
      url: `http://localhost:${port}`,
      database: conn.kind === "pglite" ? (config.databaseUrl ?? config.dataDir) : "postgres",
      version: APP_VERSION,
      migrationsApplied: applied,
      schema,
      startupMs: Math.round(performance.now() - started),
    }));
  },
}, app.fetch);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    // The email in hand is sent and recorded before the database closes.
    await sender?.stop();
    await server.shutdown();
    await conn.close();
    Deno.exit(0);
  });
}
