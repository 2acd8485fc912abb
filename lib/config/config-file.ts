// Reading a YAML configuration file (chains.yaml, rates.yaml): every failure is a ConfigError that
// names the file, and for an invalid value the path inside it and the reason.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { ConfigError } from "./env";

/** The text of a configuration file and its absolute path; `what` names it in the error. */
export function readConfigFile(file: string, what: string): { path: string; text: string } {
  const path = resolve(file);
  try {
    return { path, text: readFileSync(path, "utf8") };
  } catch (error) {
    throw new ConfigError(`${path}: cannot read ${what}`, { cause: error });
  }
}

/** YAML text as a value; a syntax error names the file. */
export function parseYamlConfig(text: string, file: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    if (error instanceof YAMLParseError) throw new ConfigError(`${file}: invalid YAML: ${error.message}`);
    throw error;
  }
}

/** The value validated by `schema`, or one ConfigError with a line per problem (`path: reason`). */
export function validateConfig<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (issue) => `  ${formatPath(issue.path) || "(root)"}: ${issue.message}`,
  );
  throw new ConfigError(`${file} is invalid:\n${lines.join("\n")}`);
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (out, part) =>
      typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part),
    "",
  );
}
