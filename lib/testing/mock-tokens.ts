// The real-world token doubles of lib/devnet/mock-tokens.ts on a test Anvil: each call places them
// at fresh addresses (files sharing the run's node never see each other's balances) and answers
// their chains.yaml entries, so a test chain can list them next to (or instead of) the mock USDC.

import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  erc20Abi,
  http,
  parseAbi,
} from "viem";
import { generatePrivateKey, privateKeyToAccount, privateKeyToAddress } from "viem/accounts";
import { inject } from "vitest";
import type { TChain, TToken } from "../config/chains";
import { mockTokenArtifacts } from "../devnet/mock-tokens";
import { testChain } from "./test-chain";

export type MockTokens = {
  /** USDT-like (6 decimals): transfer returns nothing, can pause and blacklist, reverts without data. */
  usdt: TToken;
  /** 6 decimals, keeps 1 % of each transfer for MOCK_FEE_COLLECTOR. */
  feeToken: TToken;
  /** 18 decimals, like BSC's USDT/USDC. */
  stable18: TToken;
  /** The three, in that order: a chain's `tokens`. */
  all: TToken[];
  /** The test chain (the `local` chain of this node) listing the three tokens. */
  chain: TChain;
  /** `holder`'s on-chain balance of `token`, in base units. */
  balanceOf(token: TToken, holder: Address): Promise<bigint>;
  /** Mints `amount` base units of `token` to `to` (every mock's `mint` is open). */
  mint(token: TToken, to: Address, amount: bigint): Promise<void>;
  /** USDT-like controls, as the issuer would use them. */
  pauseUsdt(paused: boolean): Promise<void>;
  blacklistUsdt(account: Address, listed: boolean): Promise<void>;
};

const controlsAbi = parseAbi([
  "function mint(address to, uint256 amount)",
  "function pause()",
  "function unpause()",
  "function addBlackList(address user)",
  "function removeBlackList(address user)",
]);

/** Places the three mock tokens on the node at `rpcUrl` (default: the run's shared Anvil). */
export async function deployMockTokens(rpcUrl: string = inject("anvilRpcUrl")): Promise<MockTokens> {
  const transport = http(rpcUrl);
  const testClient = createTestClient({ mode: "anvil", transport });
  const publicClient = createPublicClient({ transport, pollingInterval: 50 });
  // Anyone may call the mocks' controls: a funded throwaway account sends them.
  const operator = privateKeyToAccount(generatePrivateKey());
  await testClient.setBalance({ address: operator.address, value: 10n ** 20n });
  const wallet = createWalletClient({ account: operator, transport });
  const place = async (name: keyof typeof mockTokenArtifacts, symbol: string, decimals: number) => {
    const address = privateKeyToAddress(generatePrivateKey());
    await testClient.setCode({ address, bytecode: mockTokenArtifacts[name].deployedBytecode });
    return { symbol, address, decimals } satisfies TToken;
  };
  const usdt = await place("MockUSDT", "USDT", 6);
  const feeToken = await place("MockFeeToken", "FOT", 6);
  const stable18 = await place("MockStablecoin18", "BUSD18", 18);

  async function send(token: TToken, call: { functionName: string; args: readonly unknown[] }) {
    const hash = await wallet.writeContract({
      chain: null,
      address: token.address as Address,
      abi: controlsAbi,
      ...(call as { functionName: "mint"; args: readonly [Address, bigint] }),
    });
    await publicClient.waitForTransactionReceipt({ hash });
  }

  return {
    usdt,
    feeToken,
    stable18,
    all: [usdt, feeToken, stable18],
    chain: testChain({ rpcUrls: [rpcUrl], tokens: [usdt, feeToken, stable18] }),
    balanceOf: (token, holder) =>
      publicClient.readContract({
        address: token.address as Address,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [holder],
      }),
    mint: (token, to, amount) => send(token, { functionName: "mint", args: [to, amount] }),
    pauseUsdt: (paused) => send(usdt, { functionName: paused ? "pause" : "unpause", args: [] }),
    blacklistUsdt: (account, listed) =>
      send(usdt, { functionName: listed ? "addBlackList" : "removeBlackList", args: [account] }),
  };
}
