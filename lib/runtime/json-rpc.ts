/** One JSON-RPC call with a short timeout; undefined when the node does not answer. */
export async function probeJsonRpc(rpcUrl: string, method: string, timeoutMs = 1_000): Promise<unknown> {
  try {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return undefined;
    return ((await response.json()) as { result?: unknown }).result;
  } catch {
    return undefined;
  }
}
