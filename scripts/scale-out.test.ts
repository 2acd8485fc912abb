// Scale-out on one machine, as the README documents it: `npm start`, then a second `npm start` with
// another PORT and `npm run worker` from the same folder. Both extra processes join the first one's
// embedded PostgreSQL and Anvil devnet, so three job runners work on one database and one chain.
// Payments created through either instance and paid on Anvil are detected, credited, swept and
// announced exactly once.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Address, createPublicClient, createWalletClient, http, parseEther } from "viem";
import { afterAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../lib/access/actor";
import { createApiKey } from "../lib/api-keys/create-api-key";
import { createDb, type Db } from "../lib/db/client";
import { anvilDefaultAccounts } from "../lib/devnet/setup-devnet";
import { freePort } from "../lib/runtime/free-port";
import { acquireBuildLock } from "../lib/testing/build-lock";
import { type GatewayProcess, startGatewayProcess } from "../lib/testing/gateway-process";
import { unspentGasReserve } from "../lib/testing/unspent-gas-reserve";
import { startWebhookReceiver, type WebhookReceiver } from "../lib/testing/webhook-receiver";
import { type WorkerProcess, workerProcess } from "../lib/testing/worker-process";

const dataDir = mkdtempSync(join(tmpdir(), "ctrip-scale-"));
// As root the embedded PostgreSQL runs as another user, who must be able to enter the folder.
chmodSync(dataDir, 0o755);
const gateways: GatewayProcess[] = [];
let worker: WorkerProcess | undefined;
let receiver: WebhookReceiver | undefined;
let db: Db | undefined;

afterAll(async () => {
  await db?.$disconnect();
  await worker?.stop();
  for (const gateway of gateways.reverse()) await gateway.stop();
  for (const gateway of gateways) gateway.kill();
  await receiver?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const PAYMENTS = 6;

describe("two app instances and a worker on one database and one devnet", () => {
  it("both serve the API; nothing is detected, credited, swept or announced twice", {
    timeout: 900_000,
  }, async () => {
    const anvilPort = String(await freePort());
    const shared = {
      CTRIP_DATA_DIR: dataDir,
      ANVIL_PORT: anvilPort,
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      LOG_LEVEL: "warn",
    };
    // The first start may build the app: never alongside another test file's `npm start` build.
    const releaseBuild = await acquireBuildLock(resolve(import.meta.dirname, ".."));
    const first = startGatewayProcess({ ...shared, PORT: String(await freePort()) });
    gateways.push(first);
    await first.waitUntilHealthy(600_000).finally(releaseBuild);
    // The documented second instance: the same command with another PORT, from the same folder.
    const second = startGatewayProcess({ ...shared, PORT: String(await freePort()) });
    gateways.push(second);
    await second.waitUntilHealthy(120_000);
    expect(second.output()).toContain("this instance joins it");
    expect(second.output()).toContain(`local chain: using the node at http://127.0.0.1:${anvilPort}`);
    // At info level: its start is recognised by the runner's "embedded job runner started" line.
    worker = workerProcess({ ...shared, LOG_LEVEL: "info" });
    await worker.start();

    const { databaseUrl } = JSON.parse(readFileSync(join(dataDir, "runtime.json"), "utf8")) as {
      databaseUrl: string;
    };
    db = createDb(databaseUrl, { maxConnections: 2 });
    const demo = await db.user.findFirstOrThrow({
      where: { email: "demo@ctrip.local" },
      select: { merchantId: true },
    });
    const { apiKey: secret } = await createApiKey(
      { db, actor: OPERATOR },
      { merchantId: demo.merchantId, name: "scale-out" },
    );
    const api = async (gateway: GatewayProcess, method: string, path: string, body?: unknown) => {
      const response = await fetch(`${gateway.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await response.json()) as Record<string, unknown>;
      expect(response.status, JSON.stringify(json)).toBeLessThan(300);
      return json;
    };

    receiver = await startWebhookReceiver();
    await api(second, "POST", "/api/v1/webhook-endpoints", { url: receiver.url });

    // Created through both instances, alternately.
    const payments: { id: string; address: Address }[] = [];
    for (let index = 0; index < PAYMENTS; index++) {
      const created = await api(index % 2 === 0 ? first : second, "POST", "/api/v1/payments", {
        chain: "local",
        amount: "0.01",
      });
      payments.push({ id: String(created.id), address: created.address as Address });
    }
    const rpcUrl = `http://127.0.0.1:${anvilPort}`;
    const wallet = createWalletClient({ transport: http(rpcUrl) });
    const chain = createPublicClient({ transport: http(rpcUrl) });
    const [payer] = anvilDefaultAccounts(8).slice(7) as [Address];
    for (const payment of payments)
      await wallet.sendTransaction({
        account: payer,
        chain: null,
        to: payment.address,
        value: parseEther("0.01"),
      });

    // Read through the other instance than the one that created each payment.
    await expect
      .poll(
        async () => {
          const statuses = await Promise.all(
            payments.map(async (payment, index) => {
              const read = await api(
                index % 2 === 0 ? second : first,
                "GET",
                `/api/v1/payments/${payment.id}`,
              );
              return read.status;
            }),
          );
          return statuses;
        },
        { timeout: 180_000, interval: 1_000 },
      )
      .toEqual(payments.map(() => "settled"));

    const ids = payments.map((payment) => payment.id);
    // Detected and credited once: one transfer per payment, credited at the amount paid.
    const transfers = await db.transfer.groupBy({
      by: ["paymentId"],
      where: { paymentId: { in: ids } },
      _count: true,
    });
    expect(transfers.map((row) => row._count)).toEqual(payments.map(() => 1));
    for (const payment of payments) {
      const read = await api(first, "GET", `/api/v1/payments/${payment.id}`);
      expect(read.amount_received).toBe("0.01");
    }
    // Swept once: one sweep row, and one transaction ever sent from each deposit address.
    expect(await db.sweep.count({ where: { paymentId: { in: ids } } })).toBe(PAYMENTS);
    for (const payment of payments) {
      expect(await chain.getTransactionCount({ address: payment.address })).toBe(1);
      // What the sweep reserved for gas and did not burn stays there (its tip is below the max fee).
      const sweep = await db.sweep.findFirstOrThrow({ where: { paymentId: payment.id } });
      expect(await chain.getBalance({ address: payment.address })).toBe(
        await unspentGasReserve(chain, sweep.txHash),
      );
    }
    // Announced once: each event type once per payment, one delivery per event, one POST received per event.
    const events = await db.event.findMany({
      where: { objectId: { in: ids } },
      select: { id: true, objectId: true, type: true },
    });
    const perPaymentAndType = new Map<string, number>();
    for (const event of events) {
      const key = `${event.objectId} ${event.type}`;
      perPaymentAndType.set(key, (perPaymentAndType.get(key) ?? 0) + 1);
    }
    // The first payment's timeline, to see why when a duplicate shows up.
    const timeline = await db.paymentStatusChange.findMany({
      where: { paymentId: ids[0] },
      orderBy: { createdAt: "asc" },
      select: { fromStatus: true, toStatus: true, reason: true, createdAt: true },
    });
    expect(
      [...perPaymentAndType.values()].every((count) => count === 1),
      JSON.stringify({ counts: [...perPaymentAndType], timeline }),
    ).toBe(true);
    for (const type of ["payment.created", "payment.detected", "payment.confirmed"])
      expect(events.filter((event) => event.type === type)).toHaveLength(PAYMENTS);
    const eventIds = new Set(events.map((event) => event.id));
    const deliveries = await db.webhookDelivery.groupBy({
      by: ["eventId"],
      where: { eventId: { in: [...eventIds] } },
      _count: true,
    });
    expect(deliveries).toHaveLength(eventIds.size);
    expect(deliveries.every((row) => row._count === 1)).toBe(true);
    const announced = () =>
      (receiver?.received ?? [])
        .map((webhook) => (JSON.parse(webhook.body) as { id: string }).id)
        .filter((id) => eventIds.has(id));
    await expect.poll(() => new Set(announced()).size, { timeout: 30_000 }).toBe(eventIds.size);
    expect(announced()).toHaveLength(eventIds.size);

    // Both instances still serve the API and report healthy.
    for (const gateway of [first, second]) {
      expect((await fetch(`${gateway.baseUrl}/api/health`)).status).toBe(200);
      expect((await api(gateway, "GET", "/api/v1/payments?limit=1")).data).toHaveLength(1);
    }
  });
});
