// Settlement on the real embedded default (`npm start`: Anvil with 1 s blocks, the gas tank funded
// by the devnet setup, in-process jobs): a USDC payment of the demo merchant, paid with a real
// transaction, is detected, confirmed and swept into the demo merchant's treasury.

import { createPublicClient, createWalletClient, erc20Abi, http, publicActions } from "viem";
import { OPERATOR } from "@/lib/access/actor";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { MOCK_USDC_ADDRESS } from "@/lib/devnet/mock-usdc";
import { demoTreasuryAddress } from "@/lib/devnet/setup-devnet";
import { DEMO_MERCHANT_EMAIL } from "@/lib/merchants/ensure-demo-merchant";
import { createPaymentViaApi, expect, test } from "./fixtures";
import { anvilRpcUrl } from "./server";

// Anvil's default account 7: unlocked on the devnet, funded with ETH and USDC by `npm start`.
const PAYER = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955";

test.setTimeout(150_000);

test("a paid USDC payment of the demo merchant ends settled, its USDC in the demo treasury", async ({
  request,
  db,
}) => {
  const demoUser = await db.user.findUniqueOrThrow({
    where: { email: DEMO_MERCHANT_EMAIL },
    select: { merchantId: true },
  });
  const key = await createApiKey(
    { db: db, actor: OPERATOR },
    { merchantId: demoUser.merchantId, name: "e2e settlement" },
  );
  const demo = { auth: { authorization: `Bearer ${key.apiKey}` } };

  const treasuries = await request.get("/api/v1/settings/treasury", { headers: demo.auth });
  expect(await treasuries.json()).toMatchObject({
    data: [{ chain: "local", mode: "treasury", address: demoTreasuryAddress() }],
  });

  const publicClient = createPublicClient({ transport: http(anvilRpcUrl) });
  const treasuryBalance = () =>
    publicClient.readContract({
      address: MOCK_USDC_ADDRESS,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [demoTreasuryAddress()],
    });
  const before = await treasuryBalance();

  const payment = await createPaymentViaApi(request, demo as never, {
    chain: "local",
    token: "USDC",
    amount: "12.345678",
  });
  const wallet = createWalletClient({ account: PAYER, transport: http(anvilRpcUrl) }).extend(publicActions);
  const hash = await wallet.writeContract({
    chain: null,
    address: MOCK_USDC_ADDRESS,
    abi: erc20Abi,
    functionName: "transfer",
    args: [payment.address, 12_345_678n],
  });
  expect((await wallet.waitForTransactionReceipt({ hash })).status).toBe("success");

  const status = async () => {
    const response = await request.get(`/api/v1/payments/${payment.id}`, { headers: demo.auth });
    return (await response.json()).status;
  };
  await expect.poll(status, { timeout: 90_000, intervals: [1_000] }).toBe("settled");
  expect(await treasuryBalance()).toBe(before + 12_345_678n);

  const events = await request.get(`/api/v1/events?object_id=${payment.id}&type=payment.settled`, {
    headers: demo.auth,
  });
  const [settled] = (await events.json()).data;
  expect(settled.data.object).toMatchObject({ id: payment.id, status: "settled" });
  const sweepTx = settled.data.object.settlement.tx_hash;
  const receipt = await publicClient.getTransactionReceipt({ hash: sweepTx });
  expect(receipt.status).toBe("success");

  const reconciliation = await request.get("/api/v1/reconciliation?chain=local", { headers: demo.auth });
  expect(reconciliation.status()).toBe(200);
  const body = await reconciliation.json();
  expect(body.flagged_payments).toEqual([]);
  expect(body.tokens.find((token: { symbol: string }) => token.symbol === "USDC")).toMatchObject({
    difference: "0",
  });

  const health = await (await request.get("/api/health")).json();
  expect(health.settlement).toEqual([
    expect.objectContaining({ chain: "local", status: "ok", paused_sweeps: 0 }),
  ]);
});
