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
import { createHmac } from "node:crypto";
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

/** A merchant's deposit branch m/44'/60'/{account}'/0: its public point decoded once, its chain code. */
type DepositBranch = {
  publicKey: Buffer;
  point: InstanceType<typeof secp256k1.ProjectivePoint>;
  chainCode: Buffer;
};
const branchCache = new Map<string, DepositBranch>();

function depositBranch(xpub: string): DepositBranch {
  let branch = branchCache.get(xpub);
  if (!branch) {
    const key = HDKey.fromExtendedKey(xpub).deriveChild(DEPOSIT_BRANCH);
    if (!key.publicKey || !key.chainCode) throw new Error("derived key has no public key");
    branch = {
      publicKey: Buffer.from(key.publicKey),
      point: secp256k1.ProjectivePoint.fromHex(key.publicKey),
      chainCode: Buffer.from(key.chainCode),
    };
    if (branchCache.size > 10_000) branchCache.clear();
    branchCache.set(xpub, branch);
  }
  return branch;
}

/**
 * Deposit address `index` of the account behind `xpub`, derived from public data only: BIP-32's
 * public child derivation (CKDpub) of the deposit branch, exactly as @scure/bip32's `deriveChild`
 * computes it (the sweeper derives the private key of the same path with it), but with the branch's
 * point decoded once instead of the parent decompressed and the child re-encoded and decompressed
 * again for every address: one fixed-base multiplication, one addition, one inversion.
 */
export function depositAddress(xpub: string, index: number): Address {
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** 31)
    throw new AppError("internal_error", `deposit index ${index} is out of range`);
  const branch = depositBranch(xpub);
  const data = Buffer.allocUnsafe(37);
  branch.publicKey.copy(data, 0);
  data.writeUInt32BE(index, 33);
  const digest = createHmac("sha512", branch.chainCode).update(data).digest();
  const tweak = BigInt(`0x${digest.toString("hex", 0, 32)}`);
  // As @scure/bip32: an out-of-range tweak is an error, a child at infinity moves to the next index
  // (both have probability ~2^-127).
  if (tweak === 0n || tweak >= secp256k1.CURVE.n) throw new Error("Tweak bigger than curve order");
  const child = secp256k1.ProjectivePoint.BASE.multiply(tweak).add(branch.point);
  if (child.equals(secp256k1.ProjectivePoint.ZERO)) return depositAddress(xpub, index + 1);
  return uncompressedToAddress(child.toRawBytes(false));
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
  return uncompressedToAddress(secp256k1.ProjectivePoint.fromHex(compressed).toRawBytes(false));
}

function uncompressedToAddress(uncompressed: Uint8Array): Address {
  return getAddress(`0x${bytesToHex(keccak256(uncompressed.subarray(1), "bytes").subarray(12)).slice(2)}`);
}
