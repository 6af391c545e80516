import { createRoute, z } from "@hono/zod-openapi";
import { jsonBody, jsonResponse, newRouter, problems } from "../http/openapi.ts";
import { authenticateStaff } from "../staff/auth.ts";
import { issueStaffToken, STAFF_TOKEN_TTL_SECONDS } from "../tokens/staff_tokens.ts";
import { Credentials } from "../staff/credentials.ts";
import { clientAddress } from "../http/client_address.ts";

const TokenSchema = z.object({
  token: z.string(),
  tokenType: z.literal("Bearer"),
  expiresAt: z.string().openapi({ format: "date-time" }),
  expiresIn: z.number().int(),
}).openapi("StaffToken");

export const authApi = newRouter().openapi(
  createRoute({
    method: "post",
    path: "/api/auth/token",
    tags: ["Staff"],
    summary: "Exchange staff credentials for a short-lived bearer token",
    description:
      `The token is accepted by \`/api/admin/v1/*\` for ${STAFF_TOKEN_TTL_SECONDS / 60} minutes. ` +
      "Wrong email and wrong password answer alike. Failed attempts are limited per account " +
      "and per address (429).",
    request: { body: jsonBody(Credentials) },
    responses: {
      200: jsonResponse(TokenSchema, "A bearer token"),
      400: problems[400],
      401: problems[401],
      413: problems[413],
      415: problems[415],
      422: problems[422],
      429: problems[429],
    },
  }),
  async (c) => {
    const { email, password } = c.req.valid("json");
    const { db, config } = c.get("deps");
    const staff = await authenticateStaff(db, email, password, clientAddress(c));
    const { token, expiresAt } = await issueStaffToken(
      { db, issuer: config.publicUrl, secret: config.tokenKeySecret },
      staff.id,
    );
    // A credential: no cache (browser, proxy) may keep it.
    c.header("Cache-Control", "no-store");
    c.header("Pragma", "no-cache");
    return c.json(
      { token, tokenType: "Bearer" as const, expiresAt, expiresIn: STAFF_TOKEN_TTL_SECONDS },
      200,
    );
  },
);
