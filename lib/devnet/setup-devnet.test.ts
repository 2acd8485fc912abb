import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { generateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english";
import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  getAddress,
  http,
  multicall3Abi,
  parseEther,
  parseEventLogs,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MULTICALL3_ADDRESS } from "../chains/multicall3";
import { loadChainsConfig } from "../config/chains";
import { type RunningAnvil, startAnvil } from "../runtime/anvil";
import { freePort } from "../runtime/free-port";
import { gasTankAddress } from "../transactions/signing-accounts";
import { MOCK_USDC_ADDRESS, mockUsdcAbi, mockUsdcArtifact } from "./mock-usdc";
import { MULTICALL3_CREATION_CODE } from "./multicall3-bytecode";
import { anvilDefaultAccounts, DEFAULT_USDC_PER_ACCOUNT, setupDevnet } from "./setup-devnet";

const rpcUrl = inject("anvilRpcUrl");
const publicClient = createPublicClient({ transport: http(rpcUrl), pollingInterval: 100 });
const testClient = createTestClient({ mode: "anvil", transport: http(rpcUrl) });
const walletClient = createWalletClient({ transport: http(rpcUrl) });

const usdc = (amount: bigint) => amount * 10n ** 6n;

/**
 * Other test files share this Anvil node and may use the mock USDC at its configured address and
 * the default accounts. Exact balance assertions therefore run on a token placed at an address of
 * this file's own (the same code) or on freshly generated accounts.
 */
function isolatedTokenAddress(): Address {
  return privateKeyToAccount(generatePrivateKey()).address;
}

function balanceOf(tokenAddress: Address, owner: Address, client = publicClient) {
  return client.readContract({
    address: tokenAddress,
    abi: mockUsdcAbi,
    functionName: "balanceOf",
    args: [owner],
  });
}

describe("setupDevnet", () => {
  it("places the mock USDC where chains.yaml expects it, with USDC's metadata", async () => {
    const localChain = loadChainsConfig(resolve(import.meta.dirname, "../../chains.yaml")).chains.find(
      (chain) => chain.name === "local",
    );
    expect(localChain?.tokens.find((token) => token.symbol === "USDC")?.address).toBe(MOCK_USDC_ADDRESS);

    const result = await setupDevnet(rpcUrl, { tokenAddress: MOCK_USDC_ADDRESS });

    expect(result.tokenAddress).toBe(MOCK_USDC_ADDRESS);
    expect(await publicClient.getCode({ address: MOCK_USDC_ADDRESS })).toBe(
      mockUsdcArtifact.deployedBytecode,
    );
    const read = (functionName: "decimals" | "symbol" | "name") =>
      publicClient.readContract({ address: MOCK_USDC_ADDRESS, abi: mockUsdcAbi, functionName });
    expect(await read("decimals")).toBe(6);
    expect(await read("symbol")).toBe("USDC");
    expect(await read("name")).toBe("USD Coin (mock)");
    // The derived accounts are the ones Anvil unlocks and funds.
    expect(result.funded).toEqual((await walletClient.getAddresses()).map((address) => getAddress(address)));
    expect(
      await publicClient.getBalance({ address: anvilDefaultAccounts(1)[0] ?? "0x" }),
    ).toBeGreaterThanOrEqual(parseEther("1000"));
  });

  it("funds the default accounts once: a second call neither replaces code nor mints", async () => {
    const tokenAddress = isolatedTokenAddress();
    const first = await setupDevnet(rpcUrl, { tokenAddress });
    const accounts = anvilDefaultAccounts(10);
    expect(first).toEqual({
      tokenAddress,
      funded: accounts,
      minted: accounts,
      placedCode: true,
      placedMulticall3: expect.any(Boolean),
      gasTankBalance: null,
    });
    const before = await Promise.all(accounts.map((account) => balanceOf(tokenAddress, account)));
    expect(before).toEqual(accounts.map(() => DEFAULT_USDC_PER_ACCOUNT));
    expect(DEFAULT_USDC_PER_ACCOUNT).toBe(usdc(1_000_000n));
    const account0 = accounts[0] ?? "0x";
    expect(await publicClient.getBalance({ address: account0 })).toBeGreaterThanOrEqual(parseEther("1000"));

    const second = await setupDevnet(rpcUrl, { tokenAddress });

    expect(second).toEqual({
      tokenAddress,
      funded: accounts,
      minted: [],
      placedCode: false,
      placedMulticall3: false,
      gasTankBalance: null,
    });
    expect(await Promise.all(accounts.map((account) => balanceOf(tokenAddress, account)))).toEqual(before);
    expect(
      await publicClient.readContract({
        address: tokenAddress,
        abi: mockUsdcAbi,
        functionName: "totalSupply",
      }),
    ).toBe(DEFAULT_USDC_PER_ACCOUNT * 10n);
  });

  it("refills an account that spent over half its USDC, exactly up to the target", async () => {
    const tokenAddress = isolatedTokenAddress();
    const usdcPerAccount = usdc(1_000n);
    const [account0, account1] = anvilDefaultAccounts(2);
    if (!account0 || !account1) throw new Error("expected two default accounts");
    await setupDevnet(rpcUrl, { tokenAddress, fundAccounts: 2, usdcPerAccount });
    const recipient = privateKeyToAccount(generatePrivateKey()).address;
    // Account 0 spends under half (kept), account 1 over half (refilled).
    for (const [from, amount] of [
      [account0, usdc(400n)],
      [account1, usdc(600n)],
    ] as const) {
      const hash = await walletClient.writeContract({
        account: from,
        chain: null,
        address: tokenAddress,
        abi: mockUsdcAbi,
        functionName: "transfer",
        args: [recipient, amount],
      });
      expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
    }

    const result = await setupDevnet(rpcUrl, { tokenAddress, fundAccounts: 2, usdcPerAccount });

    expect(result.minted).toEqual([account1]);
    expect(await balanceOf(tokenAddress, account0)).toBe(usdc(600n));
    expect(await balanceOf(tokenAddress, account1)).toBe(usdcPerAccount);
    expect(await balanceOf(tokenAddress, recipient)).toBe(usdc(1_000n));
  });

  it("tops up the ETH of a default account below 1000 ETH, and leaves richer ones alone", async () => {
    const [account0, , , , , , , , , account9] = anvilDefaultAccounts(10);
    if (!account0 || !account9) throw new Error("expected ten default accounts");
    const account0Before = await publicClient.getBalance({ address: account0 });
    // Account 9 is the one other test files are least likely to send from.
    await testClient.setBalance({ address: account9, value: parseEther("999") });

    await setupDevnet(rpcUrl, { tokenAddress: isolatedTokenAddress() });

    // Account 9 also paid gas for its own mint after the top-up.
    const account9After = await publicClient.getBalance({ address: account9 });
    expect(account9After).toBeLessThanOrEqual(parseEther("10000"));
    expect(account9After).toBeGreaterThan(parseEther("9999"));
    expect(await publicClient.getBalance({ address: account0 })).toBeLessThanOrEqual(account0Before);
  });

  it("funds the gateway's gas tank of any seed, once", async () => {
    const gasTank = gasTankAddress(generateMnemonic(wordlist));
    expect(await publicClient.getBalance({ address: gasTank })).toBe(0n);
    const first = await setupDevnet(rpcUrl, { tokenAddress: isolatedTokenAddress(), gasTank });
    expect(first.gasTankBalance).toBe(parseEther("10000"));
    expect(await publicClient.getBalance({ address: gasTank })).toBe(parseEther("10000"));
    // Spent a little: left alone (the floor is 1000 ETH).
    await testClient.setBalance({ address: gasTank, value: parseEther("9000") });
    const second = await setupDevnet(rpcUrl, { tokenAddress: isolatedTokenAddress(), gasTank });
    expect(second.gasTankBalance).toBe(parseEther("9000"));
  });

  it("lets anyone mint, and transfer moves exactly the amount sent", async () => {
    const holder = privateKeyToAccount(generatePrivateKey());
    const recipient = privateKeyToAccount(generatePrivateKey()).address;
    await setupDevnet(rpcUrl, { tokenAddress: MOCK_USDC_ADDRESS, fundAccounts: 1 });
    await testClient.setBalance({ address: holder.address, value: parseEther("1") });
    const holderWallet = createWalletClient({ account: holder, transport: http(rpcUrl) });

    const mintHash = await holderWallet.writeContract({
      chain: null,
      address: MOCK_USDC_ADDRESS,
      abi: mockUsdcAbi,
      functionName: "mint",
      args: [holder.address, usdc(250n)],
    });
    expect((await publicClient.waitForTransactionReceipt({ hash: mintHash })).status).toBe("success");
    expect(await balanceOf(MOCK_USDC_ADDRESS, holder.address)).toBe(usdc(250n));

    const transferHash = await holderWallet.writeContract({
      chain: null,
      address: MOCK_USDC_ADDRESS,
      abi: mockUsdcAbi,
      functionName: "transfer",
      args: [recipient, usdc(100n) + 1n],
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash: transferHash });
    expect(receipt.status).toBe("success");
    const [transfer] = parseEventLogs({ abi: mockUsdcAbi, eventName: "Transfer", logs: receipt.logs });
    expect(transfer?.address.toLowerCase()).toBe(MOCK_USDC_ADDRESS.toLowerCase());
    expect(transfer?.args).toEqual({ from: holder.address, to: recipient, value: usdc(100n) + 1n });
    expect(await balanceOf(MOCK_USDC_ADDRESS, holder.address)).toBe(usdc(150n) - 1n);
    expect(await balanceOf(MOCK_USDC_ADDRESS, recipient)).toBe(usdc(100n) + 1n);
  });

  describe("on a node with 1 s interval mining, as `npm start` runs it", () => {
    let anvil: RunningAnvil;
    beforeAll(async () => {
      anvil = await startAnvil({ port: await freePort(), blockTime: 1 });
    });
    afterAll(() => anvil?.stop());

    it("places the code, mints, and is idempotent", async () => {
      const first = await setupDevnet(anvil.rpcUrl, { tokenAddress: MOCK_USDC_ADDRESS, fundAccounts: 3 });
      expect(first.placedCode).toBe(true);
      expect(first.placedMulticall3).toBe(true);
      expect(first.minted).toEqual(anvilDefaultAccounts(3));
      const client = createPublicClient({ transport: http(anvil.rpcUrl) });
      for (const account of first.funded)
        expect(await balanceOf(MOCK_USDC_ADDRESS, account, client)).toBe(DEFAULT_USDC_PER_ACCOUNT);

      const second = await setupDevnet(anvil.rpcUrl, { tokenAddress: MOCK_USDC_ADDRESS, fundAccounts: 3 });
      expect(second).toEqual({ ...first, minted: [], placedCode: false, placedMulticall3: false });
      // The placed Multicall3 works: one eth_call reads several balances.
      const [account0, account1] = first.funded;
      if (!account0 || !account1) throw new Error("expected funded accounts");
      const balances = await client.multicall({
        multicallAddress: MULTICALL3_ADDRESS,
        allowFailure: false,
        contracts: [account0, account1].map((address) => ({
          address: MULTICALL3_ADDRESS,
          abi: multicall3Abi,
          functionName: "getEthBalance" as const,
          args: [address] as const,
        })),
      });
      expect(balances).toEqual([
        await client.getBalance({ address: account0 }),
        await client.getBalance({ address: account1 }),
      ]);
    });
  });

  it("ships viem's Multicall3 creation code unchanged", () => {
    const viemContracts = readFileSync(resolve("node_modules/viem/_esm/constants/contracts.js"), "utf8");
    expect(viemContracts).toContain(`multicall3Bytecode = '${MULTICALL3_CREATION_CODE}'`);
  });
});
