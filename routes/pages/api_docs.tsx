import { Hono } from "hono";
import { ReferencePage } from "../../components/api_docs/Reference.tsx";
import type { OpenApiDoc } from "../../components/api_docs/openapi.ts";
import type { AppEnv } from "../../http/env.ts";
import { renderPage } from "../../web/render.tsx";

export type { OpenApiDoc };

/** Served from our own origin with no script: the machines running it may have no internet. */
export const apiDocsPages = (getDoc: () => OpenApiDoc) =>
  new Hono<AppEnv>().get(
    "/docs/api",
    (c) => renderPage(c, { title: "API reference", body: <ReferencePage doc={getDoc()} /> }),
  );
