// The token helpers against the real-world token doubles on the test Anvil: transfers really sent,
// receipts really read, refusals really produced by the tokens' code.

import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  parseEther,
} from "viem";
import { generatePrivateKey, privateKeyToAccount, privateKeyToAddress } from "viem/accounts";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { TToken } from "../../config/chains";
import { MOCK_FEE_COLLECTOR } from "../../devnet/mock-tokens";
import { deployMockTokens, type MockTokens } from "../../testing/mock-tokens";
import {
  classifyTokenRefusal,
  estimateTokenTransferGas,
  isTokenBlockReason,
  TokenTransferRefusedError,
} from "./classify-token-refusal";
import { readTokenTransfer } from "./read-token-transfer";
import { tokenTransferCall } from "./token-transfer-call";

const rpcUrl = inject("anvilRpcUrl");
const transport = http(rpcUrl);
const client = createPublicClient({ transport, pollingInterval: 50 });
const sender = privateKeyToAccount(generatePrivateKey());
const wallet = createWalletClient({ account: sender, transport });
let tokens: MockTokens;

beforeAll(async () => {
  tokens = await deployMockTokens(rpcUrl);
  await createTestClient({ mode: "anvil", transport }).setBalance({
    address: sender.address,
    value: parseEther("10"),
  });
  for (const token of tokens.all)
    await tokens.mint(token, sender.address, 1_000n * 10n ** BigInt(token.decimals));
});

async function send(token: TToken, to: Address, amount: bigint) {
  const hash = await wallet.sendTransaction({
    chain: null,
    ...tokenTransferCall({ token: token.address as Address, to, amount }),
  });
  return client.waitForTransactionReceipt({ hash });
}

const fresh = () => privateKeyToAddress(generatePrivateKey());

describe("tokenTransferCall + readTokenTransfer", () => {
  it("moves USDT-like tokens although transfer returns nothing; the receipt's logs give the amounts", async () => {
    const to = fresh();
    const receipt = await send(tokens.usdt, to, 12_345_678n);
    expect(receipt.status).toBe("success");
    const read = readTokenTransfer(receipt, {
      token: tokens.usdt.address as Address,
      from: sender.address,
      to,
    });
    expect(read).toEqual({ received: 12_345_678n, debited: 12_345_678n, tokenFee: 0n });
  });

  it("a fee-on-transfer token: the recipient gets 99 %, the sender is debited 100 %", async () => {
    const to = fresh();
    const receipt = await send(tokens.feeToken, to, 10_000_000n);
    const read = readTokenTransfer(receipt, {
      token: tokens.feeToken.address as Address,
      from: sender.address,
      to,
    });
    expect(read).toEqual({ received: 9_900_000n, debited: 10_000_000n, tokenFee: 100_000n });
    const onChain = await tokens.balanceOf(tokens.feeToken, to);
    expect(onChain).toBe(read.received);
    // Logs of another token (or to someone else) never count.
    expect(
      readTokenTransfer(receipt, { token: tokens.usdt.address as Address, from: sender.address, to })
        .received,
    ).toBe(0n);
    expect(
      readTokenTransfer(receipt, {
        token: tokens.feeToken.address as Address,
        from: sender.address,
        to: MOCK_FEE_COLLECTOR,
      }).received,
    ).toBe(100_000n);
  });

  it("an 18-decimal stablecoin: amounts beyond 2^64 base units are exact", async () => {
    const to = fresh();
    const amount = 123_456_789_012_345_678_901n; // 123.456… tokens of 18 decimals
    const receipt = await send(tokens.stable18, to, amount);
    expect(
      readTokenTransfer(receipt, { token: tokens.stable18.address as Address, from: sender.address, to }),
    ).toEqual({ received: amount, debited: amount, tokenFee: 0n });
  });
});

describe("classifyTokenRefusal / estimateTokenTransferGas", () => {
  const params = (to: Address, amount = 1_000_000n) => ({
    token: tokens.usdt.address as Address,
    from: sender.address,
    to,
    amount,
  });

  async function refusal(run: () => Promise<unknown>) {
    const error = await run().then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TokenTransferRefusedError);
    return error as TokenTransferRefusedError;
  }

  it("estimates a transfer the token accepts", async () => {
    expect(await estimateTokenTransferGas(client, params(fresh()))).toBeGreaterThan(21_000n);
  });

  it("a paused USDT (bare revert, no data) is token_paused, found through its paused() view", async () => {
    await tokens.pauseUsdt(true);
    try {
      const error = await refusal(() => estimateTokenTransferGas(client, params(fresh())));
      expect(error.reason).toBe("token_paused");
      expect(error.message).toMatch(/paused/);
      expect(isTokenBlockReason(error.reason)).toBe(true);
    } finally {
      await tokens.pauseUsdt(false);
    }
  });

  it("a blacklisted sender or recipient is told apart", async () => {
    const to = fresh();
    await tokens.blacklistUsdt(to, true);
    expect((await refusal(() => estimateTokenTransferGas(client, params(to)))).reason).toBe(
      "recipient_blacklisted",
    );
    await tokens.blacklistUsdt(to, false);
    await tokens.blacklistUsdt(sender.address, true);
    try {
      expect((await refusal(() => estimateTokenTransferGas(client, params(fresh())))).reason).toBe(
        "sender_blacklisted",
      );
    } finally {
      await tokens.blacklistUsdt(sender.address, false);
    }
  });

  it("any other revert (balance too low) is `reverted`, to be handled as before", async () => {
    const error = await refusal(() => estimateTokenTransferGas(client, params(fresh(), 10n ** 30n)));
    expect(error.reason).toBe("reverted");
    expect(isTokenBlockReason(error.reason)).toBe(false);
  });

  it("reads revert texts of tokens without the views (OpenZeppelin's EnforcedPause, 'Pausable: paused')", async () => {
    const token = tokens.stable18.address as Address; // no paused()/isBlacklisted views: texts decide
    const base = { token, from: sender.address, to: fresh() };
    expect(
      (
        await classifyTokenRefusal(client, {
          ...base,
          error: new Error("execution reverted: Pausable: paused"),
        })
      ).reason,
    ).toBe("token_paused");
    expect(
      (
        await classifyTokenRefusal(client, {
          ...base,
          error: new Error("Blacklistable: account is blacklisted"),
        })
      ).reason,
    ).toBe("sender_blacklisted");
    expect(
      (await classifyTokenRefusal(client, { ...base, error: new Error("ERC20InsufficientBalance") })).reason,
    ).toBe("reverted");
  });
});
