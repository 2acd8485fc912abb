import { verify } from "argon2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTreasuryAddress } from "../devnet/setup-devnet";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";
import { createMerchant } from "./create-merchant";
import { ensureDemoMerchant } from "./ensure-demo-merchant";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("merchants", () => {
  it("creates the demo merchant once, with a password that verifies and is not stored", async () => {
    const demo = await ensureDemoMerchant(database.db, { chains: [testChain()] });
    expect(demo).not.toBeNull();
    expect(await ensureDemoMerchant(database.db, { chains: [testChain()] })).toBeNull();

    const user = await database.db.user.findUniqueOrThrow({ where: { email: demo?.email ?? "" } });
    expect(user.passwordHash).not.toContain(demo?.password);
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verify(user.passwordHash, demo?.password ?? "")).toBe(true);
    expect(demo?.treasury).toBeNull();
  });

  it("gives the demo merchant a treasury on the devnet chain when asked", async () => {
    const fresh = await createTestDatabase();
    try {
      const demo = await ensureDemoMerchant(fresh.db, {
        chains: [testChain()],
        treasury: { chains: [testChain()], chain: "local", address: demoTreasuryAddress().toLowerCase() },
      });
      expect(demo?.treasury).toEqual({ chain: "local", address: demoTreasuryAddress() });
      const setting = await fresh.db.settlementSetting.findUniqueOrThrow({
        where: { merchantId_chain: { merchantId: demo?.merchantId ?? "", chain: "local" } },
      });
      expect(setting).toMatchObject({ mode: "treasury", address: demoTreasuryAddress() });
      expect(demoTreasuryAddress()).toBe("0xBcd4042DE499D14e55001CcbB24a551F3b954096");
    } finally {
      await fresh.drop();
    }
  });

  it("creates no demo merchant as soon as a chain is not a local devnet", async () => {
    const fresh = await createTestDatabase();
    try {
      const base = { chainId: 8453, rpcUrls: ["https://mainnet.base.org"] };
      expect(await ensureDemoMerchant(fresh.db, { chains: [testChain(), base] })).toBeNull();
      // Even a devnet chain id is real when its node is not on this machine's loopback.
      const remote = { chainId: 31337, rpcUrls: ["http://10.0.0.5:8545"] };
      expect(await ensureDemoMerchant(fresh.db, { chains: [remote] })).toBeNull();
      expect(await fresh.db.user.count()).toBe(0);
      expect(await fresh.db.merchant.count()).toBe(0);
    } finally {
      await fresh.drop();
    }
  });

  it("gives concurrent merchants distinct BIP-44 accounts, never the gateway's account 0", async () => {
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        createMerchant(database.db, {
          name: `Shop ${i}`,
          email: `Shop${i}@Example.com`,
          password: "correct horse",
        }),
      ),
    );
    const accounts = created.map((m) => m.hdAccount);
    expect(new Set(accounts).size).toBe(accounts.length);
    expect(Math.min(...accounts)).toBeGreaterThanOrEqual(1);
    expect(created[0]?.email).toBe("shop0@example.com");
  });
});
