// `npm run bench:sweeps`: gas used per native and per ERC-20 sweep, on a real Anvil node with a real
// embedded PostgreSQL: BENCH_SWEEPS (default 10) native and as many USDC payments are paid from an
// Anvil account, detected and confirmed by the chain watcher (scanChain) and swept by the embedded
// sweeper's service (runSweeps) to a treasury. Baseline, measured in the same run: the payer's own
// transfers into the deposit addresses (a plain ETH transfer; a USDC `transfer` to a fresh holder).

import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Address, createPublicClient, createWalletClient, erc20Abi, type Hash, http } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { OPERATOR } from "@/lib/access/actor";
import { createChainClient } from "../lib/chains/public-client";
import { ZChain } from "../lib/config/chains";
import { DEVELOPMENT_MNEMONIC } from "../lib/config/env";
import { databaseUrlFor, withAdmin } from "../lib/db/admin";
import { createDb } from "../lib/db/client";
import { migrateDatabase } from "../lib/db/migrate";
import { MOCK_USDC_ADDRESS } from "../lib/devnet/mock-usdc";
import { anvilDefaultAccounts, setupDevnet } from "../lib/devnet/setup-devnet";
import { createMerchant } from "../lib/merchants/create-merchant";
import { createPayment } from "../lib/payments/create-payment";
import { startAnvil } from "../lib/runtime/anvil";
import { startEmbeddedPostgres } from "../lib/runtime/embedded-postgres";
import { freePort } from "../lib/runtime/free-port";
import { scanChain } from "../lib/scanner/scan-chain";
import { runSweeps } from "../lib/settlement/run-sweeps";
import { setTreasurySetting } from "../lib/settlement/set-treasury-setting";
import { gasTankAddress } from "../lib/transactions/signing-accounts";
import { tipReportLine } from "./effective-tip";

const SWEEPS = Number(process.env.BENCH_SWEEPS ?? 10);
const BASE_URL = "http://127.0.0.1:3000";

function stats(values: bigint[]) {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const sum = sorted.reduce((total, value) => total + value, 0n);
  return {
    min: sorted[0] ?? 0n,
    max: sorted.at(-1) ?? 0n,
    mean: sorted.length ? sum / BigInt(sorted.length) : 0n,
  };
}

async function main() {
  const workDir = mkdtempSync(join(tmpdir(), "ctrip-bench-sweeps-"));
  chmodSync(workDir, 0o755);
  const postgres = await startEmbeddedPostgres({
    dataDir: join(workDir, "postgres"),
    port: await freePort(),
    database: "postgres",
    persistent: false,
  });
  const anvil = await startAnvil({ port: await freePort() });
  try {
    await withAdmin(postgres.adminUrl, (client) => client.query(`CREATE DATABASE "bench_sweeps"`));
    const url = databaseUrlFor(postgres.adminUrl, "bench_sweeps");
    await migrateDatabase(url);
    const db = createDb(url);
    await setupDevnet(anvil.rpcUrl, {
      tokenAddress: MOCK_USDC_ADDRESS,
      fundAccounts: 2,
      gasTank: gasTankAddress(DEVELOPMENT_MNEMONIC),
    });
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
    const client = createChainClient(chain);
    const publicClient = createPublicClient({ transport: http(anvil.rpcUrl), pollingInterval: 50 });
    // Account 1 pays: account 0 is the development seed's gas tank.
    const payer = anvilDefaultAccounts(2)[1] as Address;
    const wallet = createWalletClient({ account: payer, transport: http(anvil.rpcUrl) });
    const merchant = await createMerchant(db, {
      name: "Bench",
      email: "bench@example.com",
      password: "benchmark",
    });
    const treasury = privateKeyToAddress(generatePrivateKey());
    await setTreasurySetting({ actor: OPERATOR, db, chains: [chain] }, merchant.merchantId, {
      chain: "local",
      address: treasury,
    });
    const scan = () => scanChain({ db, client, chain, baseUrl: BASE_URL }, { maxRanges: 1_000 });
    await scan();

    const payments: Hash[] = [];
    for (let i = 0; i < SWEEPS * 2; i++) {
      const native = i % 2 === 0;
      const payment = await createPayment(
        { actor: OPERATOR, db, chains: [chain], baseUrl: BASE_URL },
        merchant.merchantId,
        {
          chain: "local",
          token: native ? undefined : "USDC",
          amount: native ? `0.${i + 1}` : `${i + 1}.25`,
        },
      );
      const units = BigInt(payment.amount_base_units);
      const to = payment.address as Address;
      payments.push(
        native
          ? await wallet.sendTransaction({ chain: null, to, value: units })
          : await wallet.writeContract({
              chain: null,
              address: MOCK_USDC_ADDRESS,
              abi: erc20Abi,
              functionName: "transfer",
              args: [to, units],
            }),
      );
    }
    const receipts = await Promise.all(
      payments.map((hash) => publicClient.waitForTransactionReceipt({ hash })),
    );
    await publicClient.request({ method: "anvil_mine" as never, params: ["0x2"] as never });
    await scan();

    const started = Date.now();
    for (let pass = 0; pass < 40; pass++) {
      await runSweeps({ db, chains: [chain], mnemonic: DEVELOPMENT_MNEMONIC }, { limit: 1_000 });
      await publicClient.request({ method: "anvil_mine" as never, params: ["0x1"] as never });
      if ((await db.payment.count({ where: { status: "settled" } })) === SWEEPS * 2) break;
    }
    const seconds = (Date.now() - started) / 1000;
    const sweeps = await db.sweep.findMany({
      where: { status: "confirmed" },
      select: {
        tokenAddress: true,
        gasUsed: true,
        gasFundGasUsed: true,
        txHash: true,
        gasFundTxHashes: true,
      },
    });
    const native = sweeps.filter((sweep) => !sweep.tokenAddress).map((sweep) => sweep.gasUsed ?? 0n);
    const topUps = sweeps.filter((sweep) => sweep.tokenAddress).map((sweep) => sweep.gasFundGasUsed ?? 0n);
    const transfers = sweeps.filter((sweep) => sweep.tokenAddress).map((sweep) => sweep.gasUsed ?? 0n);
    const tokenTotals = sweeps
      .filter((sweep) => sweep.tokenAddress)
      .map((sweep) => (sweep.gasUsed ?? 0n) + (sweep.gasFundGasUsed ?? 0n));
    const baselineNative = receipts.filter((_, i) => i % 2 === 0).map((receipt) => receipt.gasUsed);
    const baselineToken = receipts.filter((_, i) => i % 2 === 1).map((receipt) => receipt.gasUsed);
    const row = (label: string, values: bigint[], baseline?: bigint[]) => {
      const s = stats(values);
      const ratio = baseline ? (Number(s.mean) / Number(stats(baseline).mean)).toFixed(2) : "";
      return `${label} | ${values.length} | ${s.min} | ${s.mean} | ${s.max} | ${ratio}`;
    };
    process.stdout.write(
      `sweeps: ${SWEEPS} native + ${SWEEPS} USDC, settled ${await db.payment.count({ where: { status: "settled" } })}` +
        ` of ${SWEEPS * 2} in ${seconds.toFixed(1)} s (Anvil instant mining)\n` +
        "gas used | n | min | mean | max | × baseline\n" +
        [
          row("baseline: payer ETH transfer", baselineNative),
          row("baseline: payer USDC transfer", baselineToken),
          row("native sweep", native, baselineNative),
          row("ERC-20 sweep: gas-tank top-up", topUps, baselineNative),
          row("ERC-20 sweep: token transfer", transfers, baselineToken),
          row("ERC-20 sweep: total", tokenTotals, baselineToken),
        ].join("\n") +
        "\n" +
        `${await tipReportLine(
          publicClient,
          sweeps.flatMap(
            (sweep) => [...sweep.gasFundTxHashes, ...(sweep.txHash ? [sweep.txHash] : [])] as Hash[],
          ),
        )}\n`,
    );
    await db.$disconnect();
    if (sweeps.length !== SWEEPS * 2) process.exitCode = 1;
  } finally {
    await anvil.stop();
    await postgres.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
