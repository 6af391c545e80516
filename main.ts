import { createApp } from "./app.tsx";
import { loadConfig } from "./config.ts";
import { connect } from "./db/connection.ts";
import { migrateToLatest } from "./db/migrate.ts";
import { ensureOwnerFromEnv } from "./staff/bootstrap.ts";
import { readManifest } from "./web/assets.ts";
import { buildIslands } from "./web/build.ts";

const started = performance.now();
const config = loadConfig();
const conn = await connect(config.databaseUrl, { dataDir: config.dataDir });
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
