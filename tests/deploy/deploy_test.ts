/**
 * The README's deploy section followed step by step on a Postgres server: `deno task build`,
 * `deno task db:migrate` against a fresh database, the server started with only
 * `--allow-net --allow-env --allow-read` and MIGRATE_ON_START=false, /readyz 200, the owner
 * from ADMIN_EMAIL, a POS registered and its token issued through the admin API, a POS quote
 * and a sale, /healthz with the versions; and a server started on a database not yet migrated:
 * not ready until `db:migrate` runs, ready after it without a restart.
 *
 * Postgres only: skipped (`ignore`) when TEST_DATABASE_URL is unset. The restricted
 * permissions are those of a server on Postgres; the embedded database writes to its folder.
 */
import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { latestKnownMigration } from "../../db/migrate.ts";
import { createTestDatabase, testBackend, type TestDatabase } from "../helpers/db.ts";
import { freePort, type RunningServer, startServer } from "../browser/server.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const ignore = testBackend !== "postgres";

/** What the README's step 3 starts: the permissions of a Deno Deploy isolate, no more. */
const RESTRICTED = ["--allow-net", "--allow-env", "--allow-read"];
const DB_PASSWORD = "db-password-never-logged";
const KEY_SECRET = "token-key-secret-never-logged";
const ADMIN_EMAIL = "owner@example.com";
const ADMIN_PASSWORD = "admin password never logged";

/** `deno task <name>` in the project, as the README runs it. */
async function task(name: string, env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", name],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

/** A fresh, empty database on the test server, reached with a password in its URL. */
async function freshDatabase(): Promise<{ database: TestDatabase; url: string }> {
  const database = await createTestDatabase({ migrated: false });
  const url = new URL(database.url);
  // The test server trusts local connections: the password is only there to be kept secret.
  url.password = DB_PASSWORD;
  return { database, url: url.toString() };
}

async function call(
  server: RunningServer,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; key?: string } = {},
) {
  const res = await fetch(server.url + path, {
    method,
    headers: {
      ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body === undefined ? {} : { "Content-Type": "application/json" }),
      ...(opts.key ? { "Idempotency-Key": opts.key } : {}),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  // deno-lint-ignore no-explicit-any -- the test reads whatever the endpoint answered.
  const json: any = text && (res.headers.get("Content-Type") ?? "").includes("json")
    ? JSON.parse(text)
    : text;
  return { status: res.status, json };
}

/** Calls `path` and asserts the status; answers the body. */
async function expect(
  status: number,
  server: RunningServer,
  method: string,
  path: string,
  opts: Parameters<typeof call>[3] = {},
) {
  const res = await call(server, method, path, opts);
  assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.json)}`);
  return res.json;
}

function assertNoSecret(output: string) {
  for (const secret of [DB_PASSWORD, KEY_SECRET, ADMIN_PASSWORD]) {
    assert.ok(!output.includes(secret), `the server's output shows a secret:\n${output}`);
  }
  assert.doesNotMatch(output, /NotCapable|Requires \w+ access/, "no permission was missing");
}

Deno.test({
  name: "deploy: build, migrate, start restricted, ready, a POS quote and sale (postgres)",
  ignore,
  async fn(t) {
    const { database, url } = await freshDatabase();
    let server: RunningServer | undefined;
    try {
      await t.step("1. deno task build writes the island bundles", async () => {
        const build = await task("build", {});
        assert.equal(build.code, 0, build.text);
        const manifest = JSON.parse(await Deno.readTextFile(`${ROOT}dist/manifest.json`));
        assert.ok(Object.keys(manifest.islands).length > 0);
      });

      await t.step("2. deno task db:migrate applies every migration", async () => {
        const migrate = await task("db:migrate", { DATABASE_URL: url });
        assert.equal(migrate.code, 0, migrate.text);
        assert.match(migrate.text, new RegExp(`applied: .*${latestKnownMigration}`));
        assert.ok(!migrate.text.includes(DB_PASSWORD), migrate.text);
        const again = await task("db:migrate", { DATABASE_URL: url });
        assert.equal(again.code, 0, again.text);
        assert.match(again.text, /database is up to date/);
      });

      const port = freePort();
      await t.step("3. the server starts with --allow-net --allow-env --allow-read", async () => {
        server = await startServer(
          {
            PORT: String(port),
            DATABASE_URL: url,
            PUBLIC_URL: `http://127.0.0.1:${port}`,
            TOKEN_KEY_SECRET: KEY_SECRET,
            MIGRATE_ON_START: "false",
            ADMIN_EMAIL,
            ADMIN_PASSWORD,
          },
          60_000,
          RESTRICTED,
        );
        const listening = server.output().split("\n").find((l) => l.includes('"listening"'));
        assert.ok(listening, server.output());
        assert.deepEqual(JSON.parse(listening).migrationsApplied, []);
        assertNoSecret(server.output());
      });
      const s = () => server!;

      await t.step("4. /readyz answers 200, /healthz the versions", async () => {
        assert.deepEqual(await expect(200, s(), "GET", "/readyz"), {
          status: "ready",
          reason: null,
          schema: { applied: latestKnownMigration, latest: latestKnownMigration, state: "current" },
        });
        const health = await expect(200, s(), "GET", "/healthz");
        assert.equal(health.version, denoJson.version);
        assert.deepEqual(health.schema, {
          applied: latestKnownMigration,
          latest: latestKnownMigration,
          state: "current",
        });
        assert.equal(health.database.kind, "postgres");
        assert.equal(typeof health.database.roundTripMs, "number");
      });

      let posToken = "";
      await t.step("5. the owner registers a POS and issues its token (admin API)", async () => {
        const { token } = await expect(200, s(), "POST", "/api/auth/token", {
          body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
        });
        const admin = (method: string, path: string, body?: unknown) =>
          expect(method === "POST" ? 201 : 200, s(), method, `/api/admin/v1${path}`, {
            token,
            body,
          });
        const org = await admin("POST", "/organizations", { name: "Deploy" });
        const site = await admin("POST", `/organizations/${org.id}/sites`, { name: "Main site" });
        const store = await admin("POST", `/sites/${site.id}/stores`, {
          number: 1,
          name: "Store 1",
          timezone: "Europe/Paris",
        });
        const pos = await admin("POST", `/stores/${store.id}/pos`, { number: 1, name: "Till 1" });
        const group = await admin("POST", "/merchant-groups", {
          organizationId: org.id,
          name: "Deploy programme",
        });
        const merchant = await admin("POST", "/merchants", {
          organizationId: org.id,
          name: "Deploy shop",
          storeIds: [store.id],
        });
        await expect(200, s(), "POST", `/api/admin/v1/merchant-groups/${group.id}/merchants`, {
          token,
          body: { merchantId: merchant.id },
        });
        const rules = `/merchant-groups/${group.id}/rules`;
        const { draft } = await admin("GET", rules);
        const saved = await admin("PUT", `${rules}/draft`, {
          version: draft.version,
          rules: [{
            id: "basic",
            name: "A point per euro",
            enabled: true,
            priority: 10,
            conditions: { all: [{ fact: "member", operator: "equal", value: true }] },
            event: { type: "basic-points", params: { pointsPerUnit: 1 } },
          }],
        });
        await admin("POST", `${rules}/publish`, { draftVersion: saved.version });
        ({ token: posToken } = await admin("POST", `/pos/${pos.id}/tokens`, { ttlDays: 1 }));
        const keys = await database.db.selectFrom("signing_keys").select("private_jwk").execute();
        assert.ok(keys.length > 0 && keys.every((k) => k.private_jwk.startsWith("enc:")));
      });

      await t.step("6. the POS quotes and sells (tenders = the basket's total)", async () => {
        const { customer } = await expect(201, s(), "POST", "/api/pos/v1/customers", {
          token: posToken,
          key: "deploy-customer",
          body: { name: "Dana Deploy", categories: ["MEMBER"] },
        });
        const basket = {
          currency: "EUR",
          customer: { number: customer.number },
          lines: [{ sku: "SKU-1", category: "SHOES", quantity: 2, unitPrice: 1250 }],
          tenders: [{ type: "CASH", amount: 2500 }],
        };
        const quote = await expect(200, s(), "POST", "/api/pos/v1/quote", {
          token: posToken,
          body: basket,
        });
        assert.equal(quote.points, 25);
        const sale = await expect(201, s(), "POST", "/api/pos/v1/sales", {
          token: posToken,
          key: "deploy-sale-1",
          body: { ...basket, receiptNumber: "DEPLOY-1", at: new Date().toISOString() },
        });
        assert.equal(sale.points, quote.points);
        assert.equal(sale.receiptNumber, "DEPLOY-1");
      });

      await t.step("nothing the server printed shows a secret", () => {
        assertNoSecret(s().output());
      });
    } finally {
      await server?.stop();
      await database.close();
    }
  },
});

Deno.test({
  name: "deploy: a server on a database not yet migrated is not ready until db:migrate (postgres)",
  ignore,
  async fn() {
    const { database, url } = await freshDatabase();
    let server: RunningServer | undefined;
    try {
      server = await startServer(
        {
          PORT: String(freePort()),
          DATABASE_URL: url,
          TOKEN_KEY_SECRET: KEY_SECRET,
          MIGRATE_ON_START: "false",
        },
        60_000,
        RESTRICTED,
      );
      const before = await call(server, "GET", "/readyz");
      assert.equal(before.status, 503);
      assert.deepEqual(before.json, {
        status: "not-ready",
        reason: "migrations-pending",
        schema: { applied: null, latest: latestKnownMigration, state: "pending" },
      });
      const health = await call(server, "GET", "/healthz");
      assert.equal(health.status, 200, "alive: its database answers");
      assert.equal(health.json.schema.state, "pending");

      const migrate = await task("db:migrate", { DATABASE_URL: url });
      assert.equal(migrate.code, 0, migrate.text);
      const after = await call(server, "GET", "/readyz");
      assert.equal(after.status, 200, JSON.stringify(after.json));
      assert.equal(after.json.schema.state, "current");
      assertNoSecret(server.output());
    } finally {
      await server?.stop();
      await database.close();
    }
  },
});
