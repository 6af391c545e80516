import type { Config } from "../config.ts";
import type { Connection, Db } from "../db/connection.ts";
import type { DeviceProgramme } from "../programme/device_programme.ts";
import type { ProgrammeCache } from "../programme/cache.ts";
import type { ReplayRunner } from "../replay/jobs.ts";
import type { Session } from "../staff/sessions.ts";
import type { StaffUser } from "../staff/users.ts";
import type { DevicePrincipal, DeviceVerifier } from "../tokens/device_verifier.ts";
import type { AssetManifest } from "../web/assets.ts";
import type { RateLimiter } from "./rate_limiter.ts";

/** What routes reach through `c.get("deps")`: built once in main.ts, swapped in tests. */
export interface AppDeps {
  db: Db;
  dbKind: "pglite" | "postgres";
  config: Config;
  assets: AssetManifest;
  /** Notifications of the database (see Connection.listen); absent, nothing is announced. */
  listen?: Connection["listen"];
  /** The replays this process runs; absent, the app makes its own. */
  replays?: ReplayRunner;
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
    /** This instance's copy of programme data (one per app, like deviceTokens). */
    programmes: ProgrammeCache;
    /** This instance's replay jobs (replay/jobs.ts). */
    replays: ReplayRunner;
    /** The merchant and group of the device, on `/api/pos/v1/*` (resolveProgramme). */
    programme?: DeviceProgramme | null;
    requestId: string;
    staff?: StaffUser;
    /** Present when the caller authenticated with the session cookie (CSRF applies). */
    session?: Session;
  };
};
