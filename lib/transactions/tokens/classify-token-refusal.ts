import {
  type Address,
  BaseError,
  type BlockTag,
  decodeErrorResult,
  ExecutionRevertedError,
  type Hex,
  isHex,
  type PublicClient,
  parseAbi,
} from "viem";
import { tokenTransferCall } from "./token-transfer-call";

/**
 * Why a token refuses a transfer, when the refusal will not go away by retrying:
 * - `token_paused`: the issuer paused every transfer (USDT, USDC can);
 * - `sender_blacklisted` / `recipient_blacklisted`: the issuer froze that account;
 * - `reverted`: anything else (insufficient balance, an unknown rule) — the caller's usual handling.
 */
export const TOKEN_REFUSAL_REASONS = [
  "token_paused",
  "sender_blacklisted",
  "recipient_blacklisted",
  "reverted",
] as const;
export type TokenRefusalReason = (typeof TOKEN_REFUSAL_REASONS)[number];
/** The reasons that call for an operator (pause the sweep/payout, alert), not for a retry. */
export type TokenBlockReason = Exclude<TokenRefusalReason, "reverted">;

export type TokenRefusal = { reason: TokenRefusalReason; message: string };

export function isTokenBlockReason(reason: TokenRefusalReason): reason is TokenBlockReason {
  return reason !== "reverted";
}

/** The token's code refused the transfer (execution reverted); `reason` says why, when it can be told. */
export class TokenTransferRefusedError extends Error {
  override name = "TokenTransferRefusedError";
  readonly reason: TokenRefusalReason;
  constructor(refusal: TokenRefusal, options?: { cause?: unknown }) {
    super(refusal.message, options);
    this.reason = refusal.reason;
  }
}

export type ClassifyTokenRefusalParameters = {
  token: Address;
  from: Address;
  to: Address;
  /** The error of the failed simulation or call (its revert data and text are read), if any. */
  error?: unknown;
  blockTag?: BlockTag;
};

type ReadClient = Pick<PublicClient, "readContract">;

// The views issuers expose: USDT `isBlackListed`, USDC (FiatToken) `isBlacklisted`, both `paused`.
const tokenControlAbi = parseAbi([
  "function paused() view returns (bool)",
  "function isBlackListed(address) view returns (bool)",
  "function isBlacklisted(address) view returns (bool)",
]);
// OpenZeppelin 5's Pausable custom errors (OZ 4 and FiatToken revert with "Pausable: paused").
const pausableErrorsAbi = parseAbi(["error EnforcedPause()", "error ExpectedPause()"]);

/**
 * Classifies a token's refusal of `from → to`. Real USDT reverts without any data (Solidity 0.4
 * `require`), so the token's own views decide first — `paused()`, `isBlackListed`/`isBlacklisted`
 * of both parties, each ignored when the token lacks it — then the revert text or custom error
 * (`Pausable: paused`, `EnforcedPause()`, "blacklisted"). Anything else is `reverted`.
 */
export async function classifyTokenRefusal(
  client: ReadClient,
  { token, from, to, error, blockTag }: ClassifyTokenRefusalParameters,
): Promise<TokenRefusal> {
  const view = async (functionName: "paused" | "isBlackListed" | "isBlacklisted", account?: Address) => {
    try {
      return functionName === "paused"
        ? await client.readContract({ address: token, abi: tokenControlAbi, functionName, blockTag })
        : await client.readContract({
            address: token,
            abi: tokenControlAbi,
            functionName,
            args: [account as Address],
            blockTag,
          });
    } catch {
      return false; // the token has no such view (or answers nonsense): no evidence either way
    }
  };
  const [paused, fromUsdt, fromUsdc, toUsdt, toUsdc] = await Promise.all([
    view("paused"),
    view("isBlackListed", from),
    view("isBlacklisted", from),
    view("isBlackListed", to),
    view("isBlacklisted", to),
  ]);
  const text = revertTextOf(error);
  if (paused || /\bpaused\b|EnforcedPause/i.test(text))
    return {
      reason: "token_paused",
      message: `token ${token} is paused by its issuer: transfers are refused`,
    };
  if (fromUsdt || fromUsdc)
    return { reason: "sender_blacklisted", message: `token ${token} has blacklisted the sender ${from}` };
  if (toUsdt || toUsdc)
    return { reason: "recipient_blacklisted", message: `token ${token} has blacklisted the recipient ${to}` };
  if (/black ?list|block ?list|frozen/i.test(text))
    return { reason: "sender_blacklisted", message: `token ${token} refuses ${from} → ${to}: ${text}` };
  return { reason: "reverted", message: `token ${token} refuses ${from} → ${to}${text ? `: ${text}` : ""}` };
}

export type EstimateTokenTransferGasParameters = {
  token: Address;
  from: Address;
  to: Address;
  amount: bigint;
  blockTag?: BlockTag;
};

/**
 * Gas of `from`'s `transfer(to, amount)` of `token`. When the token's code refuses it (execution
 * reverted), throws TokenTransferRefusedError with the classified reason; RPC failures pass
 * through unchanged (retry them).
 */
export async function estimateTokenTransferGas(
  client: ReadClient & Pick<PublicClient, "estimateGas">,
  { token, from, to, amount, blockTag }: EstimateTokenTransferGasParameters,
): Promise<bigint> {
  try {
    return await client.estimateGas({
      account: from,
      ...tokenTransferCall({ token, to, amount }),
      ...(blockTag ? { blockTag } : {}),
    });
  } catch (error) {
    if (!isExecutionReverted(error)) throw error;
    const refusal = await classifyTokenRefusal(client, { token, from, to, error, blockTag });
    throw new TokenTransferRefusedError(refusal, { cause: error });
  }
}

/** The chain (not the RPC transport) refused the call: the code reverted. */
export function isExecutionReverted(error: unknown): boolean {
  return (
    error instanceof BaseError && error.walk((cause) => cause instanceof ExecutionRevertedError) !== null
  );
}

/** The revert reason, custom error name or raw revert text carried by a viem error, else "". */
function revertTextOf(error: unknown): string {
  if (!(error instanceof BaseError)) return error instanceof Error ? error.message : "";
  const parts = [error.shortMessage, error.details];
  const withData = error.walk((cause) => {
    const data = (cause as { data?: unknown }).data;
    return typeof data === "string" && isHex(data) && data.length >= 10;
  }) as { data?: Hex } | null;
  if (withData?.data)
    try {
      parts.push(decodeErrorResult({ abi: pausableErrorsAbi, data: withData.data }).errorName);
    } catch {
      parts.push(withData.data);
    }
  return parts.filter(Boolean).join(" ");
}
