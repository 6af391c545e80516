import type { Context } from "hono";
import type { AppEnv } from "../http/env.ts";

/** A posted form's text fields (files are not accepted by any of our forms). */
export async function formText(c: Context<AppEnv>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(await c.req.parseBody())) {
    if (typeof v === "string") out[k] = v;
  }
  return out;
}
