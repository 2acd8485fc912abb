// What the chain did that the operator must see (deep reorgs, reorgs after settlement): recorded by
// the scanner, shown by /api/health (degraded) until the operator acknowledges it (a merchant's own
// incident: until that merchant does), on a merchant's dashboard until it or the operator does,
// counted by /api/metrics.
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
 * Incidents not yet acknowledged, newest first: all of them (health: what the operator has not
 * acknowledged), or those a merchant sees (its own, and chain-wide ones neither the operator nor this
 * merchant acknowledged).
 */
export async function listOpenChainIncidents(
  db: Db,
  options: { merchantId?: string; limit?: number } = {},
): Promise<TChainIncident[]> {
  const rows = await db.chainIncident.findMany({
    where: {
      acknowledgedAt: null,
      ...(options.merchantId ? seenBy(options.merchantId) : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit ?? 50,
    select: INCIDENT_SELECT,
  });
  return rows.map(serializeIncident);
}

/** The incidents a merchant's dashboard shows until it acknowledges them. */
function seenBy(merchantId: string) {
  return {
    OR: [{ merchantId }, { merchantId: null, acknowledgements: { none: { merchantId } } }],
  };
}

/**
 * Acknowledges an incident the merchant sees, or every open one when no id is given (account:write:
 * owner and admin). The merchant's own incident is acknowledged for good; a chain-wide one only for
 * this merchant (its dashboard stops showing it; other merchants and /api/health still do until the
 * operator acknowledges it, {@link acknowledgeChainIncidentsAsOperator}). Another merchant's incident
 * is a 404; acknowledging twice, or concurrently, changes nothing more. Returns how many were
 * acknowledged by this call.
 */
export async function acknowledgeChainIncident(
  deps: { db: Db; actor: Actor; now?: Date },
  merchantId: string,
  id?: string,
): Promise<number> {
  authorize(deps.actor, merchantId, "account:write");
  const by = acknowledgedBy(deps.actor);
  const at = deps.now ?? new Date();
  if (
    id &&
    (await deps.db.chainIncident.count({ where: { id, OR: [{ merchantId: null }, { merchantId }] } })) === 0
  )
    throw new AppError("not_found", `No such incident: ${id}`);
  const only = id ? { id } : {};
  const own = await deps.db.chainIncident.updateMany({
    where: { ...only, merchantId, acknowledgedAt: null },
    data: { acknowledgedAt: at, acknowledgedBy: by },
  });
  const chainWide = await deps.db.chainIncident.findMany({
    where: { ...only, merchantId: null, acknowledgedAt: null, acknowledgements: { none: { merchantId } } },
    select: { id: true },
  });
  // The (incident, merchant) key makes a second or concurrent acknowledgement a no-op.
  const added = await deps.db.chainIncidentAcknowledgement.createMany({
    data: chainWide.map((incident) => ({
      incidentId: incident.id,
      merchantId,
      acknowledgedAt: at,
      acknowledgedBy: by,
    })),
    skipDuplicates: true,
  });
  return own.count + added.count;
}

/**
 * The operator's acknowledgement (admin CLI): closes an incident, or every open one, for everyone:
 * /api/health stops reporting it and no dashboard shows it any more. Only the operator may; an
 * unknown id is a 404, an acknowledged one stays as it was. Returns the ids acknowledged by this call.
 */
export async function acknowledgeChainIncidentsAsOperator(
  deps: { db: Db; actor: Actor; now?: Date },
  target: { id: string } | { all: true },
): Promise<string[]> {
  if (deps.actor.type !== "operator")
    throw new AppError("forbidden", "Only the operator (admin CLI) acknowledges an incident for everyone.");
  const only = "id" in target ? { id: target.id } : {};
  const rows = await deps.db.chainIncident.updateManyAndReturn({
    where: { ...only, acknowledgedAt: null },
    data: { acknowledgedAt: deps.now ?? new Date(), acknowledgedBy: acknowledgedBy(deps.actor) },
    select: { id: true },
  });
  if (rows.length === 0 && "id" in target && (await deps.db.chainIncident.count({ where: only })) === 0)
    throw new AppError("not_found", `No such incident: ${target.id}`);
  return rows.map((row) => row.id);
}

/**
 * Every incident for the operator (admin CLI), newest first: the open ones, or all with `all`, with
 * who acknowledged each and how many merchants hid a chain-wide one from their dashboard.
 */
export async function listChainIncidentsForOperator(db: Db, options: { all?: boolean; limit?: number } = {}) {
  const rows = await db.chainIncident.findMany({
    where: options.all ? {} : { acknowledgedAt: null },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit ?? 200,
    select: {
      ...INCIDENT_SELECT,
      merchantId: true,
      acknowledgedAt: true,
      acknowledgedBy: true,
      _count: { select: { acknowledgements: true } },
    },
  });
  return rows.map((row) => ({
    ...serializeIncident(row),
    merchant_id: row.merchantId,
    acknowledged_at: row.acknowledgedAt?.toISOString() ?? null,
    acknowledged_by: row.acknowledgedBy,
    merchants_acknowledged: row._count.acknowledgements,
  }));
}

function acknowledgedBy(actor: Actor): string {
  return actor.type === "user" ? actor.userId : actor.type === "api_key" ? actor.apiKeyId : actor.type;
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
