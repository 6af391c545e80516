import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { ProblemError } from "../errors/problem.ts";
import type { AppEnv } from "../http/env.ts";
import { staffSecurity } from "../http/openapi.ts";
import { loadSession } from "../staff/sessions.ts";
import { findStaffById } from "../staff/users.ts";
import { verifyStaffToken } from "../tokens/staff_tokens.ts";
import { isSafeMethod } from "../http/methods.ts";

export const SESSION_COOKIE = "le_session";

/** The JSON surface (the OpenAPI document's paths and the document): errors as problem+json. */
export const isApiPath = (path: string) =>
  path.startsWith("/api/") || path.startsWith("/.well-known/") || path === "/openapi.json" ||
  path === "/healthz" || path === "/readyz";

/**
 * Resolves the caller: a staff bearer token (scripts) or the session cookie (browser).
 * Unsafe cookie-authenticated requests must echo the session's CSRF token, in the
 * `X-CSRF-Token` header (islands) or the `_csrf` form field (plain forms).
 */
export const identifyStaff: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { db, config } = c.get("deps");
  const auth = c.req.header("Authorization");
  if (auth?.startsWith("Bearer ") && c.req.path.startsWith("/api/admin/")) {
    const staffId = await verifyStaffToken(
      { db, issuer: config.publicUrl, secret: config.tokenKeySecret },
      auth.slice(7).trim(),
    );
    const staff = await findStaffById(db, staffId);
    if (!staff) throw new ProblemError(401, "unauthorized", "A valid bearer token is required");
    c.set("staff", staff);
    return await next();
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  const session = cookie ? await loadSession(db, cookie) : null;
  if (session) {
    c.set("staff", session.staff);
    c.set("session", session);
    if (!isSafeMethod(c.req.method)) await checkCsrf(c, session.csrfToken);
  }
  await next();
};

async function checkCsrf(c: Context<AppEnv>, expected: string) {
  let sent = c.req.header("X-CSRF-Token");
  const type = c.req.header("Content-Type") ?? "";
  if (!sent && /form/.test(type)) {
    const body = await c.req.parseBody();
    sent = typeof body._csrf === "string" ? body._csrf : undefined;
  }
  if (sent !== expected) {
    throw new ProblemError(403, "csrf", "The request is missing a valid CSRF token");
  }
}

/** 401 (API) or a redirect to sign-in (pages) when nobody is signed in. */
export const requireStaff: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.get("staff")) {
    if (!isApiPath(c.req.path)) {
      return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`);
    }
    throw new ProblemError(401, "unauthorized", "Sign in or send a staff bearer token", {}, {
      "WWW-Authenticate": "Bearer",
    });
  }
  await next();
};

/** Spread into an admin route: staff authentication and its documentation. */
export const adminAuth = {
  security: staffSecurity,
  middleware: requireStaff,
};
