import { createRoute, z } from "@hono/zod-openapi";
import { ActingHeaders } from "../../auth/pos.ts";
import { jsonResponse, newRouter, posAuth, problems } from "../../http/openapi.ts";

const tags = ["POS"];

const DeviceSchema = z.object({
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

export const posMe = newRouter().openapi(
  createRoute({
    method: "get",
    path: "/me",
    tags,
    summary: "The POS or site the token acts as",
    description: "A site token acts as the site, or for one POS of its site when it sends " +
      "X-Store-Number and X-POS-Number (then the POS fields are filled); a merchant token " +
      "likewise for one POS of the merchant's stores. Works before the merchant joins a " +
      "group, so a POS can check its configuration.",
    ...posAuth,
    // Documents the headers authenticateDevice has already read and checked.
    request: { headers: ActingHeaders },
    responses: {
      200: jsonResponse(DeviceSchema, "The caller"),
      401: problems[401],
      422: problems[422],
    },
  }),
  (c) => {
    const d = c.get("device")!;
    const link = c.get("programme");
    return c.json({
      kind: d.kind,
      organizationId: d.org,
      siteId: d.site ?? null,
      merchantId: link?.merchantId ?? null,
      merchantGroupId: link?.group?.id ?? null,
      storeId: d.store ?? null,
      storeNumber: d.storeNumber ?? null,
      posId: d.pos ?? null,
      posNumber: d.posNumber ?? null,
      timezone: d.timezone ?? null,
    }, 200);
  },
);
