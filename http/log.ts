import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.ts";

/** One JSON line per request: method, path, status, duration, request id. */
export const requestLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const start = performance.now();
  await next();
  console.log(JSON.stringify({
    time: new Date().toISOString(),
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    durationMs: Math.round((performance.now() - start) * 10) / 10,
    requestId: c.get("requestId"),
  }));
};
