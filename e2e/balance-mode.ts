// A merchant in balance mode with funds and a payout waiting for the owner's approval, set up
// through the API (a key with every permission) and the ledger, for specs about the payout pages.
import type { APIRequestContext } from "@playwright/test";
import { OPERATOR } from "@/lib/access/actor";
import { API_KEY_PERMISSIONS } from "@/lib/access/permissions";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import type { Db } from "@/lib/db/client";
import { adjustBalance } from "@/lib/testing/ledger";
import { expect, type TestMerchant } from "./fixtures";

export async function pendingPayoutViaApi(
  request: APIRequestContext,
  db: Db,
  merchant: TestMerchant,
  payout: { amount: string; address: string; description?: string },
): Promise<{ id: string }> {
  const { apiKey } = await createApiKey(
    { db, actor: OPERATOR },
    { merchantId: merchant.merchantId, name: "setup", permissions: API_KEY_PERMISSIONS },
  );
  const headers = { authorization: `Bearer ${apiKey}` };
  const mode = await request.put("/api/v1/settings/treasury", {
    headers,
    data: { chain: "local", mode: "balance" },
  });
  expect(mode.status(), await mode.text()).toBe(200);
  await adjustBalance(db, merchant.merchantId, { tokenSymbol: "ETH", amount: 10n ** 18n });
  const created = await request.post("/api/v1/payouts", {
    headers,
    data: { chain: "local", token: "ETH", ...payout },
  });
  expect(created.status(), await created.text()).toBe(201);
  return (await created.json()) as { id: string };
}
