import { errors, importJWK, jwtVerify, SignJWT } from "jose";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import { ProblemError } from "../errors/problem.ts";
import { invalidToken } from "./errors.ts";
import { CLOCK_TOLERANCE_SECONDS, currentSigningKey, publicKeys } from "./signing_keys.ts";

export const STAFF_AUDIENCE = "loyalty-edge:admin";
export const STAFF_TOKEN_TTL_SECONDS = 15 * 60;

export interface TokenContext {
  db: Db;
  issuer: string;
  secret?: string;
}

export async function issueStaffToken(ctx: TokenContext, staffId: string) {
  const key = await currentSigningKey(ctx.db, ctx.secret);
  const now = Math.floor(Date.now() / 1000);
  const exp = now + STAFF_TOKEN_TTL_SECONDS;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: "JWT" })
    .setIssuer(ctx.issuer)
    .setAudience(STAFF_AUDIENCE)
    .setSubject(`staff:${staffId}`)
    .setJti(crypto.randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(key.privateKey);
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

/**
 * Returns the staff id; the caller loads the user so a deleted account stops working. Only keys
 * within their `verify_until` are offered, so a key retired past its grace verifies nothing.
 */
export async function verifyStaffToken(ctx: TokenContext, token: string): Promise<string> {
  const keys = await publicKeys(ctx.db);
  try {
    const { payload } = await jwtVerify(token, async (header) => {
      const key = keys.find((k) => k.kid === header.kid);
      if (!key) throw invalidToken("unknown key id");
      return await importJWK(key.jwk, "EdDSA");
    }, {
      algorithms: ["EdDSA"],
      issuer: ctx.issuer,
      audience: STAFF_AUDIENCE,
      requiredClaims: ["exp", "jti", "sub"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    const sub = payload.sub ?? "";
    const staffId = sub.slice("staff:".length);
    if (!sub.startsWith("staff:") || !isUuid(staffId)) throw invalidToken("not a staff token");
    return staffId;
  } catch (err) {
    if (err instanceof ProblemError) throw err;
    if (err instanceof errors.JWTExpired) throw invalidToken("token expired");
    throw invalidToken("token not valid");
  }
}
