// fast-check arbitraries derived from the OpenAPI document's JSON Schemas: values that mostly fit
// the schema, with nasty strings (NUL bytes, huge numbers, lone surrogates, injection attempts)
// mixed in, and sometimes a property missing, added or of the wrong type.
import fc from "fast-check";
import type { JsonSchema } from "../openapi/build-openapi-document";

export type SchemaHints = {
  /** Resolves `#/components/schemas/…` references. */
  components: Record<string, JsonSchema>;
  /** Valid values for a property of this name (a configured chain, a real id …), tried often. */
  byName?: Record<string, readonly unknown[]>;
  /** Values worth trying for `format: uri` strings. */
  urls?: readonly string[];
  /** false: only values the schema allows (to get past validation); true (default): hostile ones too. */
  hostile?: boolean;
};

export const NASTY_STRINGS: readonly string[] = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "😀".repeat(40),
  "'; DROP TABLE payments; --",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "%00",
  "%",
  "-1",
  "0",
  "1e309",
  "NaN",
  "Infinity",
  "0x10",
  "1.",
  ".5",
  "12.5",
  "00012.50",
  "0.0000000000000000000000001",
  "9".repeat(100),
  "9".repeat(80),
  "1,5",
  " 1 ",
  "true",
  "null",
  "[]",
  "{}",
  "x".repeat(5000),
];

const NASTY_NUMBERS: readonly number[] = [
  0,
  -1,
  1.5,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  2 ** 31,
  2 ** 63,
];

/** Any JSON value, including deep and odd ones. */
export const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom<unknown>(...NASTY_STRINGS, ...NASTY_NUMBERS, null, true, [], {}),
);

export function arbitraryFromSchema(
  schema: JsonSchema | boolean,
  hints: SchemaHints,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (typeof schema === "boolean" || depth > 6) return anyJson;
  if (hints.hostile === false) return fitting(schema, hints, depth);
  // One in ten values of every node ignores the schema.
  return fc.oneof({ weight: 9, arbitrary: fitting(schema, hints, depth) }, { weight: 1, arbitrary: anyJson });
}

function fitting(schema: JsonSchema, hints: SchemaHints, depth: number): fc.Arbitrary<unknown> {
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.replace("#/components/schemas/", "");
    const target = hints.components[name];
    return target ? fitting(target, hints, depth) : anyJson;
  }
  const alternatives = (schema.anyOf ?? schema.oneOf) as (JsonSchema | boolean)[] | undefined;
  if (alternatives) return fc.oneof(...alternatives.map((s) => arbitraryFromSchema(s, hints, depth + 1)));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum))
    return hints.hostile === false
      ? fc.constantFrom(...schema.enum)
      : fc.oneof(fc.constantFrom(...schema.enum), fc.string({ maxLength: 12 }));
  const type = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (type.length > 1) return fc.oneof(...type.map((t) => fitting({ ...schema, type: t }, hints, depth)));
  switch (type[0]) {
    case "string":
      return stringFrom(schema, hints);
    case "integer":
      return fc.oneof(
        fc.integer({ min: (schema.minimum as number) ?? -1e6, max: (schema.maximum as number) ?? 1e6 }),
        hints.hostile === false ? fc.constant(schema.minimum ?? 1) : fc.constantFrom(...NASTY_NUMBERS),
      );
    case "number":
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(...NASTY_NUMBERS));
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      const items = (schema.items ?? true) as JsonSchema | boolean;
      return fc.array(arbitraryFromSchema(items, hints, depth + 1), {
        maxLength: Math.min(((schema.maxItems as number) ?? 8) + 2, 60),
      });
    }
    case "object":
      return objectFrom(schema, hints, depth);
    default:
      return anyJson;
  }
}

function stringFrom(schema: JsonSchema, hints: SchemaHints): fc.Arbitrary<unknown> {
  const maxLength = (schema.maxLength as number | undefined) ?? 64;
  const minLength = (schema.minLength as number | undefined) ?? 0;
  if (schema.format === "uri" && hints.urls?.length && hints.hostile === false)
    return fc.constantFrom(...hints.urls);
  if (schema.format === "date-time" && hints.hostile === false)
    return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (typeof schema.pattern === "string" && hints.hostile === false)
    return fc.stringMatching(new RegExp(schema.pattern));
  if (hints.hostile === false) return fc.string({ minLength, maxLength: Math.min(maxLength, 100) });
  const options: fc.Arbitrary<unknown>[] = [
    fc.string({ minLength, maxLength: Math.min(maxLength, 200) }),
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.constantFrom(...NASTY_STRINGS),
    fc.string({ minLength: maxLength + 1, maxLength: maxLength + 3 }),
  ];
  if (schema.format === "uri" && hints.urls?.length) options.push(fc.constantFrom(...hints.urls));
  if (schema.format === "date-time")
    options.push(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()));
  if (typeof schema.pattern === "string") options.push(fc.stringMatching(new RegExp(schema.pattern)));
  return fc.oneof(...options);
}

function objectFrom(schema: JsonSchema, hints: SchemaHints, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema | boolean>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) {
    const named = hints.byName?.[name];
    model[name] = named?.length
      ? fc.oneof(
          { weight: hints.hostile === false ? 8 : 3, arbitrary: fc.constantFrom(...named) },
          { weight: 2, arbitrary: arbitraryFromSchema(property, hints, depth + 1) },
        )
      : arbitraryFromSchema(property, hints, depth + 1);
  }
  // Usually the required keys are there, sometimes not.
  const record = fc.oneof(
    { weight: 4, arbitrary: fc.record(model, { requiredKeys: [...required] }) },
    { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
  );
  const extra = schema.additionalProperties;
  if (hints.hostile === false && !(extra && typeof extra === "object")) return record;
  const additional =
    extra && typeof extra === "object"
      ? hints.hostile === false
        ? fc.dictionary(
            fc.string({ minLength: 1, maxLength: 40 }),
            arbitraryFromSchema(extra, hints, depth + 1),
            {
              maxKeys: 5,
            },
          )
        : fc.dictionary(fc.string({ maxLength: 45 }), arbitraryFromSchema(extra, hints, depth + 1), {
            maxKeys: 55,
          })
      : fc.oneof(fc.constant({}), fc.dictionary(fc.string({ maxLength: 10 }), anyJson, { maxKeys: 2 }));
  return fc.tuple(record, additional).map(([known, more]) => ({ ...more, ...known }));
}
