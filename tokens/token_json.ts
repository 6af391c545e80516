import { z } from "@hono/zod-openapi";
import { Timestamp } from "../http/openapi.ts";
import {
  DEVICE_TOKEN_DEFAULT_DAYS,
  DEVICE_TOKEN_MAX_DAYS,
  type DeviceToken,
  deviceTokenStatus,
} from "./device_tokens.ts";

export const Kind = z.enum(["pos", "site", "merchant"]);

export const NewDeviceToken = z.object({
  ttlDays: z.number({ error: "must be a number" }).int("must be a whole number")
    .min(1, "at least 1 day").max(DEVICE_TOKEN_MAX_DAYS, `at most ${DEVICE_TOKEN_MAX_DAYS} days`)
    .default(DEVICE_TOKEN_DEFAULT_DAYS),
  label: z.string().trim().min(1, "must not be empty").max(100, "at most 100 characters")
    .optional(),
}).strict().openapi("NewDeviceToken");

export const IssuedDeviceToken = z.object({
  token: z.string().openapi({ description: "Shown once: only its metadata is stored" }),
  jti: z.string(),
  expiresAt: Timestamp,
}).openapi("IssuedDeviceToken");

export const DeviceTokenInfo = z.object({
  jti: z.string(),
  kind: Kind,
  principalId: z.string(),
  label: z.string().nullable(),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  revokedAt: Timestamp.nullable(),
  status: z.enum(["active", "revoked", "expired"]),
}).openapi("DeviceTokenInfo");

export const tokenJson = (t: DeviceToken, now: Date) => ({
  jti: t.jti,
  kind: t.kind,
  principalId: t.principal_id,
  label: t.label,
  createdAt: t.created_at.toISOString(),
  expiresAt: t.expires_at.toISOString(),
  revokedAt: t.revoked_at?.toISOString() ?? null,
  status: deviceTokenStatus(t, now),
});
export const DeviceSchema = z.object({
  kind: z.enum(["pos", "site", "merchant"]).openapi({ description: "The token's kind" }),
  organizationId: z.string(),
  siteId: z.string().nullable(),
  merchantId: z.string().nullable().openapi({
    description: "The merchant of the POS's store (or of a merchant token)",
  }),
  merchantGroupId: z.string().nullable().openapi({
    description: "The loyalty programme; null until the merchant joins a merchant group, " +
      "and until then programme calls answer 403 merchant-not-in-group",
  }),
  storeId: z.string().nullable(),
  storeNumber: z.number().int().nullable(),
  posId: z.string().nullable(),
  posNumber: z.number().int().nullable(),
  timezone: z.string().nullable().openapi({ description: "The store's IANA time zone" }),
}).openapi("Device");
