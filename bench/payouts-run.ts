// Run by `npm run bench:payouts` (bench/payouts.ts): 100 approved payouts from one merchant hot wallet on Anvil with 1-second
// blocks (as `npm start`), on a real embedded PostgreSQL.
//
// Gateway: BENCH_PAYOUTS (default 100) USDC payouts created through the real route handler of
//          POST /api/v1/payouts (API key, validation, Idempotency-Key, ledger debit) — the API
//          latency p50/p99 is measured there — then approved at once; the embedded runner's payout
//          job (lib/jobs/jobs.ts payoutJob, every 250 ms) signs them with pipelined nonces,
//          broadcasts and confirms them (2 confirmations, chains.yaml `local`). Time = last approval
//          → last payout recorded `confirmed`.
// Baseline: the same kind of USDC transfer sent the classic way from one account in the same run:
//          send, wait for the receipt and 2 confirmations, next. BENCH_BASELINE (default 10)
//          transfers are timed and the per-transfer time is multiplied by BENCH_PAYOUTS.
// Ledger: afterwards every balance must equal the sum of its entries, and the books must equal the
//          hot wallet's on-chain USDC and ETH.
// The hot wallet is funded by real transfers from an Anvil account recorded as `adjustment` entries
// (sweeping real payments into it is covered by lib/balances/balance-mode-sweep.test.ts).

import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english";
import { createPublicClient, createWalletClient, erc20Abi, type Hash, http, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { foundry } from "viem/chains";
import { OPERATOR, userActor } from "@/lib/access/actor";
import { createApiKey } from "../lib/api-keys/create-api-key";
import { findLedgerMismatches } from "../lib/balances/find-ledger-mismatches";
import { postLedgerEntry } from "../lib/balances/post-ledger-entry";
import { ZChain } from "../lib/config/chains";
import { databaseUrlFor, withAdmin } from "../lib/db/admin";
import { createDb } from "../lib/db/client";
import { migrateDatabase } from "../lib/db/migrate";
import { MOCK_USDC_ADDRESS } from "../lib/devnet/mock-usdc";
import { anvilDefaultAccounts, setupDevnet } from "../lib/devnet/setup-devnet";
import { payoutJob } from "../lib/jobs/jobs";
import { createLogger } from "../lib/logger";
import { createMerchant } from "../lib/merchants/create-merchant";
import { toBigInt } from "../lib/payments/payment-object";
import { approvePayout } from "../lib/payouts/review-payout";
import { startAnvil } from "../lib/runtime/anvil";
import { startEmbeddedPostgres } from "../lib/runtime/embedded-postgres";
import { setTreasurySetting } from "../lib/settlement/set-treasury-setting";
import { hotWalletSigner } from "../lib/transactions/signing-accounts";
import { tipReportLine } from "./effective-tip";

const PAYOUTS = Number(process.env.BENCH_PAYOUTS ?? 100);
const BASELINE = Number(process.env.BENCH_BASELINE ?? 10);
const API_CONCURRENCY = 10;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

export async function runPayoutBenchmark(ports: { postgresPort: number; anvilPort: number }) {
  const { postgresPort, anvilPort } = ports;
  const workDir = mkdtempSync(join(tmpdir(), "ctrip-bench-payouts-"));
  chmodSync(workDir, 0o755);
  const postgres = await startEmbeddedPostgres({
    dataDir: join(workDir, "postgres"),
    port: postgresPort,
    database: "postgres",
    persistent: false,
  });
  const anvil = await startAnvil({ port: anvilPort, blockTime: 1 });
  try {
    await setupDevnet(anvil.rpcUrl, { tokenAddress: MOCK_USDC_ADDRESS, fundAccounts: 2 });
    await withAdmin(postgres.adminUrl, (client) => client.query(`CREATE DATABASE "bench_payouts"`));
    const databaseUrl = databaseUrlFor(postgres.adminUrl, "bench_payouts");
    await migrateDatabase(databaseUrl);
    if (databaseUrl !== process.env.DATABASE_URL)
      throw new Error(`bench database ${databaseUrl} is not DATABASE_URL ${process.env.DATABASE_URL}`);
    const db = createDb(databaseUrl);
    const logger = createLogger({}, { level: "error" });
    const chain = ZChain.parse({
      name: "local",
      chainId: 31337,
      rpcUrls: [anvil.rpcUrl],
      confirmations: 2,
      blockTime: 1,
      nativeCurrency: { symbol: "ETH", decimals: 18 },
      explorerUrl: null,
      tokens: [{ symbol: "USDC", address: MOCK_USDC_ADDRESS, decimals: 6 }],
    });
    const transport = http(anvil.rpcUrl);
    const publicClient = createPublicClient({ chain: foundry, transport, pollingInterval: 50 });
    const [funder, baselineSender] = anvilDefaultAccounts(2);
    if (!funder || !baselineSender) throw new Error("no Anvil accounts");

    const mnemonic = generateMnemonic(wordlist);
    const merchant = await createMerchant(
      db,
      { name: "Bench", email: "bench@example.com", password: "pw" },
      mnemonic,
    );
    await setTreasurySetting({ actor: OPERATOR, db, chains: [chain] }, merchant.merchantId, {
      chain: "local",
      mode: "balance",
    });
    const { apiKey } = await createApiKey(
      { db: db, actor: OPERATOR },
      { merchantId: merchant.merchantId, name: "bench" },
    );
    const hotWallet = hotWalletSigner(mnemonic, merchant.hdAccount).address;

    // Fund the hot wallet with real transfers and book them.
    const funderWallet = createWalletClient({ chain: foundry, account: funder, transport });
    const usdcFunding = BigInt(PAYOUTS) * 10n * 10n ** 6n;
    const ethFunding = parseEther("10");
    for (const hash of [
      await funderWallet.sendTransaction({ to: hotWallet, value: ethFunding }),
      await funderWallet.writeContract({
        address: MOCK_USDC_ADDRESS,
        abi: erc20Abi,
        functionName: "transfer",
        args: [hotWallet, usdcFunding],
      }),
    ])
      await publicClient.waitForTransactionReceipt({ hash });
    for (const [tokenSymbol, amount] of [
      ["ETH", ethFunding],
      ["USDC", usdcFunding],
    ] as const)
      await db.$transaction((tx) =>
        postLedgerEntry(tx, {
          merchantId: merchant.merchantId,
          chain: "local",
          tokenSymbol,
          type: "adjustment",
          amount,
          description: "bench funding",
        }),
      );

    // ── Baseline: sequential send-and-wait ──────────────────────────────────────────────────────
    const baselineWallet = createWalletClient({ chain: foundry, account: baselineSender, transport });
    const baselineStarted = performance.now();
    for (let i = 0; i < BASELINE; i++) {
      const hash = await baselineWallet.writeContract({
        address: MOCK_USDC_ADDRESS,
        abi: erc20Abi,
        functionName: "transfer",
        args: [privateKeyToAddress(generatePrivateKey()), 1_000_000n],
      });
      await publicClient.waitForTransactionReceipt({ hash, confirmations: chain.confirmations });
    }
    const baselinePerPayout = (performance.now() - baselineStarted) / BASELINE;

    // ── Gateway: API creation, approval, pipelined execution ─────────────────────────────────────
    const route = await import("../app/api/v1/payouts/route");
    const latencies: number[] = [];
    const ids: string[] = [];
    const recipients = Array.from({ length: PAYOUTS }, () => privateKeyToAddress(generatePrivateKey()));
    let next = 0;
    let apiErrors = 0;
    await Promise.all(
      Array.from({ length: API_CONCURRENCY }, async () => {
        while (next < recipients.length) {
          const index = next++;
          const started = performance.now();
          const response = await route.POST(
            new Request("http://localhost/api/v1/payouts", {
              method: "POST",
              headers: {
                authorization: `Bearer ${apiKey}`,
                "content-type": "application/json",
                "idempotency-key": `bench-${index}`,
              },
              body: JSON.stringify({
                chain: "local",
                token: "USDC",
                amount: "2.5",
                address: recipients[index],
              }),
            }),
            { params: Promise.resolve({}) },
          );
          latencies.push(performance.now() - started);
          if (response.status !== 201) {
            apiErrors += 1;
            continue;
          }
          ids.push(((await response.json()) as { id: string }).id);
        }
      }),
    );
    latencies.sort((a, b) => a - b);

    await Promise.all(
      ids.map((id) =>
        approvePayout(
          {
            db,
            chains: [chain],
            actor: userActor({ merchantId: merchant.merchantId, userId: merchant.userId, role: "owner" }),
          },
          merchant.merchantId,
          id,
        ),
      ),
    );
    const approvedAt = performance.now();
    const context = { db, chains: [chain], logger, mnemonic };
    const interval = payoutJob.intervalMs(context);
    let confirmedAt = Number.NaN;
    let signedAt = Number.NaN;
    const deadline = approvedAt + 120_000;
    while (performance.now() < deadline) {
      await payoutJob.run(context);
      if (Number.isNaN(signedAt)) {
        const unsigned = await db.payout.count({ where: { id: { in: ids }, status: "approved" } });
        if (unsigned === 0) signedAt = performance.now();
      }
      const open = await db.payout.count({
        where: { id: { in: ids }, status: { in: ["approved", "sent"] } },
      });
      if (open === 0) {
        confirmedAt = performance.now();
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
    const confirmed = await db.payout.count({ where: { id: { in: ids }, status: "confirmed" } });
    const failed = await db.payout.count({ where: { id: { in: ids }, status: "failed" } });
    const gatewaySeconds = (confirmedAt - approvedAt) / 1000;
    const baselineSeconds = (baselinePerPayout * PAYOUTS) / 1000;

    // ── Ledger reconciliation ────────────────────────────────────────────────────────────────────
    const mismatches = await findLedgerMismatches(db);
    const balances = await db.balance.findMany({ where: { merchantId: merchant.merchantId } });
    const book = (symbol: string) =>
      toBigInt(balances.find((b) => b.tokenSymbol === symbol)?.available ?? { toFixed: () => "0" });
    const onChainUsdc = await publicClient.readContract({
      address: MOCK_USDC_ADDRESS,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [hotWallet],
    });
    const onChainEth = await publicClient.getBalance({ address: hotWallet });
    const sent = await db.payout.findMany({
      where: { id: { in: ids }, txHash: { not: null } },
      select: { txHash: true },
    });
    const tipLine = await tipReportLine(
      publicClient,
      sent.flatMap((payout) => (payout.txHash ? [payout.txHash as Hash] : [])),
    );
    const usdcDifference = onChainUsdc - book("USDC");
    const ethDifference = onChainEth - book("ETH");

    process.stdout.write(
      `payouts: ${PAYOUTS} USDC payouts from one hot wallet, Anvil 1 s blocks, ${chain.confirmations} confirmations\n` +
        "measure | value\n" +
        `API POST /api/v1/payouts (${API_CONCURRENCY} concurrent) | p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, ${apiErrors} errors\n` +
        `gateway: approval → all confirmed | ${confirmed === PAYOUTS ? `${gatewaySeconds.toFixed(2)} s` : "did not finish"} (${confirmed} of ${PAYOUTS} confirmed, ${failed} failed)\n` +
        `  of which approval → all signed and sent | ${((signedAt - approvedAt) / 1000).toFixed(2)} s\n` +
        `baseline: sequential send-and-wait | ${(baselinePerPayout / 1000).toFixed(2)} s per payout (${BASELINE} measured) → ${baselineSeconds.toFixed(1)} s for ${PAYOUTS}\n` +
        `speed-up | ${confirmed === PAYOUTS ? `${(baselineSeconds / gatewaySeconds).toFixed(1)}×` : "n/a (not all confirmed)"}\n` +
        `${tipLine}\n` +
        `ledger | ${mismatches.length} balance/entry mismatches; hot wallet − books: USDC ${usdcDifference}, ETH ${ethDifference} wei\n` +
        "targets: all confirmed within 5 s of approval, ≥ 10× the baseline, ledger difference 0\n",
    );
    await db.$disconnect();
    const ok =
      apiErrors === 0 &&
      confirmed === PAYOUTS &&
      mismatches.length === 0 &&
      usdcDifference === 0n &&
      ethDifference === 0n;
    process.exitCode = ok ? 0 : 1;
  } finally {
    await anvil.stop();
    await postgres.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}
