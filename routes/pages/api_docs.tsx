import { Hono } from "hono";
import type { AppEnv } from "../../http/env.ts";
import { renderPage } from "../../web/render.tsx";

/** A slice of OpenAPI 3.1 that the reference page reads. */
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
}
export interface OpenApiDoc {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

const schemaText = (s: unknown) => JSON.stringify(s, null, 2);

function ReferencePage({ doc }: { doc: OpenApiDoc }) {
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op }))
  );
  return (
    <>
      <section class="card">
        <p>{doc.info.description}</p>
        <p>
          Version {doc.info.version}. Machine-readable:{" "}
          <a href="/openapi.json">/openapi.json</a>. Errors are{" "}
          <code>application/problem+json</code> (RFC 9457) with a stable <code>type</code>, a{" "}
          <code>title</code> and, for invalid fields, <code>errors</code>.
        </p>
      </section>
      {ops.map(({ path, method, op }) => (
        <section class="card" id={`${method}-${path}`}>
          <h2>
            <span class="method">{method.toUpperCase()}</span> <code>{path}</code>
          </h2>
          {op.summary && (
            <p>
              <strong>{op.summary}</strong>
            </p>
          )}
          {op.description && <p>{op.description}</p>}
          {op.security && (
            <p>Authentication: {op.security.flatMap((s) => Object.keys(s)).join(" or ")}</p>
          )}
          {op.requestBody?.content?.["application/json"] && (
            <details>
              <summary>Request body (application/json)</summary>
              <pre>{schemaText(op.requestBody.content["application/json"].schema)}</pre>
            </details>
          )}
          <table>
            <thead>
              <tr>
                <th>Status</th>
                <th>Meaning</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(op.responses ?? {}).map(([status, r]) => (
                <tr>
                  <td>{status}</td>
                  <td>{r.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
      <section class="card">
        <h2>Schemas</h2>
        {Object.entries(doc.components?.schemas ?? {}).map(([name, s]) => (
          <details id={`schema-${name}`}>
            <summary>{name}</summary>
            <pre>{schemaText(s)}</pre>
          </details>
        ))}
      </section>
    </>
  );
}

/** Served from our own origin with no script: the machines running it may have no internet. */
export const apiDocsPages = (getDoc: () => OpenApiDoc) =>
  new Hono<AppEnv>().get(
    "/docs/api",
    (c) => renderPage(c, { title: "API reference", body: <ReferencePage doc={getDoc()} /> }),
  );
