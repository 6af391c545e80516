import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.ts";
import type { RateLimiter } from "./rate_limiter.ts";
import { isSafeMethod } from "./methods.ts";

/** Admin API writes, per staff member (after identifyStaff). */
export const limitAdminWrites = (limiter: RateLimiter): MiddlewareHandler<AppEnv> => (c, next) => {
  const staff = c.get("staff");
  if (staff && !isSafeMethod(c.req.method) && c.req.path.startsWith("/api/admin/")) {
    limiter.take(`staff:${staff.id}`);
  }
  return next();
};
