// Inngest mode end to end, on a test file's own Anvil: the scanner confirms a real USDC payment,
// the outbox relay turns its payment.confirmed event into `payment/confirmed` (id = event id), and
// that event drives sweep-payment to `settled`.

import { InngestTestEngine } from "@inngest/test";
import { type Address, erc20Abi } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../../lib/access/actor";
import { DEVELOPMENT_MNEMONIC } from "../../lib/config/env";
import { MOCK_USDC_ADDRESS } from "../../lib/devnet/mock-usdc";
import { setTreasurySetting } from "../../lib/settlement/set-treasury-setting";
import { createTestDatabase, type TestDatabase } from "../../lib/testing/database";
import { type ScannerFixture, startScannerFixture } from "../../lib/testing/scanner-fixture";
import { createSweepPayment } from "./sweep-payment";
import { createWebhookRelay, type RelayedInngestEvent } from "./webhook-relay";

let database: TestDatabase;
let fx: ScannerFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database);
  await fx.scan();
});
afterAll(async () => {
  await fx?.stop();
  await database?.drop();
});

async function relayOnce(sent: RelayedInngestEvent[]) {
  const relay = createWebhookRelay({
    getDb: () => database.db,
    rounds: 1,
    send: async (events) => {
      sent.push(...events);
    },
  });
  return new InngestTestEngine({
    function: relay,
    events: [{ name: "inngest/scheduled.timer", data: { cron: "* * * * *" } }],
  }).execute();
}

describe("outbox relay → payment/confirmed → sweep-payment", () => {
  it("relays a scanned payment's confirmation once, keyed by the event id, and the sweep settles it", async () => {
    const treasury = privateKeyToAddress(generatePrivateKey());
    await setTreasurySetting(
      { db: database.db, chains: [fx.chain], actor: OPERATOR },
      fx.merchant.merchantId,
      {
        chain: "local",
        address: treasury,
      },
    );
    const payment = await fx.createPayment({ token: "USDC", amount: "7.25" });
    await fx.sendToken(payment.address, 7_250_000n);
    await fx.mine(2);
    await fx.scan();
    expect((await fx.payment(payment.id)).status).toBe("confirmed");
    const confirmedEvent = await database.db.event.findFirstOrThrow({
      where: { objectId: payment.id, type: "payment.confirmed" },
    });

    const sent: RelayedInngestEvent[] = [];
    await relayOnce(sent);
    const triggers = sent
      .filter((event) => event.name === "payment/confirmed")
      .map(({ name, id, data }) => ({ name, id, data }));
    expect(triggers).toEqual([
      { name: "payment/confirmed", id: confirmedEvent.id, data: { payment_id: payment.id } },
    ]);
    // A second relay run finds nothing new: the event is marked dispatched.
    const again: RelayedInngestEvent[] = [];
    await relayOnce(again);
    expect(again.filter((event) => event.name === "payment/confirmed")).toEqual([]);

    const [trigger] = triggers;
    if (!trigger) throw new Error("no payment/confirmed relayed");
    const { result } = await new InngestTestEngine({
      function: createSweepPayment({
        getDeps: () => ({ db: database.db, chains: [fx.chain], mnemonic: DEVELOPMENT_MNEMONIC }),
        baseUrl: () => "http://localhost",
      }),
      events: [{ name: trigger.name, id: trigger.id, data: trigger.data }],
      steps: [
        { id: `wait-gas-${payment.id}`, handler: () => fx.mine(2) },
        { id: `wait-transfer-${payment.id}`, handler: () => fx.mine(2) },
      ],
    }).execute();
    expect(result).toMatchObject({ paymentId: payment.id, status: "confirmed" });
    expect((await fx.payment(payment.id)).status).toBe("settled");
    expect(
      await fx.publicClient.readContract({
        address: MOCK_USDC_ADDRESS,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [treasury as Address],
      }),
    ).toBe(7_250_000n);
  });
});
