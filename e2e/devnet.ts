// The e2e gateway's Anvil devnet from the specs' side: clients and freshly funded payers.
import { createPublicClient, createTestClient, createWalletClient, getAddress, http, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { anvilRpcUrl } from "./server";

export const publicClient = createPublicClient({ transport: http(anvilRpcUrl), pollingInterval: 200 });
export const testClient = createTestClient({ mode: "anvil", transport: http(anvilRpcUrl) });

/** A fresh payer funded with test ETH (no nonce races with other specs' accounts); pays and waits. */
export async function fundedPayer() {
  const account = privateKeyToAccount(generatePrivateKey());
  await testClient.setBalance({ address: account.address, value: parseEther("10") });
  const wallet = createWalletClient({ account, transport: http(anvilRpcUrl) });
  return async (to: string, ether: string) => {
    const hash = await wallet.sendTransaction({ chain: null, to: getAddress(to), value: parseEther(ether) });
    await publicClient.waitForTransactionReceipt({ hash });
    return hash;
  };
}
