import { Marked } from "marked";
import {
  exampleOf,
  type FieldRow,
  fieldRows,
  headerName,
  type Op,
  type OpenApiDoc,
  operationsByTag,
  type Parameter,
  resolve,
  type Schema,
  typeOf,
  type TypeText,
} from "./openapi.ts";

/**
 * The descriptions are ours (the document is built from our own schemas), so their Markdown is
 * rendered as HTML; raw HTML in them is escaped all the same, in case one ever quotes a tag.
 */
const markdown = new Marked({
  renderer: {
    html: ({ text }) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;"),
  },
});

function Markdown({ text, inline = false }: { text?: string; inline?: boolean }) {
  if (!text) return null;
  const html = inline
    ? markdown.parseInline(text, { async: false })
    : markdown.parse(text, { async: false });
  return inline
    ? <span dangerouslySetInnerHTML={{ __html: html }} />
    : <div class="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}

const schemaAnchor = (name: string) => `schema-${name}`;

function Type({ type }: { type: TypeText }) {
  if (!type.ref) return <code>{type.text}</code>;
  const [before, after] = type.text.split(type.ref);
  return (
    <code>
      {before}
      <a href={`#${schemaAnchor(type.ref)}`}>{type.ref}</a>
      {after}
    </code>
  );
}

function FieldsTable({ rows, caption }: { rows: FieldRow[]; caption: string }) {
  if (!rows.length) return null;
  return (
    <table class="fields">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th>Field</th>
          <th>Type</th>
          <th>Required</th>
          <th>Description</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            <td>
              <code>{r.name}</code>
            </td>
            <td>
              <Type type={r.type} />
            </td>
            <td>{r.required ? "yes" : ""}</td>
            <td>
              <Markdown text={r.description} inline />
              {r.constraints.length > 0 && <small>({r.constraints.join("; ")})</small>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ParametersTable({ params }: { params: Parameter[] }) {
  if (!params.length) return null;
  const where = { path: "path", query: "query", header: "header", cookie: "cookie" };
  return (
    <table class="fields">
      <caption>Parameters and headers</caption>
      <thead>
        <tr>
          <th>Name</th>
          <th>In</th>
          <th>Type</th>
          <th>Required</th>
          <th>Description</th>
        </tr>
      </thead>
      <tbody>
        {params.map((p) => (
          <tr>
            <td>
              <code>{p.in === "header" ? headerName(p.name) : p.name}</code>
            </td>
            <td>{where[p.in]}</td>
            <td>{p.schema ? <Type type={typeOf(p.schema)} /> : null}</td>
            <td>{p.required ? "yes" : ""}</td>
            <td>
              <Markdown text={p.description} inline />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Example({ doc, schema, label }: { doc: OpenApiDoc; schema: Schema; label: string }) {
  return (
    <details>
      <summary>{label}</summary>
      <pre>{JSON.stringify(exampleOf(doc, schema), null, 2)}</pre>
    </details>
  );
}

function Body({ doc, schema, caption }: { doc: OpenApiDoc; schema: Schema; caption: string }) {
  const type = typeOf(schema);
  return (
    <>
      <p>
        {caption}: <Type type={type} />
      </p>
      <FieldsTable rows={fieldRows(doc, schema)} caption={`${caption} fields`} />
      <Example doc={doc} schema={schema} label={`Example ${caption.toLowerCase()}`} />
    </>
  );
}

function OperationSection({ doc, op: { path, method, op, id } }: { doc: OpenApiDoc; op: Op }) {
  const request = op.requestBody?.content?.["application/json"]?.schema;
  const answers = Object.entries(op.responses ?? {});
  return (
    <section class="card" id={id}>
      <h3>
        <span class="method">{method.toUpperCase()}</span> <code>{path}</code>
      </h3>
      {op.summary && (
        <p>
          <strong>{op.summary}</strong>
        </p>
      )}
      <Markdown text={op.description} />
      {op.security && (
        <p>Authentication: {op.security.flatMap((s) => Object.keys(s)).join(" or ")}</p>
      )}
      <ParametersTable params={op.parameters ?? []} />
      {request && <Body doc={doc} schema={request} caption="Request body" />}
      <table>
        <caption>Answers</caption>
        <thead>
          <tr>
            <th>Status</th>
            <th>Meaning</th>
          </tr>
        </thead>
        <tbody>
          {answers.map(([status, r]) => (
            <tr>
              <td>{status}</td>
              <td>
                <Markdown text={r.description} inline />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {answers.filter(([status]) => status.startsWith("2")).map(([status, r]) => {
        const schema = r.content?.["application/json"]?.schema;
        return schema && (
          <Body key={status} doc={doc} schema={schema} caption={`Answer ${status}`} />
        );
      })}
    </section>
  );
}

export function ReferencePage({ doc }: { doc: OpenApiDoc }) {
  const groups = operationsByTag(doc);
  const schemas = Object.entries(doc.components?.schemas ?? {});
  return (
    <>
      <section class="card">
        <Markdown text={doc.info.description} />
        <p>
          Version {doc.info.version}. Machine-readable:{" "}
          <a href="/openapi.json">/openapi.json</a>. Errors are{" "}
          <code>application/problem+json</code> (RFC 9457) with a stable <code>type</code>, a{" "}
          <code>title</code> and, for invalid fields, <code>errors</code>: each names its{" "}
          <code>field</code> (a dotted path such as{" "}
          <code>tenders.0.amount</code>) and says what is wrong in a few words (<code>
            required
          </code>, <code>at most 64 characters</code>).
        </p>
      </section>
      <nav class="card" aria-label="Contents">
        <h2>Contents</h2>
        <ul class="toc">
          {groups.map(([tag, ops]) => (
            <li>
              <a href={`#tag-${tag.replace(/[^A-Za-z0-9]+/g, "-")}`}>{tag}</a>
              <ul>
                {ops.map(({ method, path, op, id }) => (
                  <li>
                    <a href={`#${id}`}>
                      <span class="method">{method.toUpperCase()}</span> <code>{path}</code>
                    </a>
                    {op.summary && <>: {op.summary}</>}
                  </li>
                ))}
              </ul>
            </li>
          ))}
          <li>
            <a href="#schemas">Schemas</a>
          </li>
        </ul>
      </nav>
      {groups.map(([tag, ops]) => (
        <>
          <h2 id={`tag-${tag.replace(/[^A-Za-z0-9]+/g, "-")}`}>{tag}</h2>
          {ops.map((op) => <OperationSection key={op.id} doc={doc} op={op} />)}
        </>
      ))}
      <section class="card" id="schemas">
        <h2>Schemas</h2>
        {schemas.map(([name, s]) => (
          <section class="schema" id={schemaAnchor(name)}>
            <h3>{name}</h3>
            <Markdown text={resolve(doc, s).description} />
            <FieldsTable rows={fieldRows(doc, s)} caption={`${name} fields`} />
            <Example doc={doc} schema={s} label={`Example ${name}`} />
          </section>
        ))}
      </section>
    </>
  );
}
