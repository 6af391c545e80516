import { createRoute } from "@hono/zod-openapi";
import { authorized } from "../../auth/authorize.ts";
import { IdParam, jsonBody, jsonResponse, newRouter, problems } from "../../http/openapi.ts";
import { adminAuth } from "../../auth/middleware.ts";
import { getSettings, saveSettings } from "../../programme/settings.ts";
import {
  ProposedSettings,
  SettingsImpactSchema,
  VersionedSettings,
} from "../../programme/settings_json.ts";
import { settingsImpact } from "../../programme/settings_impact.ts";

const V1 = "/api/admin/v1";
const tags = ["Loyalty settings"];

// `.meta`, not `.openapi`: the schema is built with plain zod, before this module extends it.
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
      method: "post",
      path: `${V1}/merchant-groups/{id}/settings/impact`,
      tags,
      summary: "What saving these settings would do to the customers, before saving them",
      description: "Counts the group's customers whose membership the proposed settings " +
        "would change (a customer is a member unless category 1 is a non-loyalty code). " +
        "Saves nothing and writes no audit entry.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(ProposedSettings) },
      responses: { 200: jsonResponse(SettingsImpactSchema, "The impact"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "programme:read");
      const { settings } = await getSettings(db, group);
      return c.json(
        await settingsImpact(db, group, settings, c.req.valid("json").settings),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: `${V1}/merchant-groups/{id}/settings`,
      tags,
      summary: "Replace the loyalty settings (optimistic concurrency on `version`)",
      description: "Every field is required. Codes are trimmed and upper-cased. POST " +
        "…/settings/impact first says how many members a change of nonLoyaltyCategoryCodes " +
        "would turn into non-members. A save that " +
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
