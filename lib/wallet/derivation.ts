// BIP-32/44 derivation of every address the gateway controls, all from one seed (WALLET_MNEMONIC):
//   m/44'/60'/0'/2/0              gas tank (account 0 is the gateway's own; merchants start at 1).
//                                 Its own branch: with the development seed, m/44'/60'/0'/0/i are
//                                 Anvil's default accounts, which demos and browser wallets send
//                                 from; the gas tank must not share their nonces.
//   m/44'/60'/{account}'/0/{i}    deposit address i of the merchant owning `account`
//   m/44'/60'/{account}'/1/0      that merchant's hot wallet (balance mode)
// Request-serving code only ever sees a merchant's account xpub (stored on the merchant), from which
// deposit addresses are derived without the seed. Private keys are derived on demand by the
// sweeper and payouts, and never stored or logged.
import { secp256k1 } from "@noble/curves/secp256k1";
import { HDKey } from "@scure/bip32";
import { mnemonicToSeedSync, validateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english";
import { type Address, bytesToHex, getAddress, keccak256 } from "viem";
import { AppError } from "../errors";

export const GATEWAY_ACCOUNT = 0;
const DEPOSIT_BRANCH = 0;
const HOT_WALLET_BRANCH = 1;
const GAS_TANK_BRANCH = 2;

function masterKey(mnemonic: string): HDKey {
  if (!validateMnemonic(mnemonic, wordlist))
    throw new Error("WALLET_MNEMONIC is not a valid BIP-39 mnemonic");
  return HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic));
}

/** Extended public key of `m/44'/60'/{account}'` (computed once, when the merchant is created). */
export function accountXpub(mnemonic: string, account: number): string {
  if (!Number.isInteger(account) || account < 0 || account >= 2 ** 31)
    throw new Error(`invalid BIP-44 account ${account}`);
  return masterKey(mnemonic).derive(`m/44'/60'/${account}'`).publicExtendedKey;
}

const branchCache = new Map<string, HDKey>();

/** Deposit address `index` of the account behind `xpub`, derived from public data only. */
export function depositAddress(xpub: string, index: number): Address {
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** 31)
    throw new AppError("internal_error", `deposit index ${index} is out of range`);
  let branch = branchCache.get(xpub);
  if (!branch) {
    branch = HDKey.fromExtendedKey(xpub).deriveChild(DEPOSIT_BRANCH);
    if (branchCache.size > 10_000) branchCache.clear();
    branchCache.set(xpub, branch);
  }
  const publicKey = branch.deriveChild(index).publicKey;
  if (!publicKey) throw new Error("derived key has no public key");
  return publicKeyToAddress(publicKey);
}

/** Path of a deposit address, for the sweeper's private-key derivation. */
export function depositPath(account: number, index: number): string {
  return `m/44'/60'/${account}'/${DEPOSIT_BRANCH}/${index}`;
}

/**
 * The merchant's hot wallet (balance mode), `m/44'/60'/{account}'/1/0`: on a branch of its own,
 * never a deposit index, and derivable from the account xpub alone (non-hardened below the
 * account), so request code can name it without the seed.
 */
export function hotWalletAddress(xpub: string): Address {
  const publicKey = HDKey.fromExtendedKey(xpub).deriveChild(HOT_WALLET_BRANCH).deriveChild(0).publicKey;
  if (!publicKey) throw new Error("derived key has no public key");
  return publicKeyToAddress(publicKey);
}

export function hotWalletPath(account: number): string {
  return `m/44'/60'/${account}'/${HOT_WALLET_BRANCH}/0`;
}

export function gasTankPath(): string {
  return `m/44'/60'/${GATEWAY_ACCOUNT}'/${GAS_TANK_BRANCH}/0`;
}

function publicKeyToAddress(compressed: Uint8Array): Address {
  const uncompressed = secp256k1.ProjectivePoint.fromHex(compressed).toRawBytes(false);
  return getAddress(`0x${keccak256(bytesToHex(uncompressed.slice(1))).slice(-40)}`);
}
