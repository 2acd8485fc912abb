// The payout relay (Inngest mode) on a real database: each approved payout without a transaction
// becomes one `payout/approved` event whose id is the payout id (Inngest's deduplication key), and
// payouts pending approval, rejected or already sent are never relayed.

import { InngestTestEngine } from "@inngest/test";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../../lib/access/actor";
import { createMerchant } from "../../lib/merchants/create-merchant";
import { createPayout } from "../../lib/payouts/create-payout";
import { approvePayout, rejectPayout } from "../../lib/payouts/review-payout";
import { setTreasurySetting } from "../../lib/settlement/set-treasury-setting";
import { createTestDatabase, type TestDatabase } from "../../lib/testing/database";
import { adjustBalance } from "../../lib/testing/ledger";
import { testChain } from "../../lib/testing/test-chain";
import { createPayoutRelay } from "./payout-relay";

let database: TestDatabase;
const chain = testChain();
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

describe("payout-relay function", () => {
  it("relays every approved unsent payout once per round, keyed by the payout id, and nothing else", async () => {
    const { merchantId, userId } = await createMerchant(database.db, {
      name: "Relay",
      email: "relay@example.com",
      password: "pw",
    });
    const deps = { db: database.db, chains: [chain] };
    await setTreasurySetting({ ...deps, actor: OPERATOR }, merchantId, { chain: "local", mode: "balance" });
    await adjustBalance(database.db, merchantId, { tokenSymbol: "ETH", amount: 10n ** 18n });
    const create = () =>
      createPayout(deps, merchantId, {
        chain: "local",
        amount: "0.01",
        address: privateKeyToAddress(generatePrivateKey()),
      });
    const owner = { type: "user" as const, userId };
    const [approved, pending, rejected, sent] = [
      await create(),
      await create(),
      await create(),
      await create(),
    ];
    for (const payout of [approved, sent]) await approvePayout(deps, merchantId, payout.id, owner);
    await rejectPayout(deps, merchantId, rejected.id, owner);
    await database.db.payout.update({ where: { id: sent.id }, data: { status: "sent", rawTx: "0x01" } });

    const batches: { name: string; id: string; data: { payout_id: string } }[][] = [];
    const relay = createPayoutRelay({
      getDb: () => database.db,
      rounds: 2,
      send: async (events) => void batches.push(events),
    });
    const { result } = await new InngestTestEngine({
      function: relay,
      events: [{ name: "inngest/scheduled.timer", data: { cron: "* * * * *" } }],
      // The pause between rounds is Inngest's to schedule; here it passes at once.
      steps: [{ id: "pause-1", handler() {} }],
    }).execute();

    // Both rounds see the approved payout: the repeated id is what makes Inngest drop the second.
    expect(result).toEqual({ relayed: 2 });
    expect(batches.map((batch) => batch.map(({ name, id, data }) => ({ name, id, data })))).toEqual([
      [{ name: "payout/approved", id: approved.id, data: { payout_id: approved.id } }],
      [{ name: "payout/approved", id: approved.id, data: { payout_id: approved.id } }],
    ]);
    expect(pending.status).toBe("pending_approval");
  });
});
