/**
 * What `main.ts` refuses, and what it never prints: without TOKEN_KEY_SECRET a server on a
 * Postgres URL does not start (one line, exit 1) unless ALLOW_UNENCRYPTED_KEYS=true; a start
 * that fails on its database says why without the URL's password. No database is needed: the
 * URL points at a port nothing listens on.
 */
import assert from "node:assert/strict";
import { loadConfig, startRefusal } from "../../config.ts";
import { buildIslands } from "../../web/build.ts";
import { freePort } from "../browser/server.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PASSWORD = "start-test-password";
const nowhere = () => `postgres://loyalty:${PASSWORD}@127.0.0.1:${freePort()}/loyalty`;

/** `main.ts` with the permissions of a server on Postgres, until it exits. */
async function start(env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "--allow-read", "main.ts"],
    cwd: ROOT,
    // Empty is unset: whatever the test runner's environment holds does not count.
    env: { TOKEN_KEY_SECRET: "", ALLOW_UNENCRYPTED_KEYS: "", PORT: String(freePort()), ...env },
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("without TOKEN_KEY_SECRET a server on Postgres refuses to start, in one line", async () => {
  const run = await start({ DATABASE_URL: nowhere() });
  assert.equal(run.code, 1);
  assert.equal(run.stdout, "");
  const lines = run.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], /^cannot start: TOKEN_KEY_SECRET is not set: .*ALLOW_UNENCRYPTED_KEYS/);
  assert.ok(!run.stderr.includes(PASSWORD));
});

Deno.test("a start that fails on its database does not print the URL's password", async () => {
  await buildIslands();
  const allowed: Record<string, string>[] = [
    { ALLOW_UNENCRYPTED_KEYS: "true" },
    { TOKEN_KEY_SECRET: "s3cret-key" },
  ];
  for (const env of allowed) {
    const run = await start({ DATABASE_URL: nowhere(), ...env });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^cannot start: .*ECONNREFUSED/m, "past the refusal, at the database");
    for (const secret of [PASSWORD, "s3cret-key"]) {
      assert.ok(!(run.stdout + run.stderr).includes(secret), run.stderr);
    }
  }
  const typo = await start({ DATABASE_URL: `postgre://loyalty:${PASSWORD}@db/loyalty` });
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /^cannot start: DATABASE_URL must be .* \(got postgre:\)$/m);
  assert.ok(!typo.stderr.includes(PASSWORD));
});

Deno.test("not migrating at start, a server whose database is down starts, not ready", async () => {
  await buildIslands();
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "--allow-read", "main.ts"],
    cwd: ROOT,
    env: {
      DATABASE_URL: nowhere(),
      TOKEN_KEY_SECRET: "s3cret-key",
      MIGRATE_ON_START: "false",
      PORT: String(port),
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    let readyz: Response | undefined;
    for (let i = 0; i < 300 && !readyz; i++) {
      readyz = await fetch(`http://127.0.0.1:${port}/readyz`).catch(async () => {
        await new Promise((r) => setTimeout(r, 100));
        return undefined;
      });
    }
    assert.ok(readyz, "the server listens");
    assert.equal(readyz.status, 503);
    assert.equal((await readyz.json()).reason, "database-down");
    const healthz = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(healthz.status, 503);
    await healthz.body?.cancel();
  } finally {
    child.kill("SIGTERM");
    const out = await child.output();
    const printed = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.match(printed, /"database not checked at start"/);
    for (const secret of [PASSWORD, "s3cret-key"]) assert.ok(!printed.includes(secret), printed);
  }
});

Deno.test("startRefusal: only a Postgres URL needs the secret, unless waived", () => {
  const refusal = (env: Record<string, string>) => startRefusal(loadConfig(env));
  assert.equal(refusal({}), null, "embedded: development");
  assert.equal(refusal({ DATABASE_URL: "memory://" }), null);
  for (const scheme of ["postgres", "postgresql"]) {
    assert.match(refusal({ DATABASE_URL: `${scheme}://db/x` }) ?? "", /TOKEN_KEY_SECRET/);
  }
  assert.equal(refusal({ DATABASE_URL: "postgres://db/x", TOKEN_KEY_SECRET: "k" }), null);
  assert.equal(refusal({ DATABASE_URL: "postgres://db/x", ALLOW_UNENCRYPTED_KEYS: "true" }), null);
  assert.match(
    refusal({ DATABASE_URL: "postgres://db/x", ALLOW_UNENCRYPTED_KEYS: "1" }) ?? "",
    /./,
  );
});
