/**
 * One worker of `deno serve --parallel`, started by `main.ts --parallel` once the database
 * is migrated and the islands are built: the app over its own Postgres pool. Workers share
 * nothing but the database; each keeps its own caches, kept fresh by LISTEN/NOTIFY.
 */
import { createApp } from "./app.tsx";
import { loadConfig } from "./config.ts";
import { connect } from "./db/connection.ts";
import { OutboxSender } from "./email/sender.ts";
import { mailerFor } from "./email/transport.ts";
import { readManifest } from "./web/assets.ts";

const config = loadConfig();
const conn = await connect(config.databaseUrl);
const assets = await readManifest();
if (!assets) throw new Error("no built islands: start with `deno task start:parallel`");
const mailer = mailerFor(config);
const app = createApp({
  db: conn.db,
  dbKind: conn.kind,
  config,
  assets,
  listen: conn.listen,
  mailer,
});
// Every worker sends: leases keep two of them from sending one email.
await new OutboxSender({ db: conn.db, mailer, listen: conn.listen }).start();

export default { fetch: app.fetch } satisfies Deno.ServeDefaultExport;
