import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { currentSigningKey } from "../../tokens/signing_keys.ts";
import { STAFF_AUDIENCE } from "../../tokens/staff_tokens.ts";
import { addOwner, bearerFor, ORIGIN, problemOf, withApp } from "../helpers/app.ts";

Deno.test("bearer tokens: expired, tampered, wrong audience and garbage are refused with 401", () =>
  withApp(async (t) => {
    const owner = await addOwner(t);
    const key = await currentSigningKey(t.db);
    const sign = (claims: { aud?: string; expOffset: number }) =>
      new SignJWT({})
        .setProtectedHeader({ alg: "EdDSA", kid: key.kid })
        .setIssuer(ORIGIN)
        .setAudience(claims.aud ?? STAFF_AUDIENCE)
        .setSubject(`staff:${owner.id}`)
        .setJti(crypto.randomUUID())
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + claims.expOffset)
        .sign(key.privateKey);

    const valid = await bearerFor(t, "owner@example.com");
    const [h, p, s] = valid.split(".");
    const payload = JSON.parse(atob(p.replaceAll("-", "+").replaceAll("_", "/")));
    const forged = btoa(JSON.stringify({ ...payload, sub: "staff:someone-else" }))
      .replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");

    const cases: Record<string, string> = {
      "expired beyond the 60 s skew": await sign({ expOffset: -120 }),
      "wrong audience": await sign({ aud: "loyalty-edge:pos", expOffset: 600 }),
      "tampered payload": `${h}.${forged}.${s}`,
      "garbage": "not-a-jwt",
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await t.request("/api/admin/v1/me", {
        headers: { Authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 401, name);
      assert.match(res.headers.get("WWW-Authenticate") ?? "", /^Bearer/, name);
      assert.equal((await problemOf(res)).status, 401, name);
    }
    const withinSkew = await sign({ expOffset: -30 });
    const res = await t.request("/api/admin/v1/me", {
      headers: { Authorization: `Bearer ${withinSkew}` },
    });
    assert.equal(res.status, 200, "a token expired 30 s ago is inside the allowed clock skew");
    await res.body?.cancel();
  }));
