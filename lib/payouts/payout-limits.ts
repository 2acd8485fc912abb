import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { formatAmount, parseAmount } from "../money/amounts";
import { resolveToken } from "../payments/payment-object";
import { openSettingChanges } from "../settlement/list-setting-changes";
import {
  apiValues,
  commitSettingChange,
  delaySecondsOf,
  type LimitValues,
  limitValuesOf,
  lockSettingTarget,
  type MoneyRoutingDeps,
  readLiveValues,
  settingChangeContext,
} from "../settlement/record-setting-change";
import {
  type TPayoutLimitValues,
  type TSettingChangeObject,
  ZSettingChangeObject,
} from "../settlement/setting-change-object";

const ZLimitAmount = z.string({ error: 'must be a decimal string such as "100"' }).max(100).nullish();

export const ZSetPayoutLimits = z.strictObject({
  chain: z.string().min(1).max(32),
  /** Token symbol; omitted = the chain's native coin. */
  token: z.string().min(1).max(16).nullish(),
  /** Largest single payout; null = no limit. Decimal strings in token units. */
  max_per_payout: ZLimitAmount,
  /** Largest total of payouts created in any 24 hours (rejected and failed ones excluded). */
  max_per_day: ZLimitAmount,
  /** Payouts below this amount are approved at creation; null = every payout waits for approval. */
  auto_approve_below: ZLimitAmount,
});
export type TSetPayoutLimits = z.infer<typeof ZSetPayoutLimits>;

export const ZPayoutLimitsObject = z.object({
  object: z.literal("payout_limits"),
  chain: z.string(),
  token: z.string(),
  max_per_payout: z.string().nullable(),
  max_per_day: z.string().nullable(),
  auto_approve_below: z.string().nullable(),
  /** The scheduled change that will replace these limits (a loosening waits; see setPayoutLimits). */
  pending_change: ZSettingChangeObject.nullable(),
});
export type TPayoutLimitsObject = z.infer<typeof ZPayoutLimitsObject>;

export const ZPayoutLimitsList = z.object({ object: z.literal("list"), data: z.array(ZPayoutLimitsObject) });

const NO_LIMITS: LimitValues = { maxPerPayout: null, maxPerDay: null, autoApproveBelow: null };

function serialize(
  chains: TChain[],
  target: { chain: string; tokenSymbol: string },
  values: LimitValues,
  pending: readonly TSettingChangeObject[],
): TPayoutLimitsObject {
  const shown = apiValues(chains, { kind: "payout_limits", ...target }, values) as TPayoutLimitValues;
  return {
    object: "payout_limits",
    chain: target.chain,
    token: target.tokenSymbol,
    ...shown,
    pending_change:
      pending.find(
        (change) =>
          change.kind === "payout_limits" &&
          change.chain === target.chain &&
          change.token === target.tokenSymbol,
      ) ?? null,
  };
}

/**
 * Limits that contradict each other, as the field at fault and a plain message; null when they
 * agree. A payout above the per-payout maximum is refused, so a threshold above it would promise
 * approvals that never happen; a per-payout maximum above the daily one can never be reached.
 */
export function payoutLimitsConflict(
  next: LimitValues,
  symbol: string,
  decimals: number,
): { path: string; message: string } | null {
  const text = (value: bigint) => `${formatAmount(value, decimals)} ${symbol}`;
  const { maxPerPayout, maxPerDay, autoApproveBelow } = next;
  if (autoApproveBelow !== null && maxPerPayout !== null && autoApproveBelow > maxPerPayout)
    return {
      path: "auto_approve_below",
      message: `The auto-approval threshold (${text(autoApproveBelow)}) is above the maximum per payout (${text(maxPerPayout)}): lower the threshold or raise the maximum.`,
    };
  if (maxPerPayout !== null && maxPerDay !== null && maxPerPayout > maxPerDay)
    return {
      path: "max_per_payout",
      message: `The maximum per payout (${text(maxPerPayout)}) is above the maximum per 24 hours (${text(maxPerDay)}): lower it or raise the daily maximum.`,
    };
  if (autoApproveBelow !== null && maxPerDay !== null && autoApproveBelow > maxPerDay)
    return {
      path: "auto_approve_below",
      message: `The auto-approval threshold (${text(autoApproveBelow)}) is above the maximum per 24 hours (${text(maxPerDay)}): lower the threshold or raise the daily maximum.`,
    };
  return null;
}

/** A higher or removed maximum loosens; a lower or new one tightens. */
const loosensMax = (current: bigint | null, next: bigint | null) =>
  current !== null && (next === null || next > current);
/** A higher or new auto-approval threshold loosens; a lower or removed one tightens. */
const loosensAutoApproval = (current: bigint | null, next: bigint | null) =>
  next !== null && (current === null || next > current);

/**
 * Sets (replaces) the payout limits of one chain and token. What tightens (a lower or new maximum,
 * a lower or removed auto-approval threshold) takes effect at once; what loosens (a higher or
 * removed maximum, a higher or new threshold) is scheduled MONEY_ROUTING_DELAY_SECONDS later as the
 * `pending_change`, which holds the whole requested set: a stolen key cannot auto-approve a drain.
 */
export async function setPayoutLimits(
  deps: MoneyRoutingDeps,
  merchantId: string,
  input: TSetPayoutLimits,
): Promise<TPayoutLimitsObject> {
  authorize(deps.actor, merchantId, "settings:write");
  const chain = deps.chains.find((candidate) => candidate.name === input.chain);
  if (!chain) {
    const message = `unknown chain; configured: ${deps.chains.map((c) => c.name).join(", ")}`;
    throw new AppError("validation_failed", `chain: ${message}`, { errors: [{ path: "chain", message }] });
  }
  const token = resolveToken(chain, input.token);
  if (!token) {
    const message = `unknown token on ${chain.name}`;
    throw new AppError("validation_failed", `token: ${message}`, { errors: [{ path: "token", message }] });
  }
  const parse = (value: string | null | undefined, path: string) =>
    value ? parseAmount(value, token.decimals, path) : null;
  const next: LimitValues = {
    maxPerPayout: parse(input.max_per_payout, "max_per_payout"),
    maxPerDay: parse(input.max_per_day, "max_per_day"),
    autoApproveBelow: parse(input.auto_approve_below, "auto_approve_below"),
  };
  const conflict = payoutLimitsConflict(next, token.symbol, token.decimals);
  if (conflict)
    throw new AppError("validation_failed", `${conflict.path}: ${conflict.message}`, { errors: [conflict] });
  const target = { kind: "payout_limits", chain: chain.name, tokenSymbol: token.symbol } as const;
  const context = settingChangeContext(deps);
  const delaySeconds = delaySecondsOf(deps);
  return deps.db.$transaction(async (tx) => {
    await lockSettingTarget(tx, merchantId, target);
    const previous = ((await readLiveValues(tx, merchantId, target)) as LimitValues | null) ?? NO_LIMITS;
    const loosens = {
      maxPerPayout: loosensMax(previous.maxPerPayout, next.maxPerPayout),
      maxPerDay: loosensMax(previous.maxPerDay, next.maxPerDay),
      autoApproveBelow: loosensAutoApproval(previous.autoApproveBelow, next.autoApproveBelow),
    };
    const immediate: LimitValues = {
      maxPerPayout: loosens.maxPerPayout ? previous.maxPerPayout : next.maxPerPayout,
      maxPerDay: loosens.maxPerDay ? previous.maxPerDay : next.maxPerDay,
      autoApproveBelow: loosens.autoApproveBelow ? previous.autoApproveBelow : next.autoApproveBelow,
    };
    const pending = await commitSettingChange(tx, context, merchantId, {
      target,
      previous,
      immediate,
      scheduled: Object.values(loosens).some(Boolean) ? next : null,
      delaySeconds,
    });
    const live = ((await readLiveValues(tx, merchantId, target)) as LimitValues | null) ?? NO_LIMITS;
    return serialize(deps.chains, target, live, pending ? [pending] : []);
  });
}

/** The payout limits in effect per chain and token, each with its scheduled change, if any. */
export async function listPayoutLimits(deps: { db: Db; chains: TChain[] } & AccessDeps, merchantId: string) {
  authorize(deps.actor, merchantId, "settings:read");
  const [rows, pending] = await Promise.all([
    deps.db.payoutLimit.findMany({
      where: { merchantId },
      orderBy: [{ chain: "asc" }, { tokenSymbol: "asc" }],
      select: { chain: true, tokenSymbol: true, maxPerPayout: true, maxPerDay: true, autoApproveBelow: true },
    }),
    openSettingChanges(deps.db, deps.chains, merchantId, "payout_limits"),
  ]);
  return {
    object: "list" as const,
    data: rows.map((row) => serialize(deps.chains, row, limitValuesOf(row), pending)),
  };
}
