// What the chain did that the operator must see (deep reorgs, reorgs after settlement): recorded by
// the scanner, shown by /api/health (degraded) and the dashboard until acknowledged, counted by
// /api/metrics.
import { z } from "zod";
import { type Actor, authorize } from "../access/actor";
import type { Db, Tx } from "../db/client";
import type { ChainIncidentKind } from "../db/generated/enums";
import { AppError } from "../errors";
import { newId } from "../ids";
import { notifyChainIncident } from "../notifications/notify";

export const ZChainIncident = z.object({
  id: z.string(),
  chain: z.string(),
  kind: z.enum(["deep_reorg", "reorged_after_settlement"]),
  payment_id: z.string().nullable(),
  depth: z.number().int(),
  ancestor_block: z.string().nullable(),
  orphaned_block: z.string().nullable(),
  detail: z.string(),
  created_at: z.string(),
});
export type TChainIncident = z.infer<typeof ZChainIncident>;

export type RecordChainIncidentParams = {
  chain: string;
  kind: ChainIncidentKind;
  merchantId?: string | null;
  paymentId?: string | null;
  depth: number;
  ancestorBlock?: bigint | null;
  ancestorHash?: string | null;
  orphanedBlock?: bigint | null;
  orphanedHash?: string | null;
  replacementHash?: string | null;
  detail: string;
  createdAt?: Date;
  /** The payments the incident touched (a deep reorg's reverted transfers): their merchants are told. */
  paymentIds?: readonly string[];
};

export async function recordChainIncident(tx: Tx | Db, params: RecordChainIncidentParams): Promise<string> {
  const id = newId("inc");
  await tx.chainIncident.create({
    data: {
      id,
      chain: params.chain,
      kind: params.kind,
      merchantId: params.merchantId ?? null,
      paymentId: params.paymentId ?? null,
      depth: params.depth,
      ancestorBlock: params.ancestorBlock ?? null,
      ancestorHash: params.ancestorHash ?? null,
      orphanedBlock: params.orphanedBlock ?? null,
      orphanedHash: params.orphanedHash ?? null,
      replacementHash: params.replacementHash ?? null,
      detail: params.detail,
      ...(params.createdAt ? { createdAt: params.createdAt } : {}),
    },
    select: { id: true },
  });
  await notifyChainIncident(tx, { ...params, id }, params.createdAt);
  return id;
}

const INCIDENT_SELECT = {
  id: true,
  chain: true,
  kind: true,
  paymentId: true,
  depth: true,
  ancestorBlock: true,
  orphanedBlock: true,
  detail: true,
  createdAt: true,
} as const;

type IncidentRow = {
  id: string;
  chain: string;
  kind: ChainIncidentKind;
  paymentId: string | null;
  depth: number;
  ancestorBlock: bigint | null;
  orphanedBlock: bigint | null;
  detail: string;
  createdAt: Date;
};

function serializeIncident(row: IncidentRow): TChainIncident {
  return {
    id: row.id,
    chain: row.chain,
    kind: row.kind,
    payment_id: row.paymentId,
    depth: row.depth,
    ancestor_block: row.ancestorBlock?.toString() ?? null,
    orphaned_block: row.orphanedBlock?.toString() ?? null,
    detail: row.detail,
    created_at: row.createdAt.toISOString(),
  };
}

/**
 * Incidents not yet acknowledged, newest first: all of them (health), or those a merchant sees
 * (chain-wide ones and its own payments').
 */
export async function listOpenChainIncidents(
  db: Db,
  options: { merchantId?: string; limit?: number } = {},
): Promise<TChainIncident[]> {
  const rows = await db.chainIncident.findMany({
    where: {
      acknowledgedAt: null,
      ...(options.merchantId ? { OR: [{ merchantId: null }, { merchantId: options.merchantId }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit ?? 50,
    select: INCIDENT_SELECT,
  });
  return rows.map(serializeIncident);
}

/**
 * Acknowledges an incident the merchant sees, or every open one when no id is given (account:write:
 * owner and admin); health stops reporting them. Another merchant's incident is a 404, an
 * acknowledged one stays as it was. Returns how many were acknowledged.
 */
export async function acknowledgeChainIncident(
  deps: { db: Db; actor: Actor; now?: Date },
  merchantId: string,
  id?: string,
): Promise<number> {
  authorize(deps.actor, merchantId, "account:write");
  const userId = deps.actor.type === "user" ? deps.actor.userId : deps.actor.type;
  const visible = { OR: [{ merchantId: null }, { merchantId }], ...(id ? { id } : {}) };
  const { count } = await deps.db.chainIncident.updateMany({
    where: { ...visible, acknowledgedAt: null },
    data: { acknowledgedAt: deps.now ?? new Date(), acknowledgedBy: userId },
  });
  if (count === 0 && id && (await deps.db.chainIncident.count({ where: visible })) === 0)
    throw new AppError("not_found", `No such incident: ${id}`);
  return count;
}

/** Deep reorgs recorded per chain since the database was created (for ctrip_chain_deep_reorgs_total). */
export async function countDeepReorgs(db: Db): Promise<Map<string, number>> {
  const groups = await db.chainIncident.groupBy({
    by: ["chain"],
    where: { kind: "deep_reorg" },
    _count: { _all: true },
  });
  return new Map(groups.map((group) => [group.chain, group._count._all]));
}
