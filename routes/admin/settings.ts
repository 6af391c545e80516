import { createRoute, z } from "@hono/zod-openapi";
import { authorized } from "../../auth/authorize.ts";
import { IdParam, jsonBody, jsonResponse, newRouter, problems } from "../../http/openapi.ts";
import { adminAuth } from "../../auth/middleware.ts";
import { getSettings, saveSettings } from "../../programme/settings.ts";
import { LoyaltySettingsSchema } from "../../programme/settings_schema.ts";

const V1 = "/api/admin/v1";
const tags = ["Loyalty settings"];

// `.meta`, not `.openapi`: the schema is built with plain zod, before this module extends it.
const Settings = LoyaltySettingsSchema.meta({ id: "LoyaltySettings" });
const Version = z.number({ error: "must be a number" }).int("must be a whole number")
  .min(1, "must be 1 or more").openapi({
    description: "The version these settings were read at (from GET); a save based on an " +
      "older version is refused with 409 `stale-version`",
  });
const VersionedSettings = z.object({ version: Version, settings: Settings }).strict()
  .openapi("VersionedLoyaltySettings");

/** The loyalty settings of a merchant group: read, and replaced whole with a version check. */
export const adminSettings = newRouter()
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/merchant-groups/{id}/settings`,
      tags,
      summary: "The loyalty settings of a merchant group, with their version",
      ...adminAuth,
      request: { params: IdParam },
      responses: { 200: jsonResponse(VersionedSettings, "The current settings"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "programme:read");
      const { version, settings } = await getSettings(db, group);
      return c.json({ version, settings }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: `${V1}/merchant-groups/{id}/settings`,
      tags,
      summary: "Replace the loyalty settings (optimistic concurrency on `version`)",
      description: "Every field is required. Codes are trimmed and upper-cased. A save that " +
        "changes something answers the next version and writes one audit entry; a save that " +
        "changes nothing answers the same version. 409 `stale-version` carries the current " +
        "`version` and `settings`.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(VersionedSettings) },
      responses: { 200: jsonResponse(VersionedSettings, "The saved settings"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "settings:manage");
      const { version, settings } = await saveSettings(
        db,
        group,
        c.req.valid("json"),
        c.get("staff")!,
      );
      return c.json({ version, settings }, 200);
    },
  );
