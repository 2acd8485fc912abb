import { Counter, Gauge, Registry } from "prom-client";
import { rpcEndpointStatuses } from "../chains/public-client";
import { configuredChains, type TChain } from "../config/chains";
import { type Db, db as defaultDb } from "../db/client";
import { countDeepReorgs } from "../health/chain-incidents";
import { allScannerCounters } from "../scanner/scanner-metrics";
import { processRegistry } from "./registry";

export type RenderMetricsDeps = { db?: Db; chains?: Pick<TChain, "name">[]; now?: () => Date };

type Sample = { labels: Record<string, string>; value: bigint | number };
type Family = { name: string; type: "gauge" | "counter"; help: string; samples: Sample[] };

/**
 * `/api/metrics` in the Prometheus text format (0.0.4), rendered by prom-client: the gauges read
 * from the database at each scrape (a registry of their own, built per scrape), then this process's
 * registry (lib/metrics/registry.ts: request, query, RPC, job and webhook instruments, Node.js
 * default metrics). Chain heads, scan progress, lag and payment/payout/sweep/transfer counts come
 * from the database, so every instance reports the same figures; reorgs handled and RPC errors are
 * counted by this process's scanner since it started.
 */
export async function renderMetrics(deps: RenderMetricsDeps = {}): Promise<string> {
  const scraped = new Registry();
  for (const family of await databaseFamilies(deps)) register(scraped, family);
  return `${await scraped.metrics()}\n${await processRegistry().metrics()}`;
}

/** The figures read from the database (and this process's scanner and RPC pools) at a scrape. */
async function databaseFamilies(deps: RenderMetricsDeps): Promise<Family[]> {
  const db = deps.db ?? defaultDb();
  const chains = deps.chains ?? configuredChains();
  const now = deps.now?.() ?? new Date();
  const names = chains.map((chain) => chain.name);
  const [cursors, transfers, payments, payouts, sweeps, deepReorgs, pausedTransactions, webhooks] =
    await Promise.all([
      db.chainCursor.findMany({
        where: { chain: { in: names } },
        select: {
          chain: true,
          headBlock: true,
          lastScannedBlock: true,
          lastErrorAt: true,
          headUpdatedAt: true,
          scannedAt: true,
        },
      }),
      db.transfer.groupBy({
        by: ["chain", "status"],
        where: { chain: { in: names } },
        _count: { _all: true },
      }),
      db.payment.groupBy({
        by: ["chain", "status"],
        where: { chain: { in: names } },
        _count: { _all: true },
      }),
      db.payout.groupBy({ by: ["chain", "status"], where: { chain: { in: names } }, _count: { _all: true } }),
      db.sweep.groupBy({
        by: ["chain", "status", "pausedReason"],
        where: { chain: { in: names } },
        _count: { _all: true },
      }),
      countDeepReorgs(db),
      db.outgoingTransaction.groupBy({
        by: ["chain", "purpose", "pausedReason"],
        where: { chain: { in: names }, status: "paused" },
        _count: { _all: true },
      }),
      // Pending deliveries only (index on status, next_attempt_at): the backlog and its oldest event.
      db.webhookDelivery.aggregate({
        where: { status: "pending" },
        _count: { _all: true },
        _min: { createdAt: true },
      }),
    ]);
  const counters = allScannerCounters();

  const perChain = (value: (chain: string) => bigint | number | null): Sample[] =>
    names.flatMap((chain) => {
      const sample = value(chain);
      return sample === null ? [] : [{ labels: { chain }, value: sample }];
    });
  const cursorOf = (chain: string) => cursors.find((cursor) => cursor.chain === chain);
  const families: Family[] = [
    {
      name: "ctrip_chain_head_block",
      type: "gauge",
      help: "Latest block number read from the chain's RPC.",
      samples: perChain((chain) => cursorOf(chain)?.headBlock ?? null),
    },
    {
      name: "ctrip_chain_last_scanned_block",
      type: "gauge",
      help: "Last block the scanner committed.",
      samples: perChain((chain) => cursorOf(chain)?.lastScannedBlock ?? null),
    },
    {
      name: "ctrip_chain_lag_blocks",
      type: "gauge",
      help: "Blocks between the head and the last scanned block.",
      samples: perChain((chain) => {
        const cursor = cursorOf(chain);
        if (cursor?.headBlock == null || cursor.lastScannedBlock == null) return null;
        return cursor.headBlock > cursor.lastScannedBlock ? cursor.headBlock - cursor.lastScannedBlock : 0n;
      }),
    },
    {
      name: "ctrip_chain_scan_age_seconds",
      type: "gauge",
      help: "Seconds since the chain's watcher last finished a scan tick (a stalled scanner grows it).",
      samples: perChain((chain) => {
        const scannedAt = cursorOf(chain)?.scannedAt;
        return scannedAt ? Math.max(0, (now.getTime() - scannedAt.getTime()) / 1_000) : null;
      }),
    },
    {
      name: "ctrip_chain_rpc_up",
      type: "gauge",
      help: "1 when the chain's last RPC read succeeded, 0 when it failed.",
      samples: perChain((chain) => {
        const cursor = cursorOf(chain);
        if (!cursor) return null;
        return cursor.lastErrorAt && (!cursor.headUpdatedAt || cursor.lastErrorAt > cursor.headUpdatedAt)
          ? 0
          : 1;
      }),
    },
    {
      name: "ctrip_chain_deep_reorgs_total",
      type: "counter",
      help: "Reorganisations deeper than the chain's confirmations (incidents recorded, acknowledged or not).",
      samples: perChain((chain) => deepReorgs.get(chain) ?? 0),
    },
    {
      name: "ctrip_transfers_detected_total",
      type: "counter",
      help: "Transfers to deposit addresses recorded by the scanner, by current status.",
      samples: byChainAndStatus(transfers),
    },
    {
      name: "ctrip_payments",
      type: "gauge",
      help: "Payments by status.",
      samples: byChainAndStatus(payments),
    },
    {
      name: "ctrip_payouts",
      type: "gauge",
      help: "Payouts by status.",
      samples: byChainAndStatus(payouts),
    },
    {
      name: "ctrip_webhook_deliveries_pending",
      type: "gauge",
      help: "Webhook deliveries not yet delivered and still to be retried (the backlog).",
      samples: [{ labels: {}, value: webhooks._count._all }],
    },
    {
      name: "ctrip_webhook_oldest_pending_seconds",
      type: "gauge",
      help: "Age of the oldest pending webhook delivery (0 when none is pending).",
      samples: [
        {
          labels: {},
          value: webhooks._min.createdAt
            ? Math.max(0, (now.getTime() - webhooks._min.createdAt.getTime()) / 1_000)
            : 0,
        },
      ],
    },
    {
      name: "ctrip_sweeps",
      type: "gauge",
      help: "Sweeps by status.",
      samples: sumBy(sweeps, (row) => ({ chain: row.chain, status: row.status })),
    },
    {
      name: "ctrip_sweeps_paused",
      type: "gauge",
      help: "Open sweeps paused until the operator acts (gas_tank_insufficient: fund the gas tank; token_paused, sender_blacklisted, recipient_blacklisted: the token refuses the transfer).",
      samples: [
        ...perChain((chain) =>
          sweeps.some((row) => row.chain === chain && row.pausedReason !== null) ? null : 0,
        ).map((sample) => ({ ...sample, labels: { ...sample.labels, reason: "gas_tank_insufficient" } })),
        ...sumBy(
          sweeps.filter(
            (row) => row.pausedReason !== null && row.status !== "confirmed" && row.status !== "failed",
          ),
          (row) => ({ chain: row.chain, reason: row.pausedReason ?? "" }),
        ),
      ],
    },
    {
      name: "ctrip_outgoing_transactions_paused",
      type: "gauge",
      help:
        "Outgoing transactions (sweeps, payouts, gas top-ups) stuck past the chain's replacement policy " +
        "(reason max_replacements or fee_ceiling): an operator looks (lib/transactions).",
      samples: [
        ...perChain((chain) => (pausedTransactions.some((row) => row.chain === chain) ? null : 0)),
        ...sumBy(pausedTransactions, (row) => ({
          chain: row.chain,
          purpose: row.purpose,
          reason: row.pausedReason ?? "",
        })),
      ],
    },
    {
      name: "ctrip_scanner_reorgs_handled_total",
      type: "counter",
      help: "Chain reorganisations handled by this process's scanner.",
      samples: perChain((chain) => counters.get(chain)?.reorgsHandled ?? 0),
    },
    {
      name: "ctrip_scanner_rpc_errors_total",
      type: "counter",
      help: "Failed scan ticks (RPC errors) in this process.",
      samples: perChain((chain) => counters.get(chain)?.rpcErrors ?? 0),
    },
    {
      name: "ctrip_scanner_ranges_scanned_total",
      type: "counter",
      help: "Block ranges scanned and committed by this process.",
      samples: perChain((chain) => counters.get(chain)?.rangesScanned ?? 0),
    },
    ...rpcFamilies(names),
  ];
  return families;
}

const BREAKER_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

/** Each RPC URL of each chain as this process's client sees it (lib/chains/rpc-pool.ts), by URL index. */
function rpcFamilies(chains: string[]): Family[] {
  const endpoints = chains.flatMap((chain) =>
    (rpcEndpointStatuses(chain) ?? []).map((status) => ({
      labels: { chain, url_index: String(status.index) },
      status,
    })),
  );
  return [
    {
      name: "ctrip_rpc_breaker_state",
      type: "gauge",
      help: "Circuit breaker of an RPC URL: 0 closed, 1 half-open (probing), 2 open (skipped for a cool-down).",
      samples: endpoints.map(({ labels, status }) => ({ labels, value: BREAKER_VALUE[status.state] })),
    },
    {
      name: "ctrip_rpc_demoted",
      type: "gauge",
      help: "1 when an RPC URL answers but is not read from (reason: lagging, fork, wrong_chain).",
      samples: endpoints.map(({ labels, status }) => ({
        labels: { ...labels, reason: status.demoted ?? "none" },
        value: status.demoted ? 1 : 0,
      })),
    },
    {
      name: "ctrip_rpc_latency_seconds",
      type: "gauge",
      help: "Moving average of an RPC URL's answer time.",
      samples: endpoints.flatMap(({ labels, status }) =>
        status.latency_ms === null ? [] : [{ labels, value: status.latency_ms / 1_000 }],
      ),
    },
    {
      name: "ctrip_rpc_consecutive_failures",
      type: "gauge",
      help: "Transport failures (errors, timeouts) of an RPC URL since its last success.",
      samples: endpoints.map(({ labels, status }) => ({ labels, value: status.consecutive_failures })),
    },
  ];
}

/** Counts of rows grouped by chain and status, one sample each. */
function byChainAndStatus(rows: { chain: string; status: string; _count: { _all: number } }[]): Sample[] {
  return rows.map((row) => ({ labels: { chain: row.chain, status: row.status }, value: row._count._all }));
}

/** Counts of grouped rows summed under the given labels. */
function sumBy<Row extends { _count: { _all: number } }>(
  rows: Row[],
  labelsOf: (row: Row) => Record<string, string>,
): Sample[] {
  const samples = new Map<string, Sample>();
  for (const row of rows) {
    const labels = labelsOf(row);
    const key = JSON.stringify(labels);
    const sample = samples.get(key) ?? { labels, value: 0 };
    sample.value = Number(sample.value) + row._count._all;
    samples.set(key, sample);
  }
  return [...samples.values()];
}

/** A family as a prom-client gauge or counter of `registry`, labelled by the union of its samples' labels. */
function register(registry: Registry, family: Family): void {
  const labelNames = [...new Set(family.samples.flatMap((sample) => Object.keys(sample.labels)))];
  // No sample: still labelled, or prom-client would render an unlabelled 0.
  if (family.samples.length === 0) labelNames.push("chain");
  const options = { name: family.name, help: family.help, labelNames, registers: [registry] };
  if (family.type === "counter") {
    const counter = new Counter(options);
    for (const sample of family.samples) counter.inc(sample.labels, Number(sample.value));
  } else {
    const gauge = new Gauge(options);
    for (const sample of family.samples) gauge.set(sample.labels, Number(sample.value));
  }
}
