/**
 * With the database unreachable, calls answer a problem+json 503 `database-unavailable` at once
 * (never a 500, never a hang), and so does /healthz. The server is a pool pointed at a port
 * nothing listens on; the fault tests (`deno task faults`) do the same to a real server.
 */
import assert from "node:assert/strict";
import { generateKeyPair, SignJWT } from "jose";
import { createApp } from "../../app.tsx";
import { loadConfig } from "../../config.ts";
import { connect } from "../../db/connection.ts";
import { isDatabaseUnavailable } from "../../db/errors.ts";
import { toProblemError } from "../../http/problem_response.ts";
import { freePort } from "../browser/server.ts";

Deno.test("lost connections are told apart from other database errors", () => {
  const pgError = (code: string, message = "x") => Object.assign(new Error(message), { code });
  for (
    const e of [
      pgError("57P01", "terminating connection due to administrator command"),
      pgError("57P03", "the database system is starting up"),
      pgError("08006"),
      pgError("ECONNREFUSED"),
      pgError("ECONNRESET", "read ECONNRESET"),
      new Error("Connection terminated unexpectedly"),
      new Error("Client has encountered a connection error and is not queryable"),
      new Error("timeout exceeded when trying to connect"),
      new AggregateError([pgError("ECONNREFUSED")]),
    ]
  ) {
    assert.equal(isDatabaseUnavailable(e), true, e.message);
    assert.equal(toProblemError(e).status, 503);
  }
  for (
    const e of [
      pgError("23505", "duplicate key"),
      pgError("40001", "could not serialize access"),
      new Error("boom"),
      null,
      "text",
    ]
  ) {
    assert.equal(isDatabaseUnavailable(e), false, String(e));
  }
  assert.equal(toProblemError(new Error("boom")).status, 500);
});

Deno.test("with the database unreachable, a POS call and /healthz answer 503 problem+json", async () => {
  const conn = await connect(`postgres://postgres@127.0.0.1:${freePort()}/nothing`);
  try {
    const app = createApp({
      db: conn.db,
      dbKind: conn.kind,
      config: { ...loadConfig({ PUBLIC_URL: "http://le.test" }), logRequests: false },
      assets: { islands: {}, files: {} },
    });
    const health = await app.request("http://le.test/healthz");
    assert.equal(health.status, 503);
    const body = await health.json();
    assert.equal(body.status, "degraded");
    assert.deepEqual(
      { kind: body.database.kind, ok: body.database.ok },
      { kind: "postgres", ok: false },
    );
    // Well formed, so that checking it needs the signing keys from the database.
    const { privateKey } = await generateKeyPair("EdDSA");
    const token = await new SignJWT({ scope: "pos" })
      .setProtectedHeader({ alg: "EdDSA", kid: crypto.randomUUID() })
      .setIssuer("http://le.test").setSubject(`pos:${crypto.randomUUID()}`)
      .setJti(crypto.randomUUID()).setExpirationTime("1h").sign(privateKey);
    const sale = await app.request("http://le.test/api/pos/v1/sales", {
      method: "POST",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/json",
        "Idempotency-Key": "k1",
      },
      body: "{}",
    });
    assert.equal(sale.status, 503);
    assert.equal(sale.headers.get("content-type"), "application/problem+json");
    assert.equal(sale.headers.get("retry-after"), "1");
    const problem = await sale.json();
    assert.equal(problem.type, "https://loyalty-edge.dev/problems/database-unavailable");
  } finally {
    await conn.close();
  }
});
