import { z } from "@hono/zod-openapi";
import { LoyaltySettingsSchema } from "./settings_schema.ts";

// `.meta`, not `.openapi`: the settings schema is plain zod (the console's forms use it too).
const Settings = LoyaltySettingsSchema.meta({ id: "LoyaltySettings" });

export const Version = z.number({ error: "must be a number" }).int("must be a whole number")
  .min(1, "must be 1 or more").openapi({
    description: "The version these settings were read at (from GET); a save based on an " +
      "older version is refused with 409 `stale-version`",
  });

export const VersionedSettings = z.object({ version: Version, settings: Settings }).strict()
  .openapi("VersionedLoyaltySettings");

export const ProposedSettings = z.object({ settings: Settings }).strict()
  .openapi("ProposedLoyaltySettings");

export const SettingsImpactSchema = z.object({
  membersLeaving: z.number().int().openapi({
    description: "members now whom these settings would make non-members (their customer " +
      "type becomes a non-loyalty code): they stop earning",
  }),
  membersJoining: z.number().int().openapi({
    description: "non-members now whom these settings would make members",
  }),
  typesLeaving: z.array(z.string()).openapi({ description: "codes newly non-loyalty" }),
  typesJoining: z.array(z.string()).openapi({ description: "codes no longer non-loyalty" }),
}).openapi("SettingsImpact");
