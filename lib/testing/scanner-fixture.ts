// A test file's own Anvil (instant mining, reorgs and clock control without disturbing other
// files), with the mock USDC placed, a merchant, and helpers that move real funds.

import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  getAddress,
  type Hash,
  http,
  pad,
} from "viem";
import { OPERATOR } from "../access/actor";
import { type ChainClient, createChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { FORWARDER_ADDRESS, FORWARDER_CODE } from "../devnet/forwarder";
import { MOCK_USDC_ADDRESS, mockUsdcAbi, mockUsdcArtifact } from "../devnet/mock-usdc";
import { anvilDefaultAccounts, setupDevnet } from "../devnet/setup-devnet";
import { createMerchant } from "../merchants/create-merchant";
import { createPayment } from "../payments/create-payment";
import { type RunningAnvil, startAnvil } from "../runtime/anvil";
import { freePort } from "../runtime/free-port";
import { type CheckNativeBalancesOptions, checkNativeBalances } from "../scanner/check-native-balances";
import { type ScanChainOptions, scanChain } from "../scanner/scan-chain";
import { gasTankAddress } from "../transactions/signing-accounts";
import type { TestDatabase } from "./database";
import { testChain } from "./test-chain";

export const BASE_URL = "http://127.0.0.1:3999";
/** A second token with the mock USDC's code at another address: transfers of it must never credit. */
export const OTHER_TOKEN_ADDRESS: Address = getAddress("0x00000000000000000000000000000000000dea1e");

export type ScannerFixture = Awaited<ReturnType<typeof startScannerFixture>>;

export async function startScannerFixture(database: TestDatabase, chainOverrides: Partial<TChain> = {}) {
  const anvil: RunningAnvil = await startAnvil({ port: await freePort() });
  const transport = http(anvil.rpcUrl, { retryCount: 0 });
  const publicClient = createPublicClient({ transport, pollingInterval: 50 });
  const testClient = createTestClient({ mode: "anvil", transport });
  const walletClient = createWalletClient({ transport });
  // The development seed's gas tank is funded too, as `npm start` does: the sweeper can run here.
  await setupDevnet(anvil.rpcUrl, {
    tokenAddress: MOCK_USDC_ADDRESS,
    fundAccounts: 3,
    gasTank: gasTankAddress(DEVELOPMENT_MNEMONIC),
  });
  await testClient.setCode({ address: OTHER_TOKEN_ADDRESS, bytecode: mockUsdcArtifact.deployedBytecode });
  await testClient.setCode({ address: FORWARDER_ADDRESS, bytecode: FORWARDER_CODE });
  const [payer, other] = anvilDefaultAccounts(2) as [Address, Address];

  const chain = testChain({
    rpcUrls: [anvil.rpcUrl],
    tokens: [{ symbol: "USDC", address: MOCK_USDC_ADDRESS, decimals: 6 }],
    ...chainOverrides,
  });
  const client = createChainClient(chain);
  const merchant = await createMerchant(database.db, {
    name: "Scanner shop",
    email: `scanner-${Date.now()}@example.com`,
    password: "correct horse battery",
  });

  async function wait(hash: Hash) {
    const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: 30_000 });
    return receipt;
  }

  return {
    anvil,
    chain,
    client,
    publicClient,
    testClient,
    merchant,
    payer,
    other,
    /** Latest block timestamp: payments are created on chain time (tests move the chain's clock). */
    async chainNow(): Promise<Date> {
      const block = await publicClient.getBlock();
      return new Date(Number(block.timestamp) * 1000);
    },
    async createPayment(params: { token?: string; amount: string; expiresIn?: number; chain?: TChain }) {
      return createPayment(
        {
          actor: OPERATOR,
          db: database.db,
          chains: [params.chain ?? chain],
          baseUrl: BASE_URL,
          now: await this.chainNow(),
        },
        merchant.merchantId,
        { chain: chain.name, token: params.token, amount: params.amount, expires_in: params.expiresIn },
      );
    },
    scan(options: ScanChainOptions = {}, overrides: { chain?: TChain; client?: ChainClient } = {}) {
      const target = overrides.chain ?? chain;
      return scanChain(
        {
          db: database.db,
          client: overrides.client ?? (overrides.chain ? createChainClient(target) : client),
          chain: target,
          baseUrl: BASE_URL,
          rates: { db: database.db, chains: [target] },
        },
        { maxRanges: 1_000, ...options },
      );
    },
    /** Balance check of the open native deposit addresses (forced unless told otherwise). */
    checkBalances(options: CheckNativeBalancesOptions = { force: true }, overrides: { chain?: TChain } = {}) {
      const target = overrides.chain ?? chain;
      return checkNativeBalances(
        {
          db: database.db,
          client: overrides.chain ? createChainClient(target) : client,
          chain: target,
          baseUrl: BASE_URL,
        },
        options,
      );
    },
    /** ETH to `to` through the forwarder contract: a real internal transfer the block scan cannot see. */
    async sendEthViaContract(to: string, value: bigint) {
      const hash = await walletClient.sendTransaction({
        account: payer,
        chain: null,
        to: FORWARDER_ADDRESS,
        value,
        data: pad(to as Address),
      });
      return wait(hash);
    },
    async sendEth(to: string, value: bigint, options: { gas?: bigint; from?: Address } = {}) {
      const hash = await walletClient.sendTransaction({
        account: options.from ?? payer,
        chain: null,
        to: to as Address,
        value,
        ...(options.gas ? { gas: options.gas } : {}),
      });
      return wait(hash);
    },
    async sendToken(to: string, amount: bigint, token: Address = MOCK_USDC_ADDRESS) {
      if (token !== MOCK_USDC_ADDRESS)
        await wait(
          await walletClient.writeContract({
            account: payer,
            chain: null,
            address: token,
            abi: mockUsdcAbi,
            functionName: "mint",
            args: [payer, amount],
          }),
        );
      const hash = await walletClient.writeContract({
        account: payer,
        chain: null,
        address: token,
        abi: mockUsdcAbi,
        functionName: "transfer",
        args: [to as Address, amount],
      });
      return wait(hash);
    },
    mine(blocks = 1) {
      return testClient.mine({ blocks });
    },
    async payment(id: string) {
      return database.db.payment.findUniqueOrThrow({
        where: { id },
        include: { transfers: true, statusChanges: { orderBy: { createdAt: "asc" } } },
      });
    },
    async eventTypes(id: string) {
      const events = await database.db.event.findMany({
        where: { objectId: id },
        orderBy: { createdAt: "asc" },
        select: { type: true },
      });
      // Payments are created on the chain's clock (moved forward by expiry tests), the scanner's
      // events on the wall clock: payment.created comes first whatever its timestamp.
      return events
        .map((event) => event.type)
        .sort((a, b) => Number(b === "payment.created") - Number(a === "payment.created"));
    },
    stop: () => anvil.stop(),
  };
}
