// A settlement scenario on the test run's real Anvil node and a real database: a merchant of a
// fresh seed (so its gas tank starts empty and is this file's own), a mock USDC placed at an
// address of its own, a funded payer, and helpers that pay a payment with a real transaction.

import { setTimeout as sleep } from "node:timers/promises";
import { generateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english";
import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  erc20Abi,
  http,
  parseEther,
  parseEventLogs,
} from "viem";
import { generatePrivateKey, privateKeyToAccount, privateKeyToAddress } from "viem/accounts";
import { inject } from "vitest";
import { OPERATOR, userActor } from "../access/actor";
import type { TChain, TToken } from "../config/chains";
import type { Db } from "../db/client";
import { mockUsdcAbi, mockUsdcArtifact } from "../devnet/mock-usdc";
import { createMerchant } from "../merchants/create-merchant";
import { createPayment } from "../payments/create-payment";
import { createPayout } from "../payouts/create-payout";
import { approvePayout } from "../payouts/review-payout";
import { type RunningAnvil, startAnvil } from "../runtime/anvil";
import { freePort } from "../runtime/free-port";
import { advanceSweep } from "../settlement/advance-sweep";
import { planSweeps } from "../settlement/plan-sweeps";
import { setTreasurySetting } from "../settlement/set-treasury-setting";
import { feeCacheMsOf } from "../transactions/fees/quote-fees";
import { gasTankAddress, hotWalletSigner } from "../transactions/signing-accounts";
import type { TransactionDeps } from "../transactions/transaction-deps";
import { createTestDatabase, type TestDatabase } from "./database";
import { markPaymentConfirmedForTest } from "./mark-payment-confirmed";
import { testChain } from "./test-chain";
import { unspentGasReserve } from "./unspent-gas-reserve";

export type SettlementFixture = Awaited<ReturnType<typeof createSettlementFixture>>;

export async function createSettlementFixture(
  db: Db,
  options: {
    tokenOverrides?: object;
    /** A test file's own node; default: the run's shared one. */
    rpcUrl?: string;
    /**
     * A pre-London node (no EIP-1559): the payer sends legacy transactions, and no mock USDC is
     * placed (its bytecode needs Shanghai).
     */
    legacyChain?: boolean;
    /** More tokens on the chain besides the mock USDC (e.g. lib/testing/mock-tokens.ts's). */
    extraTokens?: TToken[];
    /** The chain's configured fee model (chains.yaml `feeModel`), instead of the detected one. */
    feeModel?: TChain["feeModel"];
  } = {},
) {
  const rpcUrl = options.rpcUrl ?? inject("anvilRpcUrl");
  const publicClient = createPublicClient({ transport: http(rpcUrl), pollingInterval: 50 });
  const testClient = createTestClient({ mode: "anvil", transport: http(rpcUrl) });
  const payer = privateKeyToAccount(generatePrivateKey());
  const payerWallet = createWalletClient({ account: payer, transport: http(rpcUrl) });
  const tokenAddress = privateKeyToAddress(generatePrivateKey());
  if (!options.legacyChain)
    await testClient.setCode({ address: tokenAddress, bytecode: mockUsdcArtifact.deployedBytecode });
  await testClient.setBalance({ address: payer.address, value: parseEther("1000") });
  const chain: TChain = testChain({
    rpcUrls: [rpcUrl],
    ...(options.feeModel ? { feeModel: options.feeModel } : {}),
    tokens: [
      { symbol: "USDC", address: tokenAddress, decimals: 6, ...options.tokenOverrides },
      ...(options.extraTokens ?? []),
    ],
  });
  const chainId = chain.chainId;
  if (!options.legacyChain)
    await publicClient.waitForTransactionReceipt({
      hash: await payerWallet.writeContract({
        chain: null,
        address: tokenAddress,
        abi: mockUsdcAbi,
        functionName: "mint",
        args: [payer.address, 10_000_000n * 10n ** 6n],
      }),
    });
  const mnemonic = generateMnemonic(wordlist);
  const merchant = await createMerchant(
    db,
    { name: "Sweeper", email: `sweep-${payer.address.toLowerCase()}@example.com`, password: "pw" },
    mnemonic,
  );
  const treasury = privateKeyToAddress(generatePrivateKey());
  await setTreasurySetting({ actor: OPERATOR, db, chains: [chain] }, merchant.merchantId, {
    chain: "local",
    address: treasury,
  });
  const deps: TransactionDeps = { db, chains: [chain], mnemonic };

  async function createConfirmedPayment(params: { token?: "USDC"; amount: string; pay?: bigint }) {
    const payment = await createPayment(
      { actor: OPERATOR, db, chains: [chain], baseUrl: "http://localhost" },
      merchant.merchantId,
      { chain: "local", token: params.token, amount: params.amount },
    );
    const units = params.pay ?? BigInt(payment.amount_base_units);
    const deposit = payment.address as Address;
    const hash = params.token
      ? await payerWallet.writeContract({
          chain: null,
          address: tokenAddress,
          abi: erc20Abi,
          functionName: "transfer",
          args: [deposit, units],
        })
      : await payerWallet.sendTransaction({
          chain: null,
          to: deposit,
          value: units,
          ...(options.legacyChain ? { type: "legacy" as const } : {}),
        });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    const [log] = parseEventLogs({ abi: erc20Abi, logs: receipt.logs, eventName: "Transfer" });
    await markPaymentConfirmedForTest(db, {
      paymentId: payment.id,
      txHash: hash,
      logIndex: params.token ? (log?.logIndex ?? 0) : -1,
      fromAddress: payer.address,
      amount: units,
      blockNumber: receipt.blockNumber,
      blockHash: receipt.blockHash,
    });
    return { id: payment.id, deposit, amount: units };
  }

  return {
    rpcUrl,
    chain,
    chainId,
    deps,
    db,
    mnemonic,
    merchant,
    treasury,
    tokenAddress,
    gasTank: gasTankAddress(mnemonic),
    publicClient,
    testClient,
    payer,
    createConfirmedPayment,
    /** Sends real ETH from the payer to the gas tank. */
    async fundGasTank(value: bigint) {
      const hash = await payerWallet.sendTransaction({ chain: null, to: gasTankAddress(mnemonic), value });
      await publicClient.waitForTransactionReceipt({ hash });
    },
    tokenBalance(owner: Address) {
      return publicClient.readContract({
        address: tokenAddress,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [owner],
      });
    },
    mine(blocks = 1) {
      return testClient.mine({ blocks });
    },
    /** Mines a block with base fee `baseFee` and waits out the fee quote cache (half a block time). */
    async mineAtBaseFee(baseFee: bigint) {
      await testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: baseFee });
      await testClient.mine({ blocks: 1 });
      await sleep(feeCacheMsOf(chain) + 50);
    },
    /** What a native sweep's transaction reserved for gas and did not burn (it stays at the deposit). */
    unspentGasReserve(txHash: string | null) {
      return unspentGasReserve(publicClient, txHash);
    },
    /** Plans a sweep of every confirmed payment and drives each to `confirmed`, mining as needed. */
    async sweepAll() {
      for (const sweepId of await planSweeps(deps)) {
        for (let run = 0; run < 12; run++) {
          if ((await advanceSweep(deps, sweepId)).status === "confirmed") break;
          await testClient.mine({ blocks: 1 });
        }
      }
    },
    /** Switches the merchant to balance mode; returns its hot wallet. */
    async useBalanceMode(): Promise<Address> {
      await setTreasurySetting({ actor: OPERATOR, db, chains: [chain] }, merchant.merchantId, {
        chain: "local",
        mode: "balance",
      });
      return hotWalletSigner(mnemonic, merchant.hdAccount).address;
    },
    /** A payout to a fresh address, approved by the merchant's owner. */
    async approvedPayout(params: { token?: string; amount: string }) {
      const recipient = privateKeyToAddress(generatePrivateKey());
      const payoutDeps = { db, chains: [chain] };
      const created = await createPayout({ ...payoutDeps, actor: OPERATOR }, merchant.merchantId, {
        chain: "local",
        ...params,
        address: recipient,
      });
      const payout = await approvePayout(
        {
          ...payoutDeps,
          actor: userActor({ merchantId: merchant.merchantId, userId: merchant.userId, role: "owner" }),
        },
        merchant.merchantId,
        created.id,
      );
      return { ...payout, recipient };
    },
  };
}

export type OwnSettlementChain = {
  database: TestDatabase;
  anvil: RunningAnvil;
  fx: SettlementFixture;
  stop(): Promise<void>;
};

/**
 * A settlement fixture on a test file's own Anvil node and database: for tests that switch mining
 * off or raise the base fee, which would disturb other files on the shared node.
 */
export async function startOwnSettlementChain(): Promise<OwnSettlementChain> {
  const database = await createTestDatabase();
  const anvil = await startAnvil({ port: await freePort() });
  const fx = await createSettlementFixture(database.db, { rpcUrl: anvil.rpcUrl });
  return {
    database,
    anvil,
    fx,
    async stop() {
      await anvil.stop();
      await database.drop();
    },
  };
}
