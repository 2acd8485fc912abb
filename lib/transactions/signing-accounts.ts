import { HDKey } from "@scure/bip32";
import { mnemonicToSeedSync } from "@scure/bip39";
import { type Address, bytesToHex } from "viem";
import { type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import { depositPath, gasTankPath, hotWalletPath } from "../wallet/derivation";

// The seed costs a PBKDF2 run (~0.1 s): the master key is kept in memory for the process (it is
// what WALLET_MNEMONIC already is), never written anywhere. One entry: a process has one seed.
let cached: { mnemonic: string; master: HDKey } | undefined;

function masterKey(mnemonic: string): HDKey {
  if (cached?.mnemonic !== mnemonic)
    cached = { mnemonic, master: HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic)) };
  return cached.master;
}

function accountAt(mnemonic: string, path: string): PrivateKeyAccount {
  const privateKey = masterKey(mnemonic).derive(path).privateKey;
  if (!privateKey) throw new Error(`no private key at ${path}`);
  return privateKeyToAccount(bytesToHex(privateKey));
}

/** The signer of a deposit address (derivation account and index stored on the payment). */
export function depositSigner(mnemonic: string, account: number, index: number): PrivateKeyAccount {
  return accountAt(mnemonic, depositPath(account, index));
}

/** The gas tank: pays the gas of ERC-20 sweeps. Funded by the operator. */
export function gasTankSigner(mnemonic: string): PrivateKeyAccount {
  return accountAt(mnemonic, gasTankPath());
}

export function gasTankAddress(mnemonic: string): Address {
  return gasTankSigner(mnemonic).address;
}

/** A merchant's hot wallet (balance mode): receives its sweeps, sends its payouts. */
export function hotWalletSigner(mnemonic: string, account: number): PrivateKeyAccount {
  return accountAt(mnemonic, hotWalletPath(account));
}
