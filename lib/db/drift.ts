// Schema drift detection without Prisma's native schema engine (not installable offline): the
// Prisma schema's DMMF (from Prisma's own wasm parser) and the migrated database's catalog are
// both reduced to the same shape — tables, columns with types and nullability, primary keys,
// indexes and uniques with column order and direction, foreign keys, enums — and compared.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type pg from "pg";

export type SchemaShape = {
  enums: Record<string, string[]>;
  tables: Record<string, TableShape>;
};
type TableShape = {
  columns: Record<string, string>;
  primaryKey: string;
  /** Index descriptions such as `unique (chain, deposit_address)` or `index (merchant_id, created_at desc)`. */
  indexes: string[];
  /** Foreign keys such as `(merchant_id) → merchants(id) on delete cascade`. */
  foreignKeys: string[];
};

export const DEFAULT_SCHEMA_FILE = join(import.meta.dirname, "..", "..", "prisma", "schema.prisma");

type DmmfField = {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "enum" | "object" | "unsupported";
  isList: boolean;
  isRequired: boolean;
  type: string;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
};
type DmmfModel = { name: string; dbName: string | null; fields: DmmfField[] };
type DmmfIndex = {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  dbName?: string | null;
  fields: { name: string; sortOrder?: "asc" | "desc" }[];
};
type Dmmf = {
  datamodel: {
    enums: { name: string; dbName?: string | null; values: { name: string; dbName?: string | null }[] }[];
    models: DmmfModel[];
    indexes: DmmfIndex[];
  };
};

const SCALAR_TYPES: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  Float: "double precision",
  Decimal: "numeric(65,30)",
  DateTime: "timestamp(3) without time zone",
  Json: "jsonb",
  Bytes: "bytea",
};
const NATIVE_TYPES: Record<string, (args: string[]) => string> = {
  Decimal: ([precision, scale]) => `numeric(${precision},${scale})`,
  Timestamptz: ([precision]) => `timestamp(${precision ?? 6}) with time zone`,
  Timestamp: ([precision]) => `timestamp(${precision ?? 6}) without time zone`,
  VarChar: ([length]) => (length ? `character varying(${length})` : "character varying"),
  Text: () => "text",
  Uuid: () => "uuid",
  SmallInt: () => "smallint",
  Integer: () => "integer",
  BigInt: () => "bigint",
  JsonB: () => "jsonb",
  Json: () => "json",
};
const ON_DELETE: Record<string, string> = {
  Cascade: "cascade",
  Restrict: "restrict",
  NoAction: "no action",
  SetNull: "set null",
  SetDefault: "set default",
};

/** The shape the Prisma schema describes. */
export function schemaShapeFromPrisma(schemaText: string): SchemaShape {
  const require = createRequire(import.meta.url);
  const wasm = require("@prisma/prisma-schema-wasm") as { get_dmmf(params: string): string };
  const dmmf = JSON.parse(
    wasm.get_dmmf(JSON.stringify({ prismaSchema: [["schema.prisma", schemaText]] })),
  ) as Dmmf;
  const { models, enums, indexes } = dmmf.datamodel;
  const predicates = indexPredicates(schemaText);

  const enumNames = new Map(enums.map((e) => [e.name, e.dbName ?? e.name]));
  const tableName = new Map(models.map((model) => [model.name, model.dbName ?? model.name]));
  const columnName = (model: DmmfModel, field: string) => {
    const found = model.fields.find((candidate) => candidate.name === field);
    return found?.dbName ?? field;
  };

  const shape: SchemaShape = {
    enums: Object.fromEntries(
      enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]),
    ),
    tables: {},
  };
  for (const model of models) {
    const table: TableShape = { columns: {}, primaryKey: "", indexes: [], foreignKeys: [] };
    for (const field of model.fields) {
      if (field.kind === "object") {
        if (!field.relationFromFields?.length) continue;
        const target = models.find((candidate) => candidate.name === field.type);
        if (!target) continue;
        const onDelete = field.relationOnDelete ?? (field.isRequired ? "Restrict" : "SetNull");
        table.foreignKeys.push(
          describeForeignKey(
            field.relationFromFields.map((name) => columnName(model, name)),
            tableName.get(field.type) ?? field.type,
            (field.relationToFields ?? []).map((name) => columnName(target, name)),
            ON_DELETE[onDelete] ?? onDelete,
          ),
        );
        continue;
      }
      let type: string;
      if (field.kind === "enum") type = enumNames.get(field.type) ?? field.type;
      else if (field.nativeType) {
        const [name, args] = field.nativeType;
        type = NATIVE_TYPES[name]?.(args) ?? `${name.toLowerCase()}(${args.join(",")})`;
      } else type = SCALAR_TYPES[field.type] ?? field.type;
      if (field.isList) type += "[]";
      // Prisma creates scalar lists as nullable arrays.
      table.columns[field.dbName ?? field.name] =
        `${type}${field.isRequired && !field.isList ? " not null" : ""}`;
    }
    for (const index of indexes.filter((candidate) => candidate.model === model.name)) {
      const columns = index.fields.map(
        (field) => `${columnName(model, field.name)}${field.sortOrder === "desc" ? " desc" : ""}`,
      );
      if (index.type === "id") table.primaryKey = `(${columns.join(", ")})`;
      else
        table.indexes.push(
          describeIndex(index.type === "unique", columns, index.dbName ? predicates.get(index.dbName) : null),
        );
    }
    table.indexes.sort();
    table.foreignKeys.sort();
    shape.tables[model.dbName ?? model.name] = table;
  }
  return shape;
}

/** The shape of the database behind `client` (current schema, Prisma's bookkeeping table excluded). */
export async function schemaShapeFromDatabase(client: pg.Client | pg.Pool): Promise<SchemaShape> {
  const shape: SchemaShape = { enums: {}, tables: {} };
  const enums = await client.query<{ name: string; values: string[] }>(`
    SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = current_schema() GROUP BY t.typname`);
  for (const row of enums.rows) shape.enums[row.name] = row.values;

  const columns = await client.query<{ table: string; column: string; type: string; not_null: boolean }>(`
    SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
      AND c.relname <> '_prisma_migrations'
    ORDER BY c.relname, a.attnum`);
  const tableOf = (name: string): TableShape => {
    shape.tables[name] ??= { columns: {}, primaryKey: "", indexes: [], foreignKeys: [] };
    return shape.tables[name];
  };
  for (const row of columns.rows)
    tableOf(row.table).columns[row.column] = `${row.type}${row.not_null ? " not null" : ""}`;

  const indexes = await client.query<{
    table: string;
    is_unique: boolean;
    is_primary: boolean;
    columns: string[];
    predicate: string | null;
  }>(`
    SELECT t.relname AS table, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
      pg_get_expr(ix.indpred, ix.indrelid) AS predicate,
      array_agg(a.attname || CASE WHEN k.opt & 1 = 1 THEN ' desc' ELSE '' END ORDER BY k.ord)::text[] AS columns
    FROM pg_index ix
    JOIN pg_class t ON t.oid = ix.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    CROSS JOIN LATERAL unnest(ix.indkey::int2[], ix.indoption::int2[]) WITH ORDINALITY AS k(attnum, opt, ord)
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
    WHERE n.nspname = current_schema() AND t.relname <> '_prisma_migrations'
    GROUP BY ix.indexrelid, t.relname, ix.indisunique, ix.indisprimary, ix.indpred, ix.indrelid`);
  for (const row of indexes.rows) {
    const table = tableOf(row.table);
    const columnsText = `(${row.columns.join(", ")})`;
    if (row.is_primary) table.primaryKey = columnsText;
    else table.indexes.push(describeIndex(row.is_unique, row.columns, row.predicate));
  }

  const foreignKeys = await client.query<{
    table: string;
    columns: string[];
    target: string;
    target_columns: string[];
    on_delete: string;
  }>(`
    SELECT t.relname AS table, ft.relname AS target, con.confdeltype AS on_delete,
      (SELECT array_agg(a.attname ORDER BY k.ord)::text[] FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns,
      (SELECT array_agg(a.attname ORDER BY k.ord)::text[] FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS target_columns
    FROM pg_constraint con
    JOIN pg_class t ON t.oid = con.conrelid JOIN pg_class ft ON ft.oid = con.confrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE con.contype = 'f' AND n.nspname = current_schema()`);
  const actions: Record<string, string> = {
    a: "no action",
    r: "restrict",
    c: "cascade",
    n: "set null",
    d: "set default",
  };
  for (const row of foreignKeys.rows)
    tableOf(row.table).foreignKeys.push(
      describeForeignKey(
        row.columns,
        row.target,
        row.target_columns,
        actions[row.on_delete] ?? row.on_delete,
      ),
    );

  for (const table of Object.values(shape.tables)) {
    table.indexes.sort();
    table.foreignKeys.sort();
  }
  return shape;
}

/** `index (a, b desc)`, `unique (a)`, or a partial index's `index (a) where <predicate>`. */
function describeIndex(unique: boolean, columns: string[], predicate: string | null | undefined): string {
  const where = predicate ? ` where ${normalisePredicate(predicate)}` : "";
  return `${unique ? "unique" : "index"} (${columns.join(", ")})${where}`;
}

/**
 * The predicates of the schema's partial indexes (`@@index([...], map: "name", where: raw("..."))`),
 * by index name: Prisma's DMMF does not carry them, so they are read from the schema text.
 */
function indexPredicates(schemaText: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of schemaText.matchAll(
    /@@(?:index|unique)\(.*map:\s*"([^"]+)".*where:\s*raw\("([^"]+)"\)/g,
  ))
    if (match[1] && match[2]) found.set(match[1], match[2]);
  return found;
}

/** One spelling for a predicate as written in the schema and as PostgreSQL prints it back. */
function normalisePredicate(predicate: string): string {
  return predicate.replace(/[()]/g, "").replace(/\s+/g, " ").trim().toLowerCase();
}

function describeForeignKey(
  columns: string[],
  target: string,
  targetColumns: string[],
  onDelete: string,
): string {
  return `(${columns.join(", ")}) → ${target}(${targetColumns.join(", ")}) on delete ${onDelete}`;
}

/** Every difference between the schema and the database, as readable lines; empty when in sync. */
export function diffSchemaShapes(expected: SchemaShape, actual: SchemaShape): string[] {
  const problems: string[] = [];
  for (const name of union(Object.keys(expected.enums), Object.keys(actual.enums))) {
    const want = expected.enums[name];
    const have = actual.enums[name];
    if (!have) problems.push(`enum ${name}: missing in database`);
    else if (!want) problems.push(`enum ${name}: in database but not in the Prisma schema`);
    else if (want.join(",") !== have.join(","))
      problems.push(`enum ${name}: schema has [${want.join(", ")}], database has [${have.join(", ")}]`);
  }
  for (const name of union(Object.keys(expected.tables), Object.keys(actual.tables))) {
    const want = expected.tables[name];
    const have = actual.tables[name];
    if (!have) {
      problems.push(`table ${name}: missing in database`);
      continue;
    }
    if (!want) {
      problems.push(`table ${name}: in database but not in the Prisma schema`);
      continue;
    }
    for (const column of union(Object.keys(want.columns), Object.keys(have.columns))) {
      const wantType = want.columns[column];
      const haveType = have.columns[column];
      if (wantType !== haveType)
        problems.push(
          `column ${name}.${column}: schema says ${wantType ?? "(absent)"}, database has ${haveType ?? "(absent)"}`,
        );
    }
    if (want.primaryKey !== have.primaryKey)
      problems.push(
        `table ${name}: primary key ${want.primaryKey || "(none)"} in schema, ${have.primaryKey || "(none)"} in database`,
      );
    for (const [label, wantList, haveList] of [
      ["index", want.indexes, have.indexes],
      ["foreign key", want.foreignKeys, have.foreignKeys],
    ] as const) {
      for (const item of wantList)
        if (!haveList.includes(item)) problems.push(`${label} ${name} ${item}: missing in database`);
      for (const item of haveList)
        if (!wantList.includes(item)) problems.push(`${label} ${name} ${item}: not in the Prisma schema`);
    }
  }
  return problems;
}

/** Compares the database behind `client` with the Prisma schema file. */
export async function detectSchemaDrift(
  client: pg.Client | pg.Pool,
  schemaFile = DEFAULT_SCHEMA_FILE,
): Promise<string[]> {
  const expected = schemaShapeFromPrisma(readFileSync(schemaFile, "utf8"));
  return diffSchemaShapes(expected, await schemaShapeFromDatabase(client));
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}
