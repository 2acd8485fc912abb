// The metric names a PromQL expression reads, without promtool: a small tokenizer that drops
// strings, label matchers, ranges, grouping clauses, functions, keywords and numbers.

const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "offset",
  "bool",
  "inf",
  "nan",
  "start",
  "end",
]);

/** Metric names referenced by `expression`, in order of appearance, without duplicates. */
export function promqlMetricNames(expression: string): string[] {
  const stripped = expression
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, " ") // string literals
    .replace(/#[^\n]*/g, " ") // comments
    .replace(/\{[^}]*\}/g, " ") // label matchers
    .replace(/\[[^\]]*\]/g, " ") // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, " ") // grouping labels
    .replace(/\boffset\s+-?[\d.]+[a-z]+/gi, " ")
    .replace(/@\s*[\d.]+/g, " ");
  const names: string[] = [];
  for (const match of stripped.matchAll(
    /(\d+(?:\.\d+)?(?:e[+-]?\d+)?|0x[0-9a-f]+)|([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/gi,
  )) {
    const [, number, identifier, call] = match;
    if (number !== undefined || identifier === undefined || call !== undefined) continue; // numbers, functions
    if (KEYWORDS.has(identifier.toLowerCase())) continue;
    if (!names.includes(identifier)) names.push(identifier);
  }
  return names;
}

/**
 * The series names a scrape's families stand for: a counter or gauge its own name, a histogram
 * `_bucket`, `_sum` and `_count`, a summary its name, `_sum` and `_count`.
 */
export function seriesNames(families: ReadonlyMap<string, string>): Set<string> {
  const names = new Set<string>();
  for (const [name, type] of families) {
    if (type === "histogram")
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${name}${suffix}`);
    else if (type === "summary") for (const suffix of ["", "_sum", "_count"]) names.add(`${name}${suffix}`);
    else names.add(name);
  }
  return names;
}
