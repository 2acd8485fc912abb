// The API as the OpenAPI document lists it (OPERATIONS), callable in-process through the real route
// handlers, plus a world of two merchants with real objects of every id prefix the API exposes. Used
// by the fuzz and authorization-matrix tests, so a new operation is covered as soon as it is listed.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestClient, http } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { foundry } from "viem/chains";
import { inject, vi } from "vitest";
import { OPERATOR } from "../access/actor";
import { API_KEY_PERMISSIONS, type TApiKeyPermission } from "../access/permissions";
import { createApiKey, revokeApiKey } from "../api-keys/create-api-key";
import type { TChain } from "../config/chains";
import { mockUsdcArtifact } from "../devnet/mock-usdc";
import type { IdPrefix } from "../ids";
import { createMerchant } from "../merchants/create-merchant";
import type { OPERATIONS } from "../openapi/build-openapi-document";
import { createPayment } from "../payments/create-payment";
import { createTestDatabase, type TestDatabase } from "./database";
import { testChain } from "./test-chain";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver";

export type ApiOperation = (typeof OPERATIONS)[number];
type RouteHandler = (
  request: Request,
  context: { params: Promise<Record<string, string | string[] | undefined>> },
) => Promise<Response>;

const APP_DIR = fileURLToPath(new URL("../../app", import.meta.url));

/** `app/api/v1/payments/[id]/cancel/route.ts` for `/api/v1/payments/{id}/cancel`. */
export function routeFileOf(path: string): string {
  return join(
    APP_DIR,
    ...path
      .split("/")
      .filter(Boolean)
      .map((part) => part.replace(/^\{([\w.]+)\}$/, "[$1]")),
    "route.ts",
  );
}

/** The exported handler of an operation's route file (imported after the environment is set). */
export async function routeHandlerOf(path: string, method: string): Promise<RouteHandler> {
  const module = (await import(routeFileOf(path))) as Record<string, unknown>;
  const handler = module[method.toUpperCase()];
  if (typeof handler !== "function")
    throw new Error(`${routeFileOf(path)} exports no ${method.toUpperCase()}`);
  return handler as RouteHandler;
}

export type ApiMerchant = {
  merchantId: string;
  apiKey: string;
  objectIds: Partial<Record<IdPrefix, string>>;
  /** The merchant's payment's deposit address: data no other merchant may see. */
  depositAddress: string;
};

export type ApiWorld = {
  database: TestDatabase;
  receiver: WebhookReceiver;
  chain: TChain;
  a: ApiMerchant;
  b: ApiMerchant;
  /** A key of merchant A, revoked. */
  revokedKey: string;
  /** A new key of merchant A holding exactly these permissions (none named: the default set). */
  keyWith(permissions?: readonly TApiKeyPermission[]): Promise<string>;
  close(): Promise<void>;
};

/**
 * A fresh database, a chains file pointing at the test Anvil, and merchants A and B, each with a
 * webhook endpoint (to a local receiver), a payment, its `payment.created` event and that event's
 * webhook delivery, and a balance (balance mode, 100 USDC) with a payout pending approval. Call before importing any route: the route modules read the environment once.
 */
export async function createApiWorld(
  env: Record<string, string> = {},
  options: { extraTokens?: TChain["tokens"] } = {},
): Promise<ApiWorld> {
  const database = await createTestDatabase();
  const receiver = await startWebhookReceiver(() => 200);
  // The world's own USDC (the mock's code at a fresh address): balance reads work whatever other
  // test files did to the shared Anvil.
  const usdcAddress = privateKeyToAddress(generatePrivateKey());
  await createTestClient({ chain: foundry, mode: "anvil", transport: http(inject("anvilRpcUrl")) }).setCode({
    address: usdcAddress,
    bytecode: mockUsdcArtifact.deployedBytecode,
  });
  const chain = testChain({
    tokens: [{ symbol: "USDC", address: usdcAddress, decimals: 6 }, ...(options.extraTokens ?? [])],
  });
  const dir = mkdtempSync(join(tmpdir(), "ctrip-api-world-"));
  const chainsFile = join(dir, "chains.yaml");
  writeFileSync(chainsFile, JSON.stringify({ chains: [{ ...chain, rpcUrls: [inject("anvilRpcUrl")] }] }));
  Object.assign(process.env, {
    DATABASE_URL: database.databaseUrl,
    CHAINS_FILE: chainsFile,
    LOG_LEVEL: "error",
    ...env,
  });
  vi.resetModules();

  const { createWebhookEndpoint } = await import("../webhooks/create-webhook-endpoint");
  const { listWebhookDeliveries } = await import("../webhooks/list-webhook-deliveries");
  const { listEvents } = await import("../events/list-events");
  const { webhookDeps } = await import("../webhooks/webhook-deps");
  const { createLogger } = await import("../logger");
  const { setTreasurySetting } = await import("../settlement/set-treasury-setting");
  const { postLedgerEntry } = await import("../balances/post-ledger-entry");
  const { createPayout } = await import("../payouts/create-payout");
  const { setPayoutLimits } = await import("../payouts/payout-limits");
  const logger = createLogger({}, { level: "error" });

  async function merchant(name: string): Promise<ApiMerchant> {
    const { merchantId } = await createMerchant(database.db, {
      name,
      email: `${name.toLowerCase()}-${Date.now()}@example.com`,
      password: "password-123",
    });
    // The owner's first key: every API permission, so the matrix and the fuzz reach every route.
    const { apiKey } = await createApiKey(
      { db: database.db, actor: OPERATOR },
      { merchantId, name, permissions: API_KEY_PERMISSIONS },
    );
    const endpoint = await createWebhookEndpoint(
      { ...webhookDeps(database.db, logger), actor: OPERATOR },
      merchantId,
      {
        url: receiver.url,
      },
    );
    const payment = await createPayment(
      { actor: OPERATOR, db: database.db, chains: [chain], baseUrl: "http://localhost" },
      merchantId,
      { chain: chain.name, amount: "1" },
    );
    const events = await listEvents({ db: database.db, actor: OPERATOR }, merchantId, { limit: 1 });
    const deliveries = await listWebhookDeliveries({ db: database.db, actor: OPERATOR }, merchantId, {
      limit: 1,
    });
    const [event] = events.data;
    const [delivery] = deliveries.data;
    if (!event || !delivery) throw new Error("api world: the payment recorded no event or delivery");
    // Balance mode with 100 USDC, and a payout waiting for approval.
    await setTreasurySetting({ actor: OPERATOR, db: database.db, chains: [chain] }, merchantId, {
      chain: chain.name,
      mode: "balance",
    });
    await database.db.$transaction((tx) =>
      postLedgerEntry(tx, {
        merchantId,
        chain: chain.name,
        tokenSymbol: "USDC",
        type: "adjustment",
        amount: 100_000_000n,
      }),
    );
    const payout = await createPayout({ actor: OPERATOR, db: database.db, chains: [chain] }, merchantId, {
      chain: chain.name,
      token: "USDC",
      amount: "1",
      address: privateKeyToAddress(generatePrivateKey()),
    });
    // A scheduled money-routing change (auto-approval waits for the delay) the owner may cancel.
    const limits = await setPayoutLimits(
      { db: database.db, chains: [chain], actor: OPERATOR, delaySeconds: 86_400 },
      merchantId,
      { chain: chain.name, token: "USDC", auto_approve_below: "5" },
    );
    if (!limits.pending_change) throw new Error("api world: the auto-approval change was not scheduled");
    return {
      merchantId,
      apiKey,
      objectIds: {
        pay: payment.id,
        evt: event.id,
        we: endpoint.id,
        wd: delivery.id,
        po: payout.id,
        chg: limits.pending_change.id,
      },
      depositAddress: payment.address,
    };
  }
  const a = await merchant("A");
  const b = await merchant("B");
  const revoked = await createApiKey(
    { db: database.db, actor: OPERATOR },
    { merchantId: a.merchantId, name: "revoked" },
  );
  await revokeApiKey({ db: database.db, actor: OPERATOR }, { merchantId: a.merchantId, id: revoked.id });

  let lastKeyId: string | undefined;
  return {
    database,
    receiver,
    chain,
    a,
    b,
    revokedKey: revoked.apiKey,
    async keyWith(permissions) {
      // The previous one is revoked: a matrix tries more permission sets than the cap of active keys.
      if (lastKeyId)
        await revokeApiKey({ db: database.db, actor: OPERATOR }, { merchantId: a.merchantId, id: lastKeyId });
      const key = await createApiKey(
        { db: database.db, actor: OPERATOR },
        { merchantId: a.merchantId, name: permissions?.join(" ") ?? "default", permissions },
      );
      lastKeyId = key.id;
      return key.apiKey;
    },
    async close() {
      const { db } = await import("../db/client");
      await db().$disconnect();
      await receiver.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The URL of an operation with `{id}` filled in and an optional raw query string. */
export function operationUrl(path: string, id?: string, query = ""): string {
  // A lone surrogate cannot be percent-encoded; the route still gets the raw id as its param.
  const filled =
    id === undefined ? path : path.replace("{id}", encodeURIComponent(id.replace(LONE_SURROGATE, "\ufffd")));
  return `http://localhost${filled}${query ? `?${query}` : ""}`;
}
