// Deposit index allocation off the hot path. An app instance reserves a block of BLOCK_SIZE indexes
// per merchant with one atomic `UPDATE merchants … RETURNING` and hands them out in memory, so a
// merchant's row is written once per block instead of once per payment (no per-merchant hot row
// serialising its creates) and creating a payment costs no allocation round trip. Blocks of two
// instances never overlap (each UPDATE advances next_deposit_index past its block); an index is
// never handed out twice. Indexes of a block an instance did not use before stopping are skipped:
// a gap of at most BLOCK_SIZE − 1, below the usual wallet gap limit of 20 (the design accepts gaps).
// The merchant's account and xpub never change and are kept with the block; the settings that can
// change (expiry, quote window, tolerance) are read fresh by whoever needs them exact: the insert
// statement computes the expiry itself, a fiat-priced payment reads them (`fresh`).
import type { Pool } from "pg";
import type { Address } from "viem";
import { AppError } from "../errors";
import { deriveDepositAddresses } from "../wallet/address-deriver";

export const BLOCK_SIZE = 20;

export type MerchantDepositSettings = {
  hd_account: number;
  deposit_xpub: string;
  default_expiry_seconds: number;
  quote_ttl_seconds: number;
  underpayment_tolerance_bps: number;
};
export type AllocatedDeposit = MerchantDepositSettings & { index: number; address: Address };

const SETTINGS =
  "hd_account, deposit_xpub, default_expiry_seconds, quote_ttl_seconds, underpayment_tolerance_bps";

type MerchantState = {
  next: number;
  end: number;
  /** The block's addresses, derived off this thread from the moment the block is reserved. */
  addressOf: (index: number) => Promise<Address>;
  settings?: MerchantDepositSettings;
  reserving?: Promise<MerchantDepositSettings>;
};

export class DepositAllocator {
  readonly #pool: Pool;
  readonly #merchants = new Map<string, MerchantState>();

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  /**
   * The next index of the merchant's block (reserving a new block when it is used up). `fresh`:
   * the settings are read now; otherwise those read with the block, whose expiry, quote window and
   * tolerance may be out of date (the account and the xpub never change).
   */
  async allocate(merchantId: string, options: { fresh?: boolean } = {}): Promise<AllocatedDeposit> {
    let state = this.#merchants.get(merchantId);
    if (!state) {
      state = { next: 0, end: 0, addressOf: () => Promise.reject(new Error("no block reserved")) };
      this.#merchants.set(merchantId, state);
    }
    let settings = options.fresh ? undefined : state.settings;
    // Waiters share one reservation; the check and the increment below run without an await between.
    while (state.next >= state.end) {
      state.reserving ??= this.#reserve(merchantId, state).finally(() => {
        if (state) state.reserving = undefined;
      });
      settings = await state.reserving;
    }
    const index = state.next++;
    const address = state.addressOf(index);
    settings ??= await this.#readSettings(merchantId, state);
    return { ...settings, index, address: await address };
  }

  async #reserve(merchantId: string, state: MerchantState): Promise<MerchantDepositSettings> {
    const { rows } = await this.#pool.query<MerchantDepositSettings & { first: number }>(
      `UPDATE merchants SET next_deposit_index = next_deposit_index + $2, updated_at = now() WHERE id = $1
       RETURNING next_deposit_index - $2 AS first, ${SETTINGS}`,
      [merchantId, BLOCK_SIZE],
    );
    const row = rows[0];
    if (!row) throw new AppError("not_found", "Merchant not found");
    const { first, ...settings } = row;
    state.next = first;
    state.end = first + BLOCK_SIZE;
    state.addressOf = deriveDepositAddresses(settings.deposit_xpub, first, BLOCK_SIZE);
    state.settings = settings;
    return settings;
  }

  async #readSettings(merchantId: string, state: MerchantState): Promise<MerchantDepositSettings> {
    const { rows } = await this.#pool.query<MerchantDepositSettings>(
      `SELECT ${SETTINGS} FROM merchants WHERE id = $1`,
      [merchantId],
    );
    const settings = rows[0];
    if (!settings) throw new AppError("not_found", "Merchant not found");
    state.settings = settings;
    return settings;
  }
}
