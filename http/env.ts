import type { Config } from "../config.ts";
import type { Db } from "../db/connection.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import type { Session } from "../staff/sessions.ts";
import type { StaffUser } from "../staff/users.ts";
import type { DevicePrincipal, DeviceVerifier } from "../tokens/device_verifier.ts";
import type { AssetManifest } from "../web/assets.ts";
import type { RateLimiter } from "./rate_limit.ts";

/** What routes reach through `c.var.deps`: built once in main.ts, swapped in tests. */
export interface AppDeps {
  db: Db;
  dbKind: "pglite" | "postgres";
  config: Config;
  assets: AssetManifest;
}

export type AppEnv = {
  Variables: {
    deps: AppDeps;
    /** Built once per app by createApp, so a revocation through this app evicts its cache. */
    deviceTokens: DeviceVerifier;
    /** Per-token limit of the POS API (authenticateDevice). */
    posRateLimit: RateLimiter;
    /** The POS or site authenticated on `/api/pos/v1/*`. */
    device?: DevicePrincipal;
    /** The merchant group (programme) of the POS, on programme calls (requireProgramme). */
    group?: MerchantGroup;
    requestId: string;
    staff?: StaffUser;
    /** Present when the caller authenticated with the session cookie (CSRF applies). */
    session?: Session;
  };
};
