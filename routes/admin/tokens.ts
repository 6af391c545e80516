import { createRoute, z } from "@hono/zod-openapi";
import { authorized } from "../../auth/authorize.ts";
import type { Context } from "hono";
import type { TokenKind } from "../../db/schema.ts";
import type { AppEnv } from "../../http/env.ts";
import { IdParam, jsonBody, jsonResponse, newRouter, problems, Uuid } from "../../http/openapi.ts";
import { adminAuth } from "../../auth/middleware.ts";
import {
  DEVICE_TOKEN_DEFAULT_DAYS,
  type DeviceTarget,
  issueDeviceToken,
  listDeviceTokens,
  revokeDeviceToken,
  targetRow,
} from "../../tokens/device_tokens.ts";
import { DEVICE_CACHE_TTL_MS } from "../../tokens/device_verifier.ts";
import {
  DeviceTokenInfo,
  IssuedDeviceToken,
  NewDeviceToken,
  tokenJson,
} from "../../tokens/token_json.ts";

const V1 = "/api/admin/v1";
const tags = ["Device tokens"];
const PRINCIPAL =
  /^(pos|site|merchant):([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
const PrincipalQuery = z.object({
  principal: z.string({ error: "required: pos:<id>, site:<id> or merchant:<id>" })
    .regex(PRINCIPAL, "pos:<id>, site:<id> or merchant:<id>")
    .openapi({ param: { name: "principal", in: "query" }, example: "pos:7f0c…" }),
});

const JtiParam = z.object({
  jti: Uuid.openapi({ param: { name: "jti", in: "path" } }),
});

/**
 * Loads the POS, site or merchant, then authorizes on its organization (404 for other
 * organizations).
 */
async function loadTarget(
  c: Context<AppEnv>,
  kind: TokenKind,
  id: string,
): Promise<DeviceTarget> {
  if (kind === "pos") {
    const pos = await authorized(c, "POS", "tokens:manage", id);
    return { kind, pos };
  }
  if (kind === "merchant") {
    const merchant = await authorized(c, "merchant", "tokens:manage", id);
    return { kind, merchant };
  }
  const site = await authorized(c, "site", "tokens:manage", id);
  return { kind, site };
}

const PATHS: Record<TokenKind, string> = { pos: "pos", site: "sites", merchant: "merchants" };
const DISABLED: Record<TokenKind, string> = {
  pos: "A disabled POS, or one under a disabled store, site or organization, gets none (409).",
  site: "A disabled site, or one of a disabled organization, gets none (409).",
  merchant: "A merchant of a disabled organization gets none (409).",
};

async function issue(
  c: Context<AppEnv>,
  target: DeviceTarget,
  body: z.infer<typeof NewDeviceToken>,
) {
  const { db, config } = c.get("deps");
  const issued = await issueDeviceToken(
    { db, issuer: config.publicUrl, secret: config.tokenKeySecret },
    target,
    { ttlDays: body.ttlDays, label: body.label, createdBy: c.get("staff")! },
  );
  // A credential: no cache may keep it.
  c.header("Cache-Control", "no-store");
  return { token: issued.token, jti: issued.jti, expiresAt: issued.expiresAt.toISOString() };
}

const issueRoute = (kind: TokenKind, summary: string) =>
  createRoute({
    method: "post",
    path: `${V1}/${PATHS[kind]}/{id}/tokens`,
    tags,
    summary,
    description: "The token is in the answer only; it is not stored and cannot be shown again. " +
      `It lives \`ttlDays\` days (default ${DEVICE_TOKEN_DEFAULT_DAYS}). ` + DISABLED[kind],
    ...adminAuth,
    request: { params: IdParam, body: jsonBody(NewDeviceToken) },
    responses: { 201: jsonResponse(IssuedDeviceToken, "The token, shown once"), ...problems },
  });

/**
 * Device tokens for POS terminals and sites. Every handler loads the POS, site or token, then
 * authorizes on its organization: another organization's ids answer 404, a weaker role 403.
 */
export const adminTokens = newRouter()
  .openapi(issueRoute("pos", "Issue a device token for a POS"), async (c) => {
    const target = await loadTarget(c, "pos", c.req.valid("param").id);
    return c.json(await issue(c, target, c.req.valid("json")), 201);
  })
  .openapi(
    issueRoute("site", "Issue a device token for a site (it may act for any POS of the site)"),
    async (c) => {
      const target = await loadTarget(c, "site", c.req.valid("param").id);
      return c.json(await issue(c, target, c.req.valid("json")), 201);
    },
  )
  .openapi(
    issueRoute(
      "merchant",
      "Issue a device token for a merchant (it may act for any POS of the merchant's stores)",
    ),
    async (c) => {
      const target = await loadTarget(c, "merchant", c.req.valid("param").id);
      return c.json(await issue(c, target, c.req.valid("json")), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/tokens`,
      tags,
      summary: "The tokens issued for a POS, a site or a merchant (metadata only)",
      ...adminAuth,
      request: { query: PrincipalQuery },
      responses: {
        200: jsonResponse(z.object({ items: z.array(DeviceTokenInfo) }), "Newest first"),
        ...problems,
      },
    }),
    async (c) => {
      const [, kind, id] = PRINCIPAL.exec(c.req.valid("query").principal)!;
      const target = await loadTarget(c, kind as TokenKind, id);
      const principal = targetRow(target);
      const tokens = await listDeviceTokens(
        c.get("deps").db,
        principal.org_id,
        target.kind,
        principal.id,
      );
      const now = new Date();
      return c.json({ items: tokens.map((t) => tokenJson(t, now)) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: `${V1}/tokens/{jti}`,
      tags,
      summary: "Revoke a device token",
      description: "Idempotent. This instance refuses the token at once; other instances " +
        `within ${DEVICE_CACHE_TTL_MS / 1000} seconds (their cache of token checks).`,
      ...adminAuth,
      request: { params: JtiParam },
      responses: { 204: { description: "Revoked" }, ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const token = await authorized(c, "token", "tokens:manage", c.req.valid("param").jti);
      await revokeDeviceToken(db, token, c.get("staff")!);
      c.get("deviceTokens").evict(token.jti);
      return c.body(null, 204);
    },
  );
