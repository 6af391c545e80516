import { getConnInfo } from "hono/deno";
import type { Context } from "hono";
import type { AppEnv } from "./env.ts";

/** The caller's address, for the per-address sign-in limit. */
export function clientAddress(c: Context<AppEnv>): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown"; // app.request() in tests has no socket
  }
}
