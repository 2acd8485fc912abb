// The embedded stack of the resilience scenarios (RELIABILITY.md): a test file's own Anvil mining a
// block every second, reached through a JSON-RPC proxy that can go down; a test database; a fresh
// wallet seed whose gas tank is funded; a treasury-mode and a balance-mode merchant, each with a
// webhook endpoint on a real local receiver; and the real worker process, configured by a
// chains.yaml written for it.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english";
import { type Address, createPublicClient, createWalletClient, erc20Abi, type Hash, http } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { OPERATOR } from "../access/actor";
import type { TChain } from "../config/chains";
import { env } from "../config/env";
import { encryptionKey } from "../crypto/encryption-key";
import { MOCK_USDC_ADDRESS } from "../devnet/mock-usdc";
import { anvilDefaultAccounts, setupDevnet } from "../devnet/setup-devnet";
import { createMerchant } from "../merchants/create-merchant";
import { createPayment } from "../payments/create-payment";
import { type RunningAnvil, startAnvil } from "../runtime/anvil";
import { freePort } from "../runtime/free-port";
import { setTreasurySetting } from "../settlement/set-treasury-setting";
import { gasTankAddress } from "../transactions/signing-accounts";
import { hotWalletAddress } from "../wallet/derivation";
import { createWebhookEndpoint } from "../webhooks/create-webhook-endpoint";
import type { TestDatabase } from "./database";
import { type RpcProxy, startRpcProxy } from "./rpc-proxy";
import { describeSecretHit, findSecrets, walletSecretTermsOf } from "./secret-scan";
import { testChain } from "./test-chain";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver";
import { type WorkerProcess, workerProcess } from "./worker-process";

export const STACK_BASE_URL = "http://127.0.0.1:3999";

export type StackMerchant = {
  merchantId: string;
  /** The owner: reviews payouts. */
  userId: string;
  mode: "treasury" | "balance";
  /** Where its sweeps go: the treasury, or its hot wallet in balance mode. */
  sweepTarget: Address;
  hotWallet: Address;
  webhookSecret: string;
  receiver: WebhookReceiver;
};

export type ResilienceStack = Awaited<ReturnType<typeof startResilienceStack>>;

export async function startResilienceStack(
  database: TestDatabase,
  /** Keep the devnet's state in a file, as `npm start` does, so a power loss can be played. */
  options: { anvilStateFile?: string } = {},
) {
  const anvilPort = await freePort();
  const startNode = () =>
    startAnvil({
      port: anvilPort,
      blockTime: 1,
      ...(options.anvilStateFile ? { stateFile: options.anvilStateFile } : {}),
    });
  let anvil: RunningAnvil = await startNode();
  const proxy: RpcProxy = await startRpcProxy(anvil.rpcUrl);
  const transport = http(anvil.rpcUrl, { retryCount: 0 });
  const publicClient = createPublicClient({ transport, pollingInterval: 100 });
  const walletClient = createWalletClient({ transport });
  const mnemonic = generateMnemonic(wordlist);
  const gasTank = gasTankAddress(mnemonic);
  await setupDevnet(anvil.rpcUrl, { tokenAddress: MOCK_USDC_ADDRESS, fundAccounts: 1, gasTank });
  const [payer] = anvilDefaultAccounts(1) as [Address];

  // The worker reaches the chain through the proxy only, so an outage of the proxy is its outage.
  const chain: TChain = testChain({
    rpcUrls: [proxy.url],
    tokens: [{ symbol: "USDC", address: MOCK_USDC_ADDRESS, decimals: 6 }],
  });
  const workDir = mkdtempSync(join(tmpdir(), "ctrip-resilience-"));
  const chainsFile = join(workDir, "chains.yaml");
  // JSON is YAML: the worker parses this as it parses chains.yaml.
  writeFileSync(chainsFile, JSON.stringify({ chains: [chain] }));
  const worker: WorkerProcess = workerProcess({
    DATABASE_URL: database.databaseUrl,
    CHAINS_FILE: chainsFile,
    WALLET_MNEMONIC: mnemonic,
    PUBLIC_URL: STACK_BASE_URL,
    LOG_LEVEL: "info",
  });
  const deps = { db: database.db, chains: [chain] };

  async function addMerchant(mode: StackMerchant["mode"]): Promise<StackMerchant> {
    const created = await createMerchant(
      database.db,
      { name: `Resilience ${mode}`, email: `${mode}-${Date.now()}@example.com`, password: "pw" },
      mnemonic,
    );
    const { depositXpub } = await database.db.merchant.findUniqueOrThrow({
      where: { id: created.merchantId },
      select: { depositXpub: true },
    });
    const hotWallet = hotWalletAddress(depositXpub);
    const treasury = privateKeyToAddress(generatePrivateKey());
    // The endpoint first: every event of the merchant, its settings.updated included, reaches it.
    const receiver = await startWebhookReceiver();
    const endpoint = await createWebhookEndpoint(
      { actor: OPERATOR, db: database.db, encryptionKey: encryptionKey(env()), allowLoopbackTargets: true },
      created.merchantId,
      { url: receiver.url },
    );
    await setTreasurySetting(
      { ...deps, actor: OPERATOR },
      created.merchantId,
      mode === "balance" ? { chain: chain.name, mode: "balance" } : { chain: chain.name, address: treasury },
    );
    return {
      merchantId: created.merchantId,
      userId: created.userId,
      mode,
      sweepTarget: mode === "balance" ? hotWallet : treasury,
      hotWallet,
      webhookSecret: endpoint.secret,
      receiver,
    };
  }

  async function wait(hash: Hash) {
    return publicClient.waitForTransactionReceipt({ hash, timeout: 30_000 });
  }

  return {
    get anvil() {
      return anvil;
    },
    /**
     * A power loss: the worker and the node are SIGKILLed together; the node comes back on the same
     * URL from its last state dump (a second or so older), as `npm start` brings it back.
     */
    async powerLoss() {
      anvil.process.kill("SIGKILL");
      await Promise.all([worker.kill(), new Promise((resolve) => anvil.process.once("exit", resolve))]);
      anvil = await startNode();
    },
    proxy,
    publicClient,
    chain,
    deps,
    mnemonic,
    gasTank,
    payer,
    worker,
    addMerchant,
    createPayment(merchant: StackMerchant, params: { token?: "USDC"; amount: string }) {
      return createPayment({ actor: OPERATOR, ...deps, baseUrl: STACK_BASE_URL }, merchant.merchantId, {
        chain: chain.name,
        token: params.token,
        amount: params.amount,
      });
    },
    /**
     * Pays `units` base units to a deposit address with a real transaction; resolves once sent (the
     * payer's sends must not overlap: the node assigns its nonces). `mined` waits for the receipt.
     */
    async pay(params: { token?: "USDC"; to: string; units: bigint }) {
      const hash = params.token
        ? await walletClient.writeContract({
            account: payer,
            chain: null,
            address: MOCK_USDC_ADDRESS,
            abi: erc20Abi,
            functionName: "transfer",
            args: [params.to as Address, params.units],
          })
        : await walletClient.sendTransaction({
            account: payer,
            chain: null,
            to: params.to as Address,
            value: params.units,
          });
      return { hash, mined: () => wait(hash) };
    },
    tokenBalance(owner: Address) {
      return publicClient.readContract({
        address: MOCK_USDC_ADDRESS,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [owner],
      });
    },
    /** Stops everything; throws if the worker's log (all its runs) holds a secret. */
    async stop(merchants: StackMerchant[] = []) {
      await worker.kill();
      const log = worker.log();
      const leaks = findSecrets(log, await walletSecretTermsOf(database.db, mnemonic));
      for (const merchant of merchants) await merchant.receiver.close();
      await proxy.close();
      await anvil.stop();
      rmSync(workDir, { recursive: true, force: true });
      if (leaks.length)
        throw new Error(`secrets in the worker's log:\n  ${leaks.map(describeSecretHit).join("\n  ")}`);
    },
  };
}
