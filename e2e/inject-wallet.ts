import type { APIRequestContext, Page } from "@playwright/test";
import { anvilRpcUrl } from "./server";

/**
 * A minimal EIP-1193 wallet backed by Anvil's unlocked dev account #9: the page's wagmi injected
 * connector talks to it exactly as to a browser extension. Like an extension, it reaches the node
 * outside the page (an exposed function, not a fetch from the page), so the checkout's CSP
 * (`connect-src 'self'`) applies to it as it does to a real wallet: not at all. Chain switches are
 * recorded in `window.__switchedChains`.
 */
export async function injectAnvilWallet(page: Page, request: APIRequestContext): Promise<void> {
  await page.exposeFunction("__walletRpc", async (method: string, params: unknown) => {
    const response = await request.post(anvilRpcUrl, {
      data: { jsonrpc: "2.0", id: 1, method, params: params ?? [] },
    });
    return response.json();
  });
  await page.addInitScript(() => {
    type WalletWindow = {
      __walletRpc(
        method: string,
        params: unknown,
      ): Promise<{ result?: unknown; error?: { message: string; code: number } }>;
      __switchedChains: unknown[];
    };
    const wallet = window as unknown as WalletWindow;
    wallet.__switchedChains = [];
    const rpc = async (method: string, params: unknown) => {
      const body = await wallet.__walletRpc(method, params);
      if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code });
      return body.result;
    };
    let account: string | undefined;
    const provider = {
      isMetaMask: false,
      async request({ method, params }: { method: string; params?: unknown }) {
        if (method === "eth_requestAccounts" || method === "eth_accounts") {
          const accounts = (await rpc("eth_accounts", [])) as string[];
          account = accounts[9];
          return account ? [account] : [];
        }
        if (method === "wallet_switchEthereumChain" || method === "wallet_addEthereumChain") {
          wallet.__switchedChains.push(params);
          return null;
        }
        if (method === "wallet_requestPermissions") return [{ parentCapability: "eth_accounts" }];
        return rpc(method, params);
      },
      on() {},
      removeListener() {},
    };
    Object.defineProperty(window, "ethereum", { value: provider, configurable: true });
  });
}

/** The native balance of `address` on the e2e devnet. */
export async function devnetBalance(request: APIRequestContext, address: string): Promise<bigint> {
  const response = await request.post(anvilRpcUrl, {
    data: { jsonrpc: "2.0", id: 1, method: "eth_getBalance", params: [address, "latest"] },
  });
  return BigInt((await response.json()).result);
}
