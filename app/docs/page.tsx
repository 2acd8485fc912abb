import type { Metadata } from "next";
import type { ReactNode } from "react";
import { publicUrl } from "@/lib/config/public-url";
import {
  buildOpenApiDocument,
  type JsonSchema,
  type OpenApiDocument,
  type OpenApiOperation,
  type OpenApiParameter,
} from "@/lib/openapi/build-openapi-document";
import styles from "./docs.module.css";
import { ApiKeyField, TryIt } from "./try-it";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API reference" };

type Entry = { path: string; method: string; operation: OpenApiOperation };

export default function DocsPage() {
  const document = buildOpenApiDocument({ serverUrl: publicUrl() });
  const entries: Entry[] = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );
  const groups = document.tags.map((tag) => ({
    ...tag,
    entries: entries.filter((entry) => entry.operation.tags.includes(tag.name)),
  }));
  const serverUrl = document.servers[0]?.url ?? "";

  return (
    <main className={`container ${styles.docs}`}>
      <h1>{document.info.title}</h1>
      <p className="muted">
        Version {document.info.version} · Base URL <code>{serverUrl}</code> · Machine-readable:{" "}
        <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI {document.openapi})
      </p>

      <nav className={`card ${styles.toc}`} aria-label="Endpoints">
        {groups.map((group) => (
          <div key={group.name}>
            <strong>{group.name}</strong>
            <ul>
              {group.entries.map(({ path, method, operation }) => (
                <li key={operation.operationId}>
                  <a href={`#${operation.operationId}`}>
                    <MethodBadge method={method} /> <span className={styles.path}>{path}</span>
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ))}
        <div>
          <strong>Schemas</strong>
          <ul>
            {Object.keys(document.components.schemas).map((name) => (
              <li key={name}>
                <a href={`#schema-${name}`}>{name}</a>
              </li>
            ))}
          </ul>
        </div>
      </nav>

      <section className="card" aria-labelledby="overview-heading">
        <h2 id="overview-heading">Overview</h2>
        <Prose text={document.info.description} />
        <ApiKeyField />
      </section>

      {groups.map((group) => (
        <section key={group.name} aria-labelledby={`tag-${group.name}`}>
          <h2 id={`tag-${group.name}`} className={styles.tagHeading}>
            {group.name}
          </h2>
          <p className="muted">{group.description}</p>
          {group.entries.map((entry) => (
            <OperationCard key={entry.operation.operationId} entry={entry} document={document} />
          ))}
        </section>
      ))}

      <section aria-labelledby="schemas-heading">
        <h2 id="schemas-heading" className={styles.tagHeading}>
          Schemas
        </h2>
        {Object.entries(document.components.schemas).map(([name, schema]) => (
          <article key={name} id={`schema-${name}`} className="card">
            <h3 className={styles.schemaName}>{name}</h3>
            <FieldsTable schema={schema} />
          </article>
        ))}
      </section>
    </main>
  );
}

function OperationCard({ entry, document }: { entry: Entry; document: OpenApiDocument }) {
  const { path, method, operation } = entry;
  const requiresAuth =
    operation.security === undefined ? document.security.length > 0 : operation.security.length > 0;
  const body = operation.requestBody?.content["application/json"];
  const bodySchema = body?.schema.$ref ? componentOf(document, body.schema.$ref) : body?.schema;
  return (
    <article id={operation.operationId} className={`card ${styles.operation}`}>
      <h3 className={styles.operationTitle}>
        <MethodBadge method={method} /> <span className={styles.path}>{path}</span>
      </h3>
      <p>
        <strong>{operation.summary}.</strong> <Inline text={operation.description} />
      </p>
      <p className="muted">
        {requiresAuth ? (
          <>
            Auth: <code>Authorization: Bearer sk_…</code>
            {operation["x-permission"] ? (
              <>
                {" "}
                with the <code data-testid="operation-permission">{operation["x-permission"]}</code>{" "}
                permission
              </>
            ) : null}
          </>
        ) : (
          "No authentication."
        )}
      </p>

      {operation.parameters.length > 0 && (
        <>
          <h4>Parameters</h4>
          <div className={styles.tableWrap}>
            <table className={styles.table}>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>In</th>
                  <th>Type</th>
                  <th>Details</th>
                </tr>
              </thead>
              <tbody>
                {operation.parameters.map((parameter) => (
                  <tr key={`${parameter.in}:${parameter.name}`}>
                    <td>
                      <code>{parameter.name}</code>
                      {parameter.required && <span className={styles.required}> required</span>}
                    </td>
                    <td>{parameter.in}</td>
                    <td>
                      <TypeName schema={parameter.schema} />
                    </td>
                    <td>
                      <Inline
                        text={[parameter.description, ...constraints(parameter.schema)]
                          .filter(Boolean)
                          .join(" ")}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}

      {body && bodySchema && (
        <>
          <h4>
            Request body <span className="muted">application/json</span> · <TypeName schema={body.schema} />
          </h4>
          <FieldsTable schema={bodySchema} />
        </>
      )}

      <h4>Responses</h4>
      <div className={styles.tableWrap}>
        <table className={styles.table}>
          <thead>
            <tr>
              <th>Status</th>
              <th>Description</th>
              <th>Body</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(operation.responses).map(([status, response]) => (
              <tr key={status}>
                <td>
                  <span
                    className={`${styles.status} ${Number(status) < 400 ? styles.statusOk : styles.statusError}`}
                  >
                    {status}
                  </span>
                </td>
                <td>
                  <Inline text={response.description} />
                  {response.headers?.["Retry-After"] && (
                    <>
                      {" "}
                      Header <code>Retry-After</code>.
                    </>
                  )}
                </td>
                <td>
                  {Object.entries(response.content ?? {}).map(([contentType, media]) => (
                    <div key={contentType}>
                      <TypeName schema={media.schema} /> <span className="muted">{contentType}</span>
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <TryIt
        method={method.toUpperCase()}
        path={path}
        serverUrl={document.servers[0]?.url ?? ""}
        requiresAuth={requiresAuth}
        pathParams={parametersIn(operation.parameters, "path")}
        queryParams={parametersIn(operation.parameters, "query")}
        idempotent={operation.parameters.some((parameter) => parameter.name === "Idempotency-Key")}
        bodyExample={body?.example === undefined ? undefined : JSON.stringify(body.example, null, 2)}
      />
    </article>
  );
}

function parametersIn(parameters: OpenApiParameter[], location: "path" | "query") {
  return parameters
    .filter((parameter) => parameter.in === location)
    .map((parameter) => ({
      name: parameter.name,
      required: parameter.required,
      example: typeof parameter.example === "string" ? parameter.example : "",
      hint:
        parameter.schema.default !== undefined
          ? String(parameter.schema.default)
          : (parameter.schema.enum?.join(" | ") ?? ""),
    }));
}

function componentOf(document: OpenApiDocument, ref: string): JsonSchema | undefined {
  const name = ref.replace("#/components/schemas/", "");
  return Object.entries(document.components.schemas).find(([candidate]) => candidate === name)?.[1];
}

function MethodBadge({ method }: { method: string }) {
  return (
    <span className={`${styles.method} ${styles[`method-${method}`] ?? ""}`}>{method.toUpperCase()}</span>
  );
}

const asSchema = (value: unknown): JsonSchema =>
  typeof value === "object" && value !== null ? (value as JsonSchema) : {};

/** A readable type: component names link to their schema, unions are `a | b`, arrays `T[]`. */
function TypeName({ schema }: { schema: JsonSchema }): ReactNode {
  if (schema.$ref) {
    const name = schema.$ref.replace("#/components/schemas/", "");
    return <a href={`#schema-${name}`}>{name}</a>;
  }
  if (schema.const !== undefined) return <code>{JSON.stringify(schema.const)}</code>;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    // Alternatives that differ only in constraints (e.g. two string formats) read as one type.
    const byType = new Map(alternatives.map((option) => [typeKey(option), option]));
    return [...byType].map(([key, option], position) => (
      <span key={key}>
        {position > 0 && " | "}
        <TypeName schema={option} />
      </span>
    ));
  }
  if (Array.isArray(schema.type)) return schema.type.join(" | ");
  if (schema.type === "array")
    return (
      <>
        <TypeName schema={asSchema(schema.items)} />
        []
      </>
    );
  if (schema.type === "object" && !schema.properties && schema.additionalProperties !== undefined)
    return (
      <>
        map&lt;string, <TypeName schema={asSchema(schema.additionalProperties)} />
        &gt;
      </>
    );
  return schema.type ?? "any";
}

const typeKey = (schema: JsonSchema) =>
  JSON.stringify([schema.$ref, schema.type, schema.const, schema.items, schema.additionalProperties]);

/** Constraints of a schema as short markdown-ish notes. */
function constraints(schema: JsonSchema): string[] {
  if (schema.anyOf) return schema.anyOf.flatMap(constraints);
  const notes: string[] = [];
  if (schema.enum) notes.push(`One of ${schema.enum.map((value) => `\`${String(value)}\``).join(", ")}.`);
  if (schema.format) notes.push(`Format \`${schema.format}\`.`);
  else if (schema.pattern) notes.push(`Pattern \`${schema.pattern}\`.`);
  if (schema.minLength !== undefined && schema.minLength > 0) notes.push(`Min length ${schema.minLength}.`);
  if (schema.maxLength !== undefined) notes.push(`Max length ${schema.maxLength}.`);
  if (schema.minimum !== undefined) notes.push(`Min ${schema.minimum}.`);
  if (schema.maximum !== undefined) notes.push(`Max ${schema.maximum}.`);
  if (schema.maxProperties !== undefined) notes.push(`At most ${schema.maxProperties} keys.`);
  if (schema.default !== undefined) notes.push(`Default \`${JSON.stringify(schema.default)}\`.`);
  return notes;
}

type FieldRow = { name: string; schema: JsonSchema; required: boolean };

/** Properties flattened to dotted names (`token.symbol`, `transfers[].tx_hash`); components stay links. */
function fieldRows(schema: JsonSchema, prefix = ""): FieldRow[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([key, value]) => {
    const property = asSchema(value);
    const name = `${prefix}${key}`;
    const items = asSchema(property.items);
    const nested =
      property.type === "object" && property.properties
        ? fieldRows(property, `${name}.`)
        : property.type === "array" && items.properties
          ? fieldRows(items, `${name}[].`)
          : [];
    return [{ name, schema: property, required: required.has(key) }, ...nested];
  });
}

function FieldsTable({ schema }: { schema: JsonSchema }) {
  const rows = fieldRows(schema);
  if (rows.length === 0) return <TypeName schema={schema} />;
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table}>
        <thead>
          <tr>
            <th>Field</th>
            <th>Type</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.name}>
              <td>
                <code>{row.name}</code>
                {row.required && <span className={styles.required}> required</span>}
              </td>
              <td>
                <TypeName schema={row.schema} />
              </td>
              <td>
                <Inline
                  text={[row.schema.description, ...constraints(row.schema)].filter(Boolean).join(" ")}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The subset of markdown the document's descriptions use: paragraphs, one table, **bold**, `code`. */
function Prose({ text }: { text: string }) {
  return text
    .trim()
    .split(/\n{2,}/)
    .map((block) => {
      if (!block.startsWith("|")) {
        return (
          <p key={block}>
            <Inline text={block} />
          </p>
        );
      }
      const [header = [], , ...rows] = block.split("\n").map((line) =>
        line
          .replace(/^\||\|$/g, "")
          .split("|")
          .map((cell) => cell.trim()),
      );
      return (
        <div key={block} className={styles.tableWrap}>
          <table className={styles.table}>
            <thead>
              <tr>
                {header.map((cell) => (
                  <th key={cell}>{cell}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((cells) => (
                <tr key={cells.join("|")}>
                  {header.map((name, column) => (
                    <td key={name}>
                      <Inline text={cells[column] ?? ""} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    });
}

function Inline({ text }: { text: string }) {
  let offset = 0;
  return text
    .split(/(\*\*[^*]+\*\*|`[^`]+`)/)
    .filter((part) => part !== "")
    .map((part) => {
      const key = offset;
      offset += part.length;
      if (part.startsWith("**")) return <strong key={key}>{part.slice(2, -2)}</strong>;
      if (part.startsWith("`")) return <code key={key}>{part.slice(1, -1)}</code>;
      return <span key={key}>{part}</span>;
    });
}
