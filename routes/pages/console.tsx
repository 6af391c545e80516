import { Hono } from "hono";
import { signal } from "@preact/signals";
import { requireStaff } from "../../auth/middleware.ts";
import type { AppEnv } from "../../http/env.ts";
import PointsPreview from "../../islands/PointsPreview.tsx";
import type { Rounding } from "../../rules/points.ts";
import { countStaff } from "../../staff/users.ts";
import { Island } from "../../web/island.tsx";
import { renderPage } from "../../web/render.tsx";

export const consolePages = new Hono<AppEnv>()
  .get("/", async (c) => {
    if (!(await countStaff(c.get("deps").db))) return c.redirect("/setup");
    return c.redirect(c.get("staff") ? "/console" : "/login");
  })
  .get("/console", requireStaff, (c) => {
    const staff = c.get("staff")!;
    return renderPage(c, {
      title: "Overview",
      body: (
        <>
          <section class="card">
            <p>
              Signed in as <strong>{staff.email}</strong>
              {staff.is_owner ? " (owner)" : ""}. Database: <code>{c.get("deps").dbKind}</code>.
            </p>
            <p>
              POS integrators: the API is described at <a href="/docs/api">API reference</a> and
              {" "}
              <a href="/openapi.json">/openapi.json</a>.
            </p>
          </section>
          <Island
            of={PointsPreview}
            props={{ currency: "EUR", digits: 2, rounding: signal<Rounding>("none") }}
          />
        </>
      ),
    });
  });
