import { z } from "zod";
import { rpcEndpointStatuses } from "../chains/public-client";
import { hostOf } from "../chains/rpc-endpoint";
import { configuredChains, type TChain } from "../config/chains";
import { type Db, db as defaultDb } from "../db/client";
import { type RateSources, ZRateSourceStatus } from "../rates/rate-sources";
import { sharedRateSources } from "../rates/shared-rate-sources";
import { listOpenChainIncidents, ZChainIncident } from "./chain-incidents";

export const ZChainHealth = z.object({
  name: z.string(),
  chain_id: z.number().int(),
  /** ok: head fresh; stale: no head recorded recently; error: the last RPC call failed; unknown: never reached. */
  status: z.enum(["ok", "stale", "error", "unknown"]),
  head_block: z.string().nullable(),
  head_updated_at: z.string().nullable(),
  last_scanned_block: z.string().nullable(),
  lag_blocks: z.string().nullable(),
  last_error: z.string().nullable(),
  /**
   * Each RPC URL as this process sees it (lib/chains/rpc-pool.ts): its circuit breaker, chain id
   * check, head and whether it is demoted; `unknown` before this process has called the chain.
   */
  rpc: z.array(
    z.object({
      index: z.number().int(),
      /** Scheme and host only: provider keys in paths or query strings are never shown. */
      host: z.string(),
      state: z.enum(["closed", "open", "half_open", "unknown"]),
      chain_id_verified: z.boolean(),
      demoted: z.enum(["lagging", "fork", "wrong_chain"]).nullable(),
      head_block: z.string().nullable(),
      latency_ms: z.number().nullable(),
      consecutive_failures: z.number().int(),
      retry_at: z.string().nullable(),
      last_error: z.string().nullable(),
      last_error_at: z.string().nullable(),
    }),
  ),
});

/** Sweeps of one chain: open (not yet confirmed) and paused until the operator acts. */
export const ZSettlementHealth = z.object({
  chain: z.string(),
  /**
   * ok: nothing paused; paused: sweeps wait for the operator (e.g. an underfunded gas tank), or an
   * outgoing transaction (sweep, payout, gas top-up) is stuck past the chain's replacement policy.
   */
  status: z.enum(["ok", "paused"]),
  open_sweeps: z.number().int(),
  paused_sweeps: z.number().int(),
  /** Why sweeps are paused, e.g. "gas tank 0x… on local holds … wei …: fund the gas tank". */
  last_error: z.string().nullable(),
});

export const ZHealth = z.object({
  status: z.enum(["ok", "degraded", "down"]),
  database: z.object({ status: z.enum(["up", "down"]) }),
  chains: z.array(ZChainHealth),
  settlement: z.array(ZSettlementHealth),
  /**
   * What the chains did that needs the operator (reorgs deeper than the confirmations, reorgs after
   * settlement), until the operator acknowledges them (`npm run admin -- incidents ack`; a merchant's
   * own incident also when that merchant does on its dashboard): the gateway is degraded meanwhile.
   */
  incidents: z.array(ZChainIncident.omit({ payment_id: true })),
  /**
   * Each exchange-rate source of rates.yaml as this process sees it (its circuit breaker).
   * Informational: a price-API outage leaves pegged stablecoins working and refuses only payments
   * whose rate is stale (503 rate_unavailable), so it does not degrade the gateway.
   */
  rate_sources: z.array(ZRateSourceStatus),
});
export type THealth = z.infer<typeof ZHealth>;

export type GetHealthDeps = { db?: Db; chains?: TChain[]; now?: Date; rateSources?: RateSources };

const DATABASE_TIMEOUT_MS = 2_000;

/**
 * Gateway health for `/api/health`: database reachability and, per chain, the head block and errors
 * the background jobs recorded (chain_cursors). Block numbers are decimal strings (they are bigints).
 */
export async function getHealth(deps: GetHealthDeps = {}): Promise<THealth> {
  const chains = deps.chains ?? configuredChains();
  const now = deps.now ?? new Date();
  const cursors = await readCursors(deps.db);
  const rateSources = (deps.rateSources ?? sharedRateSources()).statuses();
  const down = (): THealth => ({
    status: "down",
    database: { status: "down" },
    chains: chains.map((chain) => ({
      name: chain.name,
      chain_id: chain.chainId,
      status: "unknown",
      head_block: null,
      head_updated_at: null,
      last_scanned_block: null,
      lag_blocks: null,
      last_error: null,
      rpc: rpcHealth(chain),
    })),
    settlement: [],
    incidents: [],
    rate_sources: rateSources,
  });
  if (!cursors) return down();

  const chainHealth = chains.map((chain): z.infer<typeof ZChainHealth> => {
    const cursor = cursors.find((row) => row.chain === chain.name);
    const head = cursor?.headBlock ?? null;
    const scanned = cursor?.lastScannedBlock ?? null;
    return {
      name: chain.name,
      chain_id: chain.chainId,
      status: chainStatus(chain, cursor, now),
      head_block: head?.toString() ?? null,
      head_updated_at: cursor?.headUpdatedAt?.toISOString() ?? null,
      last_scanned_block: scanned?.toString() ?? null,
      lag_blocks:
        head !== null && scanned !== null ? (head > scanned ? head - scanned : 0n).toString() : null,
      last_error: cursor?.lastError ?? null,
      rpc: rpcHealth(chain),
    };
  });
  // The database may go away between the first query and these: that is "down", not a 500.
  const rest = await Promise.all([
    readSettlementHealth(deps.db, chains),
    listOpenChainIncidents(deps.db ?? defaultDb()),
  ]).catch(() => null);
  if (!rest) return down();
  const [settlement, incidents] = rest;
  return {
    status:
      chainHealth.every((chain) => chain.status === "ok" && chain.rpc.every(rpcHealthy)) &&
      settlement.every((chain) => chain.status === "ok") &&
      incidents.length === 0
        ? "ok"
        : "degraded",
    database: { status: "up" },
    chains: chainHealth,
    settlement,
    incidents: incidents.map(({ payment_id: _, ...incident }) => incident),
    rate_sources: rateSources,
  };
}

const OPEN_SWEEP_STATUSES = ["pending", "funding_gas", "gas_funded", "transferring"] as const;

/**
 * Open and paused sweeps per chain (one grouped query, plus the latest pause reason per paused
 * chain), and outgoing transactions paused by the replacement policy (lib/transactions).
 */
async function readSettlementHealth(
  client: Db | undefined,
  chains: TChain[],
): Promise<z.infer<typeof ZSettlementHealth>[]> {
  const database = client ?? defaultDb();
  const names = chains.map((chain) => chain.name);
  const groups = await database.sweep.groupBy({
    by: ["chain", "pausedReason"],
    where: { chain: { in: names }, status: { in: [...OPEN_SWEEP_STATUSES] } },
    _count: { _all: true },
  });
  const pausedTransactions = await database.outgoingTransaction.findMany({
    where: { chain: { in: names }, status: "paused" },
    orderBy: { signedAt: "desc" },
    distinct: ["chain"],
    select: { chain: true, lastError: true },
  });
  return Promise.all(
    chains.map(async (chain) => {
      const pausedTransaction = pausedTransactions.find((row) => row.chain === chain.name);
      const rows = groups.filter((group) => group.chain === chain.name);
      const open = rows.reduce((sum, row) => sum + row._count._all, 0);
      const paused = rows
        .filter((row) => row.pausedReason !== null)
        .reduce((sum, row) => sum + row._count._all, 0);
      const latest =
        paused > 0
          ? await database.sweep.findFirst({
              where: {
                chain: chain.name,
                status: { in: [...OPEN_SWEEP_STATUSES] },
                pausedReason: { not: null },
              },
              orderBy: { updatedAt: "desc" },
              select: { lastError: true },
            })
          : null;
      return {
        chain: chain.name,
        status: paused > 0 || pausedTransaction ? ("paused" as const) : ("ok" as const),
        open_sweeps: open,
        paused_sweeps: paused,
        last_error: latest?.lastError ?? pausedTransaction?.lastError ?? null,
      };
    }),
  );
}

type Cursor = {
  chain: string;
  headBlock: bigint | null;
  headUpdatedAt: Date | null;
  lastScannedBlock: bigint | null;
  lastError: string | null;
  lastErrorAt: Date | null;
};

async function readCursors(client: Db | undefined): Promise<Cursor[] | null> {
  try {
    const database = client ?? defaultDb();
    const query = database.chainCursor.findMany({
      select: {
        chain: true,
        headBlock: true,
        headUpdatedAt: true,
        lastScannedBlock: true,
        lastError: true,
        lastErrorAt: true,
      },
    });
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("database timeout")), DATABASE_TIMEOUT_MS).unref(),
    );
    return await Promise.race([query, timeout]);
  } catch {
    return null;
  }
}

type RpcHealth = z.infer<typeof ZChainHealth>["rpc"][number];

/** The chain's RPC URLs as this process's client sees them, or `unknown` ones before its first call. */
function rpcHealth(chain: TChain): RpcHealth[] {
  return (
    rpcEndpointStatuses(chain.name) ??
    chain.rpcUrls.map((url, index) => ({
      index,
      host: hostOf(url),
      state: "unknown" as const,
      chain_id_verified: false,
      demoted: null,
      head_block: null,
      latency_ms: null,
      consecutive_failures: 0,
      retry_at: null,
      last_error: null,
      last_error_at: null,
    }))
  );
}

/** An open breaker or a demoted URL is lost redundancy: the gateway is degraded though it still reads. */
function rpcHealthy(endpoint: RpcHealth): boolean {
  return endpoint.state !== "open" && endpoint.demoted === null;
}

function chainStatus(
  chain: TChain,
  cursor: Cursor | undefined,
  now: Date,
): z.infer<typeof ZChainHealth>["status"] {
  if (!cursor?.headUpdatedAt) return cursor?.lastError ? "error" : "unknown";
  if (cursor.lastErrorAt && cursor.lastErrorAt > cursor.headUpdatedAt) return "error";
  // Heads are recorded every block time; several missed beats mean the jobs or the node stalled.
  const staleAfterMs = Math.max(30_000, chain.blockTime * 10_000);
  return now.getTime() - cursor.headUpdatedAt.getTime() > staleAfterMs ? "stale" : "ok";
}
