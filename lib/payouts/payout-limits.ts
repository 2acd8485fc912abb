import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { formatAmount, parseAmount } from "../money/amounts";
import { resolveToken } from "../payments/payment-object";

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
});
export type TPayoutLimitsObject = z.infer<typeof ZPayoutLimitsObject>;

export const ZPayoutLimitsList = z.object({ object: z.literal("list"), data: z.array(ZPayoutLimitsObject) });

type Deps = { db: Db; chains: TChain[] } & AccessDeps;
type DecimalLike = { toFixed(): string };

function serialize(
  deps: Deps,
  row: {
    chain: string;
    tokenSymbol: string;
    maxPerPayout: DecimalLike | null;
    maxPerDay: DecimalLike | null;
    autoApproveBelow: DecimalLike | null;
  },
): TPayoutLimitsObject {
  const chain = deps.chains.find((candidate) => candidate.name === row.chain);
  const decimals = (chain && resolveToken(chain, row.tokenSymbol)?.decimals) ?? 0;
  const show = (value: DecimalLike | null) =>
    value ? formatAmount(BigInt(value.toFixed()), decimals) : null;
  return {
    object: "payout_limits",
    chain: row.chain,
    token: row.tokenSymbol,
    max_per_payout: show(row.maxPerPayout),
    max_per_day: show(row.maxPerDay),
    auto_approve_below: show(row.autoApproveBelow),
  };
}

const SELECT = {
  chain: true,
  tokenSymbol: true,
  maxPerPayout: true,
  maxPerDay: true,
  autoApproveBelow: true,
} as const;

/** Sets (replaces) the payout limits of one chain and token. */
export async function setPayoutLimits(
  deps: Deps,
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
    value ? parseAmount(value, token.decimals, path).toString() : null;
  const data = {
    maxPerPayout: parse(input.max_per_payout, "max_per_payout"),
    maxPerDay: parse(input.max_per_day, "max_per_day"),
    autoApproveBelow: parse(input.auto_approve_below, "auto_approve_below"),
  };
  const row = await deps.db.payoutLimit.upsert({
    where: { merchantId_chain_tokenSymbol: { merchantId, chain: chain.name, tokenSymbol: token.symbol } },
    create: { merchantId, chain: chain.name, tokenSymbol: token.symbol, ...data },
    update: data,
    select: SELECT,
  });
  return serialize(deps, row);
}

export async function listPayoutLimits(deps: Deps, merchantId: string) {
  authorize(deps.actor, merchantId, "settings:read");
  const rows = await deps.db.payoutLimit.findMany({
    where: { merchantId },
    orderBy: [{ chain: "asc" }, { tokenSymbol: "asc" }],
    select: SELECT,
  });
  return { object: "list" as const, data: rows.map((row) => serialize(deps, row)) };
}
