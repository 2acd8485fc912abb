// The canonical chain as the judge of a scanned database: what each deposit address received on
// the chain itself, the comparable final state of every payment, and a replay (the same payments,
// as created, scanned from scratch in a second database). Used by the reorg tests.
import { type Address, erc20Abi } from "viem";
import { MOCK_USDC_ADDRESS } from "../devnet/mock-usdc";
import { scanChain } from "../scanner/scan-chain";
import type { TestDatabase } from "./database";
import { BASE_URL, type ScannerFixture } from "./scanner-fixture";

export type PlannedPayment = { id: string; address: Address; native: boolean; units: bigint };

/** What each deposit address received on the canonical chain, read from the chain itself. */
export async function canonicalReceipts(fx: ScannerFixture, payments: PlannedPayment[], fromBlock: bigint) {
  const received = new Map(payments.map((payment) => [payment.address.toLowerCase(), 0n]));
  const tokenAddresses = new Set(payments.filter((p) => !p.native).map((p) => p.address.toLowerCase()));
  const nativeAddresses = new Set(payments.filter((p) => p.native).map((p) => p.address.toLowerCase()));
  const head = await fx.publicClient.getBlockNumber({ cacheTime: 0 });
  const logs = await fx.publicClient.getLogs({
    address: MOCK_USDC_ADDRESS,
    event: erc20Abi.find((item) => item.type === "event" && item.name === "Transfer") as never,
    fromBlock,
    toBlock: head,
  });
  for (const log of logs as unknown as { args: { to: Address; value: bigint } }[]) {
    const to = log.args.to.toLowerCase();
    if (tokenAddresses.has(to)) received.set(to, (received.get(to) ?? 0n) + log.args.value);
  }
  for (let number = fromBlock; number <= head; number++) {
    const block = await fx.publicClient.getBlock({ blockNumber: number, includeTransactions: true });
    for (const transaction of block.transactions) {
      const to = transaction.to?.toLowerCase();
      if (to && nativeAddresses.has(to) && transaction.value > 0n)
        received.set(to, (received.get(to) ?? 0n) + transaction.value);
    }
  }
  return received;
}

/** The comparable final state of every payment of a database. */
export async function finalState(db: TestDatabase["db"]) {
  const payments = await db.payment.findMany({
    orderBy: { id: "asc" },
    select: {
      id: true,
      status: true,
      exception: true,
      amountReceived: true,
      transfers: {
        where: { status: { not: "reverted" } },
        select: { txHash: true, logIndex: true, amount: true, blockHash: true, status: true },
        orderBy: [{ blockNumber: "asc" }, { logIndex: "asc" }],
      },
    },
  });
  return payments.map((payment) => ({
    ...payment,
    amountReceived: payment.amountReceived.toFixed(),
    transfers: payment.transfers.map((transfer) => ({ ...transfer, amount: transfer.amount.toFixed() })),
  }));
}

/** The final state of the same payments, as created, in `replay` scanned from scratch. */
export async function replayedState(database: TestDatabase, replay: TestDatabase, fx: ScannerFixture) {
  const merchant = await database.db.merchant.findUniqueOrThrow({ where: { id: fx.merchant.merchantId } });
  await replay.db.merchant.create({
    data: { ...merchant, acceptedCoins: merchant.acceptedCoins ?? undefined },
  });
  const created = await database.db.payment.findMany();
  await replay.db.payment.createMany({
    data: created.map((payment) => ({
      ...payment,
      metadata: payment.metadata ?? {},
      status: "pending" as const,
      exception: null,
      amountReceived: 0,
      confirmations: 0,
      detectedAt: null,
      confirmedAt: null,
      settledAt: null,
    })),
  });
  await scanChain(
    { db: replay.db, client: fx.client, chain: fx.chain, baseUrl: BASE_URL },
    { maxRanges: 10_000 },
  );
  return finalState(replay.db);
}
