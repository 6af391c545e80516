import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { csrf } from "hono/csrf";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { identifyStaff, isApiPath } from "./auth/middleware.ts";
import type { AppDeps, AppEnv } from "./http/env.ts";
import { requestLog } from "./http/log.ts";
import { ProblemError, problemResponse, toProblemError } from "./http/problem.ts";
import { problemHook } from "./http/validation.ts";
import { adminRegistry } from "./routes/admin_registry.ts";
import { adminStaff } from "./routes/admin_staff.ts";
import { authApi } from "./routes/auth_api.ts";
import { health } from "./routes/health.ts";
import { apiDocsPages, type OpenApiDoc } from "./routes/pages/api_docs.tsx";
import { authPages } from "./routes/pages/auth.tsx";
import { consolePages } from "./routes/pages/console.tsx";
import { staffPages } from "./routes/pages/staff.tsx";
import { ASSET_PREFIX, serveAsset } from "./web/assets.ts";
import { renderPage } from "./web/render.tsx";

const OPENAPI_INFO = {
  openapi: "3.1.0",
  info: {
    title: "Loyalty Edge API",
    version: "1.0.0",
    description:
      "Loyalty for retail POS: members, points, gift cards, store credit and coupons at the edge, " +
      "and the admin API behind the console.",
  },
};

/** The whole HTTP surface; `main.ts` serves it and tests call it with `app.request()`. */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: problemHook });

  app.use(requestId());
  app.use(async (c, next) => {
    c.set("deps", deps);
    await next();
  });
  app.use(requestLog(deps.config.logRequests));
  app.use(secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", "data:"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
    },
  }));
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
  const formOrigin = csrf();
  app.use((c, next) => isApiPath(c.req.path) ? next() : formOrigin(c, next));
  app.use(identifyStaff);

  app.get(`${ASSET_PREFIX}:file`, async (c) => {
    return (await serveAsset(c.req.param("file"))) ?? c.notFound();
  });

  app.route("/", health);
  app.route("/", authApi);
  app.route("/", adminStaff);
  app.route("/", adminRegistry);
  app.route("/", authPages);
  app.route("/", consolePages);
  app.route("/", staffPages);

  app.openAPIRegistry.registerComponent("securitySchemes", "staffBearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A staff token from POST /api/auth/token",
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
      console.error(
        JSON.stringify({ requestId: c.var.requestId, error: String(err?.stack ?? err) }),
      );
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
