import { z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/env.ts";
import { ProblemError, validationError, zodFieldErrors } from "../errors/problem.ts";
import type { LoyaltySettings } from "../programme/settings_schema.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import type { DevicePrincipal } from "../tokens/device_verifier.ts";
import { invalidToken } from "../tokens/errors.ts";

const Number_ = z.string().regex(/^[1-9][0-9]{0,7}$/, "a whole number from 1 to 99999999");

/**
 * With a site token, the POS to act for. POS numbers are unique only within a store, so the
 * store number comes too; a POS token may name only itself.
 */
export const ActingHeaders = z.object({
  "x-store-number": Number_.optional().openapi({ description: "Store of the POS to act for" }),
  "x-pos-number": Number_.optional().openapi({ description: "POS number within that store" }),
}).refine((h) => (h["x-store-number"] === undefined) === (h["x-pos-number"] === undefined), {
  message: "send X-Store-Number and X-POS-Number together",
  path: ["x-pos-number"],
});

/**
 * Whose Idempotency-Keys a request's are: the authenticated principal (a POS, a site, a
 * merchant) and, when a site or merchant token acts for a POS, that POS — two terminals, or
 * two merchants, may pick the same key without ever seeing each other's answers.
 */
export function idempotencyScope(device: DevicePrincipal): string {
  const principal = device.kind === "pos"
    ? `pos:${device.pos}`
    : device.kind === "site"
    ? `site:${device.site}`
    : `merchant:${device.merchant}`;
  return device.kind !== "pos" && device.pos ? `${principal}/pos:${device.pos}` : principal;
}

/**
 * `/api/pos/v1/*`: a device bearer token becomes `c.get("device")`; anything else is a 401 with
 * the bearer challenge. Headers naming a POS are checked only once the token is good.
 */
export const authenticateDevice: MiddlewareHandler<AppEnv> = async (c, next) => {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("Authorization") ?? "");
  if (!bearer) throw invalidToken("send Authorization: Bearer <device token>");
  const verifier = c.get("deviceTokens");
  let device = await verifier.verify(bearer[1]);
  const headers = ActingHeaders.safeParse({
    "x-store-number": c.req.header("X-Store-Number"),
    "x-pos-number": c.req.header("X-POS-Number"),
  });
  if (!headers.success) throw validationError(zodFieldErrors(headers.error));
  const { "x-store-number": store, "x-pos-number": pos } = headers.data;
  c.get("posRateLimit").take(`token:${device.jti}`);
  if (store && pos) {
    device = await verifier.actFor(device, { storeNumber: Number(store), posNumber: Number(pos) });
  }
  c.set("device", device);
  await next();
};

/**
 * The programme every POS call runs in, resolved once per request inside the POS sub-app (so
 * no handler can skip it): the merchant of the device's store (or of a merchant token) and
 * its group. Handlers reach the group only through `programmeGroup`, which refuses a device
 * that has none.
 */
export const resolveProgramme: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("programme", await c.get("programmes").programmeOf(c.get("device")!));
  await next();
};

/**
 * The merchant group of the calling POS and its current settings. Seed 000: a merchant is unusable until it belongs to
 * a merchant group, so until then its POS get 403 `merchant-not-in-group`; a site token must
 * name the POS it acts for (400), and a store needs a merchant (403).
 */
export function posProgramme(
  c: Context<AppEnv>,
): { group: MerchantGroup; settings: LoyaltySettings } {
  const device = c.get("device")!;
  if (!device.store && !device.merchant) {
    throw new ProblemError(400, "pos-required", "Name the POS this call is for", {
      detail: "a site token must send X-Store-Number and X-POS-Number",
      errors: [{ field: "X-POS-Number", message: "required with a site token" }],
    });
  }
  const programme = c.get("programme");
  if (!programme) {
    throw new ProblemError(403, "no-merchant", "No merchant is linked to this store", {
      detail: "link the store to a merchant in the console",
    });
  }
  if (!programme.group || !programme.settings) {
    throw new ProblemError(
      403,
      "merchant-not-in-group",
      "The merchant is not in a merchant group",
      {
        detail: "add the merchant to a merchant group in the console",
      },
    );
  }
  return { group: programme.group, settings: programme.settings.settings };
}

const posRequired = (token: string) =>
  new ProblemError(400, "pos-required", "Name the POS this call is for", {
    detail: `${token} must send X-Store-Number and X-POS-Number`,
    errors: [{ field: "X-POS-Number", message: `required with ${token}` }],
  });

/**
 * Where a sale of the calling POS happens: its store number, POS number and the store's time
 * zone. A merchant token not acting for one POS has none: 400 `pos-required`.
 */
export function posTill(c: Context<AppEnv>) {
  const { storeNumber, posNumber, timezone } = c.get("device")!;
  if (storeNumber === undefined || posNumber === undefined || timezone === undefined) {
    throw posRequired("a merchant token");
  }
  return { storeNumber, posNumber, timezone };
}

/**
 * Where a sale, a return or an offline batch of the calling POS is recorded: its programme, and
 * its till with the ids of the store and POS the rows belong to. A site or merchant token that
 * does not act for one POS has none: 400 `pos-required`.
 */
export function posRecording(c: Context<AppEnv>) {
  const programme = posProgramme(c);
  const till = posTill(c);
  const device = c.get("device")!;
  if (!device.store || !device.pos) throw posRequired("a token not acting for one POS");
  return {
    programmes: c.get("programmes"),
    programme,
    till: { ...till, storeId: device.store, posId: device.pos },
  };
}
