// Shared steps of the settlement tests on Anvil that drive sweeps by hand: a settlement mode for the
// fixture's merchant, a sweep advanced until confirmed, and a chain that reconciles to the unit.
import type { Address } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { expect } from "vitest";
import { OPERATOR } from "../access/actor";
import { advanceSweep } from "../settlement/advance-sweep";
import { reconcileChain } from "../settlement/reconcile-chain";
import { setTreasurySetting } from "../settlement/set-treasury-setting";
import type { TransactionDeps } from "../transactions/transaction-deps";
import { hotWalletAddress } from "../wallet/derivation";
import type { TestDatabase } from "./database";
import type { ScannerFixture } from "./scanner-fixture";

/** Sets `local` to treasury mode (a fresh treasury) or balance mode; returns where sweeps now go. */
export async function useSettlementMode(
  database: TestDatabase,
  fx: ScannerFixture,
  mode: "treasury" | "balance",
): Promise<Address> {
  const treasury = privateKeyToAddress(generatePrivateKey());
  await setTreasurySetting({ db: database.db, chains: [fx.chain], actor: OPERATOR }, fx.merchant.merchantId, {
    chain: "local",
    ...(mode === "treasury" ? { address: treasury } : { mode: "balance" }),
  });
  if (mode === "treasury") return treasury;
  const merchant = await database.db.merchant.findUniqueOrThrow({ where: { id: fx.merchant.merchantId } });
  return hotWalletAddress(merchant.depositXpub);
}

/** Advances a sweep, mining a block between passes, until it is confirmed (or 20 passes went by). */
export async function driveSweep(deps: TransactionDeps, fx: ScannerFixture, sweepId: string) {
  for (let run = 0; run < 20; run++) {
    const result = await advanceSweep(deps, sweepId);
    if (result.status === "confirmed") return result;
    await fx.mine(1);
  }
  return advanceSweep(deps, sweepId);
}

/** Every unit on `local` is accounted for: no flagged payment or gas, every token's difference 0. */
export async function expectChainReconciled(database: TestDatabase, fx: ScannerFixture) {
  const reconciliation = await reconcileChain({ db: database.db, chains: [fx.chain] }, { chain: "local" });
  expect(reconciliation.flagged_payments).toEqual([]);
  expect(reconciliation.flagged_gas).toEqual([]);
  for (const token of reconciliation.tokens) expect(token.difference, token.symbol).toBe("0");
  expect(reconciliation.gas.difference).toBe("0");
  return reconciliation;
}
