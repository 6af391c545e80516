import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.ts";
import type { RateLimiter } from "./rate_limiter.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Admin API writes, per staff member (after identifyStaff). */
export const limitAdminWrites = (limiter: RateLimiter): MiddlewareHandler<AppEnv> => (c, next) => {
  const staff = c.var.staff;
  if (staff && !SAFE_METHODS.has(c.req.method) && c.req.path.startsWith("/api/admin/")) {
    limiter.take(`staff:${staff.id}`);
  }
  return next();
};
