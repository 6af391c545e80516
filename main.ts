import { createApp } from "./app.tsx";
import { loadConfig } from "./config.ts";
import { connect } from "./db/connection.ts";
import { migrateToLatest } from "./db/migrate.ts";
import { ensureOwnerFromEnv } from "./staff/bootstrap.ts";
import { readManifest } from "./web/assets.ts";
import { buildIslands } from "./web/build.ts";

const started = performance.now();
const config = loadConfig();
const parallel = Deno.args.includes("--parallel");
const conn = await connect(config.databaseUrl, { dataDir: config.dataDir });
if (parallel && conn.kind === "pglite") {
  await conn.close();
  throw new Error(
    "--parallel needs DATABASE_URL=postgres://…: the embedded database is one process",
  );
}
const applied = await migrateToLatest(conn.db);
await ensureOwnerFromEnv(conn.db, config);
// Bundling takes a fraction of a second, so every start rebuilds and never serves stale
// islands. A host that cannot spawn the bundler (Deno Deploy) uses what `deno task build` made.
const assets = await buildIslands().catch(async (err) => {
  const built = await readManifest();
  if (!built) throw err;
  console.warn(JSON.stringify({ msg: "island build skipped; serving dist/", reason: String(err) }));
  return built;
});

if (parallel) {
  // One worker per core, each with its own pool, all on one port (`deno serve --parallel`).
  // The database is migrated and the islands built once, here, before any worker starts.
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

const app = createApp({ db: conn.db, dbKind: conn.kind, config, assets, listen: conn.listen });
const server = Deno.serve({
  port: config.port,
  onListen: ({ port }) => {
    console.log(JSON.stringify({
      msg: "listening",
      url: `http://localhost:${port}`,
      database: conn.kind === "pglite" ? (config.databaseUrl ?? config.dataDir) : "postgres",
      migrationsApplied: applied,
      startupMs: Math.round(performance.now() - started),
    }));
  },
}, app.fetch);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    await server.shutdown();
    await conn.close();
    Deno.exit(0);
  });
}
