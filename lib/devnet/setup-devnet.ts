import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  type Hash,
  http,
  parseEther,
  toHex,
} from "viem";
import { type HDKey, mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { mockUsdcAbi, mockUsdcArtifact } from "./mock-usdc";
import { placeMulticall3 } from "./multicall3";

/** Anvil's built-in seed: its default accounts are m/44'/60'/0'/0/i of it, unlocked and funded. */
const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";

export const DEFAULT_FUND_ACCOUNTS = 10;
/** 1,000,000 USDC in base units (6 decimals). */
export const DEFAULT_USDC_PER_ACCOUNT = 1_000_000n * 10n ** 6n;
/** Anvil starts its default accounts with 10,000 ETH; only a drained account is topped up. */
const ETH_FLOOR = parseEther("1000");
const ETH_TOP_UP = parseEther("10000");
/** Generous for 1 s interval mining, short enough that a node that stopped mining fails loudly. */
const RECEIPT_TIMEOUT_MS = 30_000;

export type SetupDevnetOptions = {
  /** Where the mock USDC lives (chains.yaml's `local` USDC, normally `MOCK_USDC_ADDRESS`). */
  tokenAddress: Address;
  /** How many of Anvil's default accounts to fund, from index 0; default 10. */
  fundAccounts?: number;
  /** USDC base units each account is brought up to; default 1,000,000 USDC. */
  usdcPerAccount?: bigint;
  /**
   * The gateway's gas tank (derived from WALLET_MNEMONIC): brought up to 10,000 ETH when below
   * 1,000, so ERC-20 sweeps work on the devnet whatever seed the gateway runs with.
   */
  gasTank?: Address;
};

export type SetupDevnetResult = {
  tokenAddress: Address;
  /** Every account this call checked: each now holds ≥ half of `usdcPerAccount` and ≥ 1000 ETH. */
  funded: Address[];
  /** The accounts that were below half of `usdcPerAccount` and received a mint in this call. */
  minted: Address[];
  /** True when the token's runtime code was missing or outdated and was (re)placed. */
  placedCode: boolean;
  /** True when Multicall3 was missing at its canonical address and was placed. */
  placedMulticall3: boolean;
  /** The gas tank's ETH balance after this call, when one was given. */
  gasTankBalance: bigint | null;
};

/**
 * Prepares an Anvil node for the gateway: places the mock USDC runtime code at `tokenAddress` and
 * Multicall3 at its canonical address (the native balance check uses it, as on real chains), and
 * funds the first Anvil default accounts with ETH and USDC. Idempotent, so `npm start` calls it
 * against a persisted Anvil state every time: code equal to the artifact's is left alone, and an
 * account is minted to only while its balance is below half the target (spending some USDC in a
 * demo does not trigger a refill at every start, draining most of it does).
 *
 * Mints are real transactions sent by each account from itself through Anvil's unlocked signers
 * (Anvil picks the nonce, so concurrent senders from the same account do not collide), and their
 * receipts are awaited: works with instant mining and with `--block-time`.
 */
export async function setupDevnet(rpcUrl: string, options: SetupDevnetOptions): Promise<SetupDevnetResult> {
  const { tokenAddress } = options;
  const fundAccounts = options.fundAccounts ?? DEFAULT_FUND_ACCOUNTS;
  const usdcPerAccount = options.usdcPerAccount ?? DEFAULT_USDC_PER_ACCOUNT;
  if (!Number.isInteger(fundAccounts) || fundAccounts < 0)
    throw new RangeError(`fundAccounts must be a non-negative integer, got ${fundAccounts}`);
  if (usdcPerAccount <= 0n) throw new RangeError(`usdcPerAccount must be positive, got ${usdcPerAccount}`);

  // No chain object: the node's own chain id is used, whatever `--chain-id` Anvil was started with.
  const transport = http(rpcUrl, { retryCount: 0 });
  const publicClient = createPublicClient({ transport, pollingInterval: 100 });
  const testClient = createTestClient({ mode: "anvil", transport });
  const walletClient = createWalletClient({ transport });

  const code = await publicClient.getCode({ address: tokenAddress });
  const placedCode = code?.toLowerCase() !== mockUsdcArtifact.deployedBytecode.toLowerCase();
  if (placedCode)
    await testClient.setCode({ address: tokenAddress, bytecode: mockUsdcArtifact.deployedBytecode });
  const placedMulticall3 = await placeMulticall3(rpcUrl);

  const accounts = anvilDefaultAccounts(fundAccounts);

  // ETH first: the mint transactions below pay gas from these balances.
  const ethBalances = await Promise.all(accounts.map((address) => publicClient.getBalance({ address })));
  await Promise.all(
    accounts
      .filter((_, index) => (ethBalances[index] ?? 0n) < ETH_FLOOR)
      .map((address) => testClient.setBalance({ address, value: ETH_TOP_UP })),
  );

  const usdcBalances = await Promise.all(
    accounts.map((address) =>
      publicClient.readContract({
        address: tokenAddress,
        abi: mockUsdcAbi,
        functionName: "balanceOf",
        args: [address],
      }),
    ),
  );
  const mints = accounts.flatMap((address, index) => {
    const balance = usdcBalances[index] ?? 0n;
    return balance < usdcPerAccount / 2n ? [{ address, amount: usdcPerAccount - balance }] : [];
  });
  // All sent before any receipt is awaited: with 1 s blocks they land in the same block or two.
  const hashes = await Promise.all(
    mints.map(({ address, amount }) =>
      sendMint(walletClient, { tokenAddress, from: address, amount }).catch((error: unknown) => {
        throw new Error(`minting mock USDC from ${address} failed (is it unlocked on this Anvil node?)`, {
          cause: error,
        });
      }),
    ),
  );
  await Promise.all(
    hashes.map(async (hash, index) => {
      const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: RECEIPT_TIMEOUT_MS });
      if (receipt.status !== "success")
        throw new Error(`mock USDC mint ${hash} for ${mints[index]?.address} reverted`);
    }),
  );

  let gasTankBalance: bigint | null = null;
  if (options.gasTank) {
    gasTankBalance = await publicClient.getBalance({ address: options.gasTank });
    if (gasTankBalance < ETH_FLOOR) {
      await testClient.setBalance({ address: options.gasTank, value: ETH_TOP_UP });
      gasTankBalance = ETH_TOP_UP;
    }
  }

  return {
    tokenAddress,
    funded: accounts,
    minted: mints.map(({ address }) => address),
    placedCode,
    placedMulticall3,
    gasTankBalance,
  };
}

function sendMint(
  walletClient: ReturnType<typeof createWalletClient>,
  { tokenAddress, from, amount }: { tokenAddress: Address; from: Address; amount: bigint },
): Promise<Hash> {
  return walletClient.writeContract({
    // A JSON-RPC account: eth_sendTransaction, signed by Anvil with the account's unlocked key.
    account: from,
    chain: null,
    address: tokenAddress,
    abi: mockUsdcAbi,
    functionName: "mint",
    args: [from, amount],
  });
}

// The mnemonic's seed costs a PBKDF2 run (~0.1 s): the parent key m/44'/60'/0'/0 is derived once
// per process and each account is then a single child step.
let anvilAccountsParentKey: HDKey | undefined;

/** The first `count` of Anvil's default accounts (m/44'/60'/0'/0/i of its built-in mnemonic). */
export function anvilDefaultAccounts(count: number): Address[] {
  anvilAccountsParentKey ??= mnemonicToAccount(ANVIL_MNEMONIC, { path: "m/44'/60'/0'/0" }).getHdKey();
  const parentKey = anvilAccountsParentKey;
  return Array.from({ length: count }, (_, index) => {
    const privateKey = parentKey.deriveChild(index).privateKey;
    if (!privateKey) throw new Error(`cannot derive Anvil default account ${index}`);
    return privateKeyToAccount(toHex(privateKey)).address;
  });
}

/**
 * The demo merchant's treasury on the devnet: m/44'/60'/0'/0/10 of Anvil's mnemonic (its key is as
 * public as the mnemonic, so it can be imported into a wallet to look at what was swept). Not one
 * of the accounts setupDevnet funds, so what it holds is exactly what sweeps sent it.
 */
export function demoTreasuryAddress(): Address {
  return anvilDefaultAccounts(11)[10] as Address;
}
