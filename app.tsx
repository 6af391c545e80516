import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { csrf } from "hono/csrf";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { identifyStaff, isApiPath } from "./auth/middleware.ts";
import type { AppDeps, AppEnv } from "./http/env.ts";
import { requestLog } from "./http/log.ts";
import { guardBody, MAX_ARRAY_LENGTH, MAX_BODY_DEPTH } from "./http/body_guard.ts";
import { limitAdminWrites } from "./http/rate_limit.ts";
import { RateLimiter } from "./http/rate_limiter.ts";
import { PROGRAMME_CHANNEL, ProgrammeCache } from "./programme/cache.ts";
import { ProblemError } from "./errors/problem.ts";
import { problemResponse, toProblemError } from "./http/problem_response.ts";
import { problemHook, usePlainMessages } from "./http/validation.ts";
import { adminAudit } from "./routes/admin/audit.ts";
import { adminProgramme } from "./routes/admin/programme.ts";
import { adminRegistry } from "./routes/admin/registry.ts";
import { adminSeries } from "./routes/admin/series.ts";
import { adminInstruments } from "./routes/admin/instruments.ts";
import { adminSettings } from "./routes/admin/settings.ts";
import { adminStaff } from "./routes/admin/staff.ts";
import { adminTokens } from "./routes/admin/tokens.ts";
import { authApi } from "./routes/auth_api.ts";
import { health } from "./routes/health.ts";
import { jwks } from "./routes/jwks.ts";
import { apiDocsPages, type OpenApiDoc } from "./routes/pages/api_docs.tsx";
import { authPages } from "./routes/pages/auth.tsx";
import { consolePages } from "./routes/pages/console.tsx";
import { posMe } from "./routes/pos/me.ts";
import { authenticateDevice, resolveProgramme } from "./auth/pos.ts";
import { newRouter } from "./http/openapi.ts";
import { DEVICE_CHANNEL, DeviceVerifier } from "./tokens/device_verifier.ts";
import { devicePages } from "./routes/pages/devices.tsx";
import { staffPages } from "./routes/pages/staff.tsx";
import { settingsPages } from "./routes/pages/settings.tsx";
import { auditPages } from "./routes/pages/audit.tsx";
import { adminCustomers } from "./routes/admin/customers.ts";
import { adminSales } from "./routes/admin/sales.ts";
import { salePages } from "./routes/pages/sales.tsx";
import { adminItems } from "./routes/admin/items.ts";
import { adminWholesaleOrders } from "./routes/admin/wholesale_orders.ts";
import { posCoupons } from "./routes/pos/coupons.ts";
import { posCustomers } from "./routes/pos/customers.ts";
import { posQuote } from "./routes/pos/quote.ts";
import { posReturns } from "./routes/pos/returns.ts";
import { posSales } from "./routes/pos/sales.ts";
import { posInstruments } from "./routes/pos/instruments.ts";
import { posSync } from "./routes/pos/sync.ts";
import { adminRules } from "./routes/admin/rules.ts";
import { adminReports } from "./routes/admin/reports.ts";
import { adminEmail } from "./routes/admin/email.ts";
import { emailPages } from "./routes/pages/email.tsx";
import { mailerFor } from "./email/transport.ts";
import { customerPages } from "./routes/pages/customers.tsx";
import { itemPages } from "./routes/pages/items.tsx";
import { wholesalePages } from "./routes/pages/wholesale.tsx";
import { seriesPages } from "./routes/pages/series.tsx";
import { instrumentPages } from "./routes/pages/instruments.tsx";
import { merchantPages } from "./routes/pages/merchants.tsx";
import { rulePages } from "./routes/pages/rules.tsx";
import { reportPages } from "./routes/pages/reports.tsx";
import { ASSET_PREFIX, serveAsset } from "./web/assets.ts";
import { FAVICON_PATH, faviconResponse } from "./web/favicon.ts";
import { renderPage } from "./web/render.tsx";
import { isSafeMethod } from "./http/methods.ts";
import { MinorUnits } from "./money/minor_units.ts";
import { serverReplayRunner } from "./replay/jobs.ts";

const OPENAPI_INFO = {
  openapi: "3.1.0",
  info: {
    title: "Loyalty Edge API",
    version: "1.0.0",
    description:
      "Loyalty for retail POS: members, points, gift cards, store credit and coupons at the edge, " +
      "and the admin API behind the console.\n\n" +
      "Every request body is checked before any operation runs. A body larger than `BODY_LIMIT` " +
      "bytes (1 MiB by default) is a 413. A JSON or form body nested deeper than " +
      `${MAX_BODY_DEPTH} levels (objects and arrays, the body itself counted), with an array ` +
      `of more than ${MAX_ARRAY_LENGTH} items, or with a NUL character or a lone surrogate in ` +
      "any string or key is a 422 `validation` problem whose `errors` name each field at fault " +
      "(by its dotted path). A body that is not JSON: 400 `malformed-json`; a form that cannot be " +
      "parsed: 400 `malformed-form`; a JSON operation sent another content type: 415.",
  },
};

const POS_PREFIX = "/api/pos/";
const isPosPath = (path: string) => path.startsWith(POS_PREFIX);

/** The whole HTTP surface; `main.ts` serves it and tests call it with `app.request()`. */
export function createApp(appDeps: AppDeps) {
  const deps = { ...appDeps, mailer: appDeps.mailer ?? mailerFor(appDeps.config) };
  usePlainMessages();
  const app = new OpenAPIHono<AppEnv>({ defaultHook: problemHook });
  // First, so the component is MinorUnits itself, not the first money field's narrower copy.
  app.openAPIRegistry.register("MinorUnits", MinorUnits);
  const deviceTokens = new DeviceVerifier({ db: deps.db, issuer: deps.config.publicUrl });
  const posRateLimit = new RateLimiter(deps.config.rateLimitPosPerMinute);
  const programmes = new ProgrammeCache(deps.db);
  const replays = deps.replays ?? serverReplayRunner(deps.db, deps.dbKind, deps.config);
  // Another instance's (or a script's) changes, announced on commit; without them the caches
  // still expire after their 5 s bound.
  for (
    const [channel, forget] of [
      [PROGRAMME_CHANNEL, () => programmes.clear()],
      [DEVICE_CHANNEL, () => deviceTokens.evictAll()],
    ] as const
  ) {
    deps.listen?.(channel, forget).catch((err) => {
      console.error(JSON.stringify({ msg: `cannot LISTEN to ${channel}`, error: String(err) }));
    });
  }

  app.use(requestId());
  app.use(async (c, next) => {
    c.set("deps", deps);
    c.set("deviceTokens", deviceTokens);
    c.set("posRateLimit", posRateLimit);
    c.set("programmes", programmes);
    c.set("replays", replays);
    await next();
  });
  if (deps.config.logRequests) app.use(requestLog);
  const documentHeaders = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", "data:"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
    },
  });
  // The POS API answers JSON to terminals, not documents to browsers: only the headers that
  // apply to an API's answer (OWASP's REST cheat sheet). The document set, thirteen headers,
  // cost a sixth of a `/me` (docs/load.md, "Security headers on the POS API").
  const posHeaders = secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: false,
    originAgentCluster: false,
    referrerPolicy: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  app.use((c, next) => isPosPath(c.req.path) ? posHeaders(c, next) : documentHeaders(c, next));
  app.use(bodyLimit({
    maxSize: deps.config.bodyLimit,
    onError: () => {
      throw new ProblemError(413, "body-too-large", "The request body is too large", {
        detail: `at most ${deps.config.bodyLimit} bytes`,
      });
    },
  }));
  // Page forms (sign-in and setup come before any session) are checked by origin. The API is
  // not: bearer calls cannot be forged by a browser, and cookie calls need the session's
  // CSRF token anyway (identifyStaff).
  app.use(guardBody);
  // The POS API: one sub-app, every request authenticated by its device token and its
  // programme resolved before any handler. Mounted before the console's middleware (staff
  // sessions, CSRF, admin limits), which a POS request never needs: each layer is a step of
  // every POS call (docs/load.md, "The POS lane").
  const pos = newRouter();
  pos.use("*", authenticateDevice, resolveProgramme);
  pos.route("/", posMe);
  pos.route("/", posCustomers);
  pos.route("/", posQuote);
  pos.route("/", posCoupons);
  pos.route("/", posSales);
  pos.route("/", posReturns);
  pos.route("/", posSync);
  pos.route("/", posInstruments);
  app.route(`${POS_PREFIX}v1`, pos);
  // This instance's own writes are seen by its next request at once, not after the notification.
  // (The POS API, mounted above, answers before this: its writes leave the programme as it is.)
  app.use(async (c, next) => {
    await next();
    if (!isSafeMethod(c.req.method) && c.res.ok) {
      programmes.clear();
    }
  });
  const formOrigin = csrf();
  app.use((c, next) => isApiPath(c.req.path) ? next() : formOrigin(c, next));
  app.use(identifyStaff);
  app.use(limitAdminWrites(new RateLimiter(deps.config.rateLimitAdminPerMinute)));

  app.get(`${ASSET_PREFIX}:file`, async (c) => {
    return (await serveAsset(c.req.param("file"))) ?? c.notFound();
  });
  app.get(FAVICON_PATH, () => faviconResponse());
  // Browsers that ignore the page's link ask for this path: the same icon, briefly cached.
  app.get("/favicon.ico", (c) => c.redirect(FAVICON_PATH, 301));

  app.route("/", health);
  app.route("/", authApi);
  app.route("/", adminStaff);
  app.route("/", adminRegistry);
  app.route("/", adminTokens);
  app.route("/", jwks);
  app.route("/", adminProgramme);
  app.route("/", adminSeries);
  app.route("/", adminInstruments);
  app.route("/", authPages);
  app.route("/", consolePages);
  app.route("/", devicePages);
  app.route("/", staffPages);
  app.route("/", adminSettings);
  app.route("/", adminAudit);
  app.route("/", settingsPages);
  app.route("/", auditPages);
  app.route("/", adminCustomers);
  app.route("/", adminSales);
  app.route("/", adminItems);
  app.route("/", adminWholesaleOrders);
  app.route("/", adminRules);
  app.route("/", adminReports);
  app.route("/", adminEmail);
  app.route("/", emailPages);
  app.route("/", customerPages);
  app.route("/", salePages);
  app.route("/", itemPages);
  app.route("/", wholesalePages);
  app.route("/", seriesPages);
  app.route("/", instrumentPages);
  app.route("/", merchantPages);
  app.route("/", rulePages);
  app.route("/", reportPages);

  app.openAPIRegistry.registerComponent("securitySchemes", "staffBearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A staff token from POST /api/auth/token",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "posBearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "A device token for a POS or a site, from POST /api/admin/v1/{pos|sites}/{id}/tokens",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "staffSession", {
    type: "apiKey",
    in: "cookie",
    name: "le_session",
    description: "The console's session cookie; unsafe methods also need X-CSRF-Token",
  });
  let doc: OpenApiDoc | undefined;
  const getDoc = () => doc ??= app.getOpenAPI31Document(OPENAPI_INFO) as unknown as OpenApiDoc;
  app.get("/openapi.json", (c) => c.json(getDoc()));
  app.route("/", apiDocsPages(getDoc));

  app.notFound((c) => {
    if (isApiPath(c.req.path)) {
      return problemResponse(c, new ProblemError(404, "not-found", "No such resource"));
    }
    return renderPage(c, {
      title: "Page not found",
      body: (
        <section class="card">
          <p>
            There is no page at <code>{c.req.path}</code>.
          </p>
          <p>
            <a href="/console">Go to the console</a>
          </p>
        </section>
      ),
    }, 404);
  });

  app.onError((err, c) => {
    const problem = toProblemError(err);
    if (problem.status >= 500) {
      // A lost database connection (503) is one line: an outage would repeat the same stack.
      const error = problem.status === 503 ? String(err) : String(err?.stack ?? err);
      console.error(JSON.stringify({ requestId: c.get("requestId"), error }));
    }
    if (isApiPath(c.req.path) || problem.status >= 500 || c.req.method !== "GET") {
      return problemResponse(c, problem);
    }
    return renderPage(c, {
      title: problem.title,
      body: (
        <section class="card">
          <p>{problem.extra.detail ?? problem.title}</p>
        </section>
      ),
    }, problem.status as 400);
  });

  return app;
}
