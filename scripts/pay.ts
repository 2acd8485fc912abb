// `npm run pay -- <address> <amount> [--token USDC] [--via-contract]`: pays a deposit address on the
// local devnet from Anvil's default account 0 (a `cast send` without Foundry), JSON on stdout.
// `--via-contract` sends native coin through a forwarding contract (an internal transfer the block
// scan cannot see; the periodic balance check credits it).
import { parseArgs } from "node:util";
import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  isAddress,
  pad,
} from "viem";
import { configuredChains } from "../lib/config/chains";
import { FORWARDER_ADDRESS, FORWARDER_CODE } from "../lib/devnet/forwarder";
import { mockUsdcAbi } from "../lib/devnet/mock-usdc";
import { anvilDefaultAccounts } from "../lib/devnet/setup-devnet";
import { parseAmount } from "../lib/money/amounts";

const USAGE = "usage: npm run pay -- <address> <amount> [--token SYMBOL] [--via-contract] [--chain local]";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    token: { type: "string" },
    chain: { type: "string", default: "local" },
    "via-contract": { type: "boolean", default: false },
  },
});
const [to, amount] = positionals;
if (!to || !amount || !isAddress(to)) {
  console.error(USAGE);
  process.exit(2);
}
const chain = configuredChains().find((candidate) => candidate.name === values.chain);
const rpcUrl = chain?.rpcUrls[0];
if (!chain || !rpcUrl) {
  console.error(`pay: unknown chain ${values.chain}`);
  process.exit(2);
}
const token = values.token
  ? chain.tokens.find((candidate) => candidate.symbol.toUpperCase() === values.token?.toUpperCase())
  : undefined;
if (values.token && !token) {
  console.error(`pay: ${values.chain} has no token ${values.token}`);
  process.exit(2);
}
const [payer] = anvilDefaultAccounts(1) as [Address];
const transport = http(rpcUrl);
const publicClient = createPublicClient({ transport, pollingInterval: 200 });
const walletClient = createWalletClient({ transport });
const units = parseAmount(amount, token?.decimals ?? chain.nativeCurrency.decimals);

let hash: `0x${string}`;
if (token) {
  hash = await walletClient.writeContract({
    account: payer,
    chain: null,
    address: token.address as Address,
    abi: mockUsdcAbi,
    functionName: "transfer",
    args: [to, units],
  });
} else if (values["via-contract"]) {
  const code = await publicClient.getCode({ address: FORWARDER_ADDRESS });
  if (!code || code === "0x")
    await createTestClient({ mode: "anvil", transport }).setCode({
      address: FORWARDER_ADDRESS,
      bytecode: FORWARDER_CODE,
    });
  hash = await walletClient.sendTransaction({
    account: payer,
    chain: null,
    to: FORWARDER_ADDRESS,
    value: units,
    data: pad(to),
  });
} else {
  hash = await walletClient.sendTransaction({ account: payer, chain: null, to, value: units });
}
const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: 30_000 });
console.log(
  JSON.stringify(
    {
      tx_hash: hash,
      status: receipt.status,
      block_number: receipt.blockNumber.toString(),
      from: payer,
      to,
      amount_base_units: units.toString(),
      token: token?.symbol ?? chain.nativeCurrency.symbol,
      via_contract: values["via-contract"] ?? false,
    },
    null,
    2,
  ),
);
