import { createRoute } from "@hono/zod-openapi";
import { ActingHeaders } from "../../auth/pos.ts";
import { jsonResponse, newRouter, posAuth, problems } from "../../http/openapi.ts";
import { DeviceSchema } from "../../tokens/token_json.ts";

const tags = ["POS"];

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
