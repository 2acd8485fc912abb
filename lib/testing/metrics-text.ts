// Reading the Prometheus text format (0.0.4) in tests: samples with their labels, and the families.

export type MetricSample = { name: string; labels: Record<string, string>; value: number };

/** Every sample line of a scrape. */
export function parseSamples(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g))
      labels[key as string] = (value as string).replace(/\\n/g, "\n").replace(/\\(.)/g, "$1");
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The families a scrape declares (`# TYPE name type`), by name. */
export function metricFamilies(text: string): Map<string, string> {
  return new Map(
    [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1] as string, match[2] as string]),
  );
}

/** The sum of the samples named `name` whose labels include `labels` (0 when none). */
export function sampleSum(text: string, name: string, labels: Record<string, string> = {}): number {
  return parseSamples(text)
    .filter(
      (sample) =>
        sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** An object id (`pay_…`, random letters and digits), a 0x address or hash, a UUID, or a long digit run. */
export function looksLikeAnId(value: string): boolean {
  return (
    /\b[a-z]{2,6}_(?=[A-Za-z]*[0-9])[A-Za-z0-9]{10,}\b/.test(value) ||
    /0x[0-9a-fA-F]{8,}/.test(value) ||
    /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/.test(value) ||
    /\d{6,}/.test(value)
  );
}
