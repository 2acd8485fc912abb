/** Link to a transaction on the chain's block explorer (chains.yaml `explorerUrl`), or null without one. */
export function explorerTxUrl(explorerUrl: string | null | undefined, txHash: string): string | null {
  if (!explorerUrl || !/^0x[0-9a-fA-F]{64}$/.test(txHash)) return null;
  return `${explorerUrl.replace(/\/+$/, "")}/tx/${txHash}`;
}
