// ops/prometheus/alerts.yml and ops/grafana/ctrip-pay.json, validated without promtool: the rule
// file's structure, and every metric an expression reads is one the gateway exports (the families
// of a real scrape once the app's modules are loaded).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { metricFamilies } from "../testing/metrics-text";
import { promqlMetricNames, seriesNames } from "../testing/promql-names";
import { renderMetrics } from "./render-metrics";

const root = join(import.meta.dirname, "..", "..");

const ZRule = z
  .object({
    alert: z.string().regex(/^Ctrip[A-Za-z0-9]+$/),
    expr: z.string().min(1),
    for: z
      .string()
      .regex(/^\d+[smhd]$/)
      .optional(),
    labels: z.object({ severity: z.enum(["page", "ticket"]) }).catchall(z.string()),
    annotations: z.object({ summary: z.string().min(1) }).catchall(z.string()),
  })
  .strict();
const ZRuleFile = z.object({
  groups: z.array(z.object({ name: z.string().min(1), rules: z.array(ZRule).min(1) }).strict()).min(1),
});

const alertRules = () =>
  ZRuleFile.parse(parse(readFileSync(join(root, "ops/prometheus/alerts.yml"), "utf8"))).groups.flatMap(
    (group) => group.rules,
  );

type Panel = {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; refId: string }[];
};
const dashboard = () =>
  JSON.parse(readFileSync(join(root, "ops/grafana/ctrip-pay.json"), "utf8")) as {
    uid: string;
    title: string;
    panels: Panel[];
  };

let database: TestDatabase;
let exported: Set<string>;
beforeAll(async () => {
  database = await createTestDatabase();
  // The app's modules declare their families in the process registry (lib/metrics/registry.ts)
  // and the database gauges are rendered on every scrape, samples or not: a scrape lists them all.
  await import("../http/api-route");
  exported = seriesNames(
    metricFamilies(await renderMetrics({ db: database.db, chains: [{ name: "local" }] })),
  );
});
afterAll(() => database.drop());

describe("promqlMetricNames", () => {
  it("keeps metric names and drops functions, labels, strings, ranges, keywords and numbers", () => {
    expect(
      promqlMetricNames(
        'histogram_quantile(0.99, sum by (le, route) (rate(a_seconds_bucket{route=~"/api/.*", x="by"}[5m]))) > 1e3',
      ),
    ).toEqual(["a_seconds_bucket"]);
    expect(
      promqlMetricNames("sum(rate(a_total[5m])) by (job) / on(instance) group_left b unless c offset 5m"),
    ).toEqual(["a_total", "b", "c"]);
    expect(promqlMetricNames("max without (chain) (x) > bool 0 and y == inf")).toEqual(["x", "y"]);
    expect(promqlMetricNames("sum(rate(x[5m:1m] @ 1700000000))")).toEqual(["x"]);
  });

  it("maps _bucket, _sum and _count onto histograms only", () => {
    const names = seriesNames(
      new Map([
        ["h_seconds", "histogram"],
        ["g", "gauge"],
      ]),
    );
    expect([...names].sort()).toEqual(["g", "h_seconds_bucket", "h_seconds_count", "h_seconds_sum"]);
  });
});

describe("ops/prometheus/alerts.yml", () => {
  it("is a Prometheus rule file whose alerts have unique names", () => {
    const names = alertRules().map((rule) => rule.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const required of [
      "CtripScannerLagging",
      "CtripRpcCircuitOpen",
      "CtripDeepReorg",
      "CtripSweepsPaused",
      "CtripGasTankLow",
      "CtripWebhookFailureRate",
      "CtripApi5xxRate",
      "CtripApiLatencyP99",
      "CtripDbPoolSaturated",
      "CtripJobFailing",
    ])
      expect(names).toContain(required);
  });

  it("reads only metrics the gateway exports", () => {
    for (const rule of alertRules()) {
      const names = promqlMetricNames(rule.expr);
      expect(names.length, rule.alert).toBeGreaterThan(0);
      for (const name of names) expect(exported.has(name), `${rule.alert}: ${name}`).toBe(true);
    }
  });

  it("would fail on an alert reading a metric that does not exist", () => {
    const names = promqlMetricNames('sum(rate(ctrip_http_requests_totl{status_class="5xx"}[5m])) > 0');
    expect(names.filter((name) => !exported.has(name))).toEqual(["ctrip_http_requests_totl"]);
    // A histogram is read through its series, not its family name.
    expect(exported.has("ctrip_http_request_duration_seconds")).toBe(false);
    expect(exported.has("ctrip_http_request_duration_seconds_bucket")).toBe(true);
  });
});

describe("ops/prometheus/prometheus.yml", () => {
  it("loads alerts.yml and scrapes the apps' /api/metrics and the worker's port with the token", () => {
    const config = parse(readFileSync(join(root, "ops/prometheus/prometheus.yml"), "utf8")) as {
      rule_files: string[];
      scrape_configs: {
        metrics_path: string;
        authorization: { credentials_file: string };
        dns_sd_configs: { port: number }[];
      }[];
    };
    expect(config.rule_files).toEqual(["/etc/prometheus/alerts.yml"]);
    const compose = parse(readFileSync(join(root, "docker-compose.yml"), "utf8")) as {
      services: Record<string, { environment?: Record<string, string> }>;
    };
    expect(
      config.scrape_configs.map((job) => [
        job.metrics_path,
        job.dns_sd_configs[0]?.port,
        job.authorization.credentials_file,
      ]),
    ).toEqual([
      ["/api/metrics", 3000, "/etc/prometheus/metrics-token"],
      [
        "/metrics",
        Number(compose.services.worker?.environment?.WORKER_METRICS_PORT),
        "/etc/prometheus/metrics-token",
      ],
    ]);
  });
});

describe("ops/grafana/ctrip-pay.json", () => {
  it("is an importable dashboard: unique panel ids, a 24-column grid, a query per panel", () => {
    const { uid, title, panels } = dashboard();
    expect(uid).toBe("ctrip-pay");
    expect(title).toBe("cTrip Pay");
    const ids = panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      if (panel.type !== "row") expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
  });

  it("queries only exported metrics, and shows every metric an alert reads", () => {
    const shown = new Set<string>();
    for (const panel of dashboard().panels)
      for (const target of panel.targets ?? [])
        for (const name of promqlMetricNames(target.expr)) {
          expect(exported.has(name), `${panel.title}: ${name}`).toBe(true);
          shown.add(name);
        }
    for (const rule of alertRules())
      for (const name of promqlMetricNames(rule.expr))
        expect(shown.has(name), `${rule.alert}: ${name}`).toBe(true);
  });
});
