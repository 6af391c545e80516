import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { type Flash, Layout } from "../components/Layout.tsx";
import type { AppEnv } from "../http/env.ts";
import { collectIslands } from "./island.tsx";

const FLASH_COOKIE = "le_flash";

/** Stores a one-time message shown by the next page rendered (after a redirect). */
export function setFlash(c: Context<AppEnv>, flash: Flash) {
  setCookie(c, FLASH_COOKIE, encodeURIComponent(JSON.stringify(flash)), {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    maxAge: 60,
  });
}

function takeFlash(c: Context<AppEnv>): Flash | undefined {
  const raw = getCookie(c, FLASH_COOKIE);
  if (!raw) return undefined;
  deleteCookie(c, FLASH_COOKIE, { path: "/" });
  try {
    const parsed = JSON.parse(decodeURIComponent(raw));
    if (typeof parsed?.message === "string") {
      return { kind: parsed.kind === "error" ? "error" : "info", message: parsed.message };
    }
  } catch { /* a tampered cookie shows nothing */ }
  return undefined;
}

/**
 * Renders a page in the console layout. Scripts are added only for the islands the page
 * actually rendered, so a page without islands ships no JavaScript.
 */
export function renderPage(
  c: Context<AppEnv>,
  page: { title: string; body: VNode; flash?: Flash },
  status: 200 | 400 | 401 | 403 | 404 | 409 | 422 | 429 = 200,
): Response {
  const { result, islands } = collectIslands(() =>
    renderToString(
      <Layout
        title={page.title}
        staff={c.get("staff")}
        csrfToken={c.get("session")?.csrfToken}
        flash={page.flash ?? takeFlash(c)}
        path={c.req.path}
      >
        {page.body}
      </Layout>,
    )
  );
  const manifest = c.get("deps").assets;
  const scripts = islands.map((name) => {
    const src = manifest.islands[name];
    if (!src) throw new Error(`island ${name} is not built: run deno task build`);
    return `<script type="module" src="${src}"></script>`;
  }).join("");
  const html = "<!doctype html>" + result.replace("</body>", `${scripts}</body>`);
  return c.html(html, status);
}
