import { type Selectable, sql } from "kysely";
import { SignJWT } from "jose";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import type { AccessTokenTable, Status, TokenKind } from "../db/schema.ts";
import { notFound, ProblemError } from "../errors/problem.ts";
import type { Pos } from "../registry/pos.ts";
import type { Site } from "../registry/sites.ts";
import type { Merchant } from "../programme/merchants.ts";
import { currentSigningKey } from "./signing_keys.ts";
import type { TokenContext } from "./staff_tokens.ts";
import { inTransaction } from "../db/transaction.ts";
import { recordAudit } from "../audit/log.ts";

export const DEVICE_AUDIENCE = "loyalty-edge:pos";
export const DEVICE_SCOPE = "pos";
export const DEVICE_TOKEN_DEFAULT_DAYS = 365;
export const DEVICE_TOKEN_MAX_DAYS = 730;

/** What access_tokens holds about a device token: never the token itself. */
export type DeviceToken = Selectable<AccessTokenTable>;
export type DeviceTokenStatus = "active" | "revoked" | "expired";

/** Who a device token acts as. */
export type DeviceTarget =
  | { kind: "pos"; pos: Pos }
  | { kind: "site"; site: Site }
  | { kind: "merchant"; merchant: Merchant };

/** The POS, site or merchant row a target names. */
export const targetRow = (t: DeviceTarget) =>
  t.kind === "pos" ? t.pos : t.kind === "site" ? t.site : t.merchant;

export interface IssuedDeviceToken {
  token: string;
  jti: string;
  expiresAt: Date;
}

/** The first disabled link from the target up to its organization, if any. */
async function disabledLink(db: Db, target: DeviceTarget): Promise<string | undefined> {
  const statuses: Record<string, Status> = target.kind === "pos"
    ? await db.selectFrom("pos as p")
      .innerJoin("stores as st", "st.id", "p.store_id")
      .innerJoin("sites as s", "s.id", "p.site_id")
      .innerJoin("organizations as o", "o.id", "p.org_id")
      .select([
        "p.status as POS",
        "st.status as store",
        "s.status as site",
        "o.status as organization",
      ])
      .where("p.id", "=", target.pos.id).executeTakeFirstOrThrow()
    : target.kind === "site"
    ? await db.selectFrom("sites as s")
      .innerJoin("organizations as o", "o.id", "s.org_id")
      .select(["s.status as site", "o.status as organization"])
      .where("s.id", "=", target.site.id).executeTakeFirstOrThrow()
    : await db.selectFrom("organizations as o").select("o.status as organization")
      .where("o.id", "=", target.merchant.org_id).executeTakeFirstOrThrow();
  return ["POS", "store", "site", "organization"]
    .find((link) => link in statuses && statuses[link] !== "active");
}

/**
 * Signs a device token and records its metadata (never the token). A disabled target, or one
 * under a disabled store, site or organization, gets none: the token would be refused anyway.
 */
export async function issueDeviceToken(
  ctx: TokenContext,
  target: DeviceTarget,
  input: { ttlDays: number; label?: string; createdBy: { id: string; email: string } },
): Promise<IssuedDeviceToken> {
  const claims = target.kind === "pos"
    ? {
      org: target.pos.org_id,
      site: target.pos.site_id,
      store: target.pos.store_id,
      pos: target.pos.id,
    }
    : target.kind === "site"
    ? { org: target.site.org_id, site: target.site.id }
    : { org: target.merchant.org_id, merchant: target.merchant.id };
  const principalId = targetRow(target).id;
  const jti = crypto.randomUUID();
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + input.ttlDays * 86_400;
  return await inTransaction(ctx.db, async (tx) => {
    // The target row is share-locked until the token is recorded: a deletion running at the
    // same time either finishes first (then there is nothing to issue for) or waits and then
    // sees the token (and refuses, as for any device with history).
    const table = target.kind === "pos" ? "pos" : target.kind === "site" ? "sites" : "merchants";
    const exists = await tx.selectFrom(table).select("id").where("id", "=", principalId)
      .forShare().executeTakeFirst();
    if (!exists) throw notFound(target.kind === "pos" ? "POS" : target.kind);
    const disabled = await disabledLink(tx, target);
    if (disabled) {
      throw new ProblemError(409, "disabled", `The ${disabled} is disabled`, {
        detail: `enable the ${disabled} before issuing a token`,
      });
    }
    // Taken before choosing the key: a concurrent rotation (share lock) then either sees this
    // token when it computes the old key's grace, or has finished and we sign with the new key.
    await sql`lock table access_tokens in row exclusive mode`.execute(tx);
    const key = await currentSigningKey(tx, ctx.secret);
    await tx.insertInto("access_tokens").values({
      jti,
      org_id: claims.org,
      kind: target.kind,
      principal_id: principalId,
      label: input.label ?? null,
      kid: key.kid,
      created_by: input.createdBy.id,
      expires_at: new Date(exp * 1000),
    }).execute();
    await recordAudit(tx, {
      orgId: claims.org,
      entity: "device-token",
      entityId: jti,
      label: input.label ?? `${target.kind} token`,
      action: "issue",
      actor: input.createdBy,
      before: null,
      after: {
        kind: target.kind,
        principalId,
        label: input.label ?? null,
        expiresAt: new Date(exp * 1000).toISOString(),
      },
    });
    const token = await new SignJWT({ ...claims, scope: DEVICE_SCOPE })
      .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: "JWT" })
      .setIssuer(ctx.issuer)
      .setAudience(DEVICE_AUDIENCE)
      .setSubject(`${target.kind}:${principalId}`)
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(key.privateKey);
    return { token, jti, expiresAt: new Date(exp * 1000) };
  });
}

export async function listDeviceTokens(
  db: Db,
  orgId: string,
  kind: TokenKind,
  principalId: string,
): Promise<DeviceToken[]> {
  return await db.selectFrom("access_tokens").selectAll()
    .where("org_id", "=", orgId).where("kind", "=", kind).where("principal_id", "=", principalId)
    .orderBy("created_at", "desc").orderBy("jti").execute();
}

export async function getDeviceToken(db: Db, jti: string): Promise<DeviceToken | undefined> {
  if (!isUuid(jti)) return undefined;
  return await db.selectFrom("access_tokens").selectAll().where("jti", "=", jti)
    .executeTakeFirst();
}

/** Idempotent: a second revocation keeps the first time and writes no audit entry. */
export async function revokeDeviceToken(
  db: Db,
  token: DeviceToken,
  actor: { id: string; email: string },
): Promise<void> {
  await inTransaction(db, async (tx) => {
    const revoked = await tx.updateTable("access_tokens").set({ revoked_at: new Date() })
      .where("jti", "=", token.jti).where("org_id", "=", token.org_id)
      .where("revoked_at", "is", null).returning("revoked_at").executeTakeFirst();
    if (!revoked) return;
    await recordAudit(tx, {
      orgId: token.org_id,
      entity: "device-token",
      entityId: token.jti,
      label: token.label ?? `${token.kind} token`,
      action: "revoke",
      actor,
      before: { revokedAt: null },
      after: { revokedAt: revoked.revoked_at!.toISOString() },
    });
  });
}

export function deviceTokenStatus(token: DeviceToken, now = new Date()): DeviceTokenStatus {
  if (token.revoked_at) return "revoked";
  return token.expires_at <= now ? "expired" : "active";
}
