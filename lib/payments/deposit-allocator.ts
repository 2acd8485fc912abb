// Deposit index allocation off the hot path. An app instance reserves a block of BLOCK_SIZE indexes
// per merchant with one atomic `UPDATE merchants … RETURNING` and hands them out in memory, so a
// merchant's row is written once per block instead of once per payment (no per-merchant hot row
// serialising its creates) and creating a payment costs no allocation round trip. The next block is
// reserved (and its addresses derived on the worker) when REFILL_AT indexes of the current one are
// left, so a burst does not wait for a reservation at every block boundary. Blocks of two instances
// never overlap (each UPDATE advances next_deposit_index past its block); an index is never handed
// out twice. Indexes an instance did not use before stopping are skipped: at most REFILL_AT of the
// current block and the whole block reserved ahead (MAX_UNUSED = 15), below the usual wallet gap
// limit of 20 (the design accepts gaps).
// The merchant's account and xpub never change and are kept with the block; the settings that can
// change (expiry, quote window, tolerance) are read fresh by whoever needs them exact: the insert
// statement computes the expiry itself, a fiat-priced payment reads them (`fresh`).
import type { Pool } from "pg";
import type { Address } from "viem";
import { AppError } from "../errors";
import { deriveDepositAddresses } from "../wallet/address-deriver";

export const BLOCK_SIZE = 10;
/** Indexes left in the current block when the next one is reserved. */
export const REFILL_AT = 5;
/** The most indexes an instance can leave unused when it stops (see above). */
export const MAX_UNUSED = BLOCK_SIZE + REFILL_AT;

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

type Block = {
  first: number;
  /** The block's addresses, derived off this thread from the moment the block is reserved. */
  addressOf: (index: number) => Promise<Address>;
  settings: MerchantDepositSettings;
};

type MerchantState = {
  next: number;
  end: number;
  addressOf: Block["addressOf"];
  settings?: MerchantDepositSettings;
  /** The current block being replaced (its waiters share this). */
  reserving?: Promise<MerchantDepositSettings>;
  /** The next block, reserved before the current one runs out. */
  ahead?: Promise<Block>;
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
      state.reserving ??= this.#install(merchantId, state).finally(() => {
        if (state) state.reserving = undefined;
      });
      settings = await state.reserving;
    }
    const index = state.next++;
    if (state.end - state.next === REFILL_AT) this.#reserveAhead(merchantId, state);
    const address = state.addressOf(index);
    settings ??= await this.#readSettings(merchantId, state);
    return { ...settings, index, address: await address };
  }

  /** Makes the block reserved ahead (or, if there is none or it failed, a new one) the current block. */
  async #install(merchantId: string, state: MerchantState): Promise<MerchantDepositSettings> {
    const ahead = state.ahead;
    state.ahead = undefined;
    const block = await (ahead?.catch(() => this.#reserve(merchantId)) ?? this.#reserve(merchantId));
    state.next = block.first;
    state.end = block.first + BLOCK_SIZE;
    state.addressOf = block.addressOf;
    state.settings = block.settings;
    return block.settings;
  }

  #reserveAhead(merchantId: string, state: MerchantState): void {
    if (state.ahead !== undefined) return;
    const ahead = this.#reserve(merchantId);
    state.ahead = ahead;
    // Nobody waits for it yet: a failure (the database down) is retried by the create that needs
    // the block (#install), which then answers for it.
    ahead.catch(() => undefined);
  }

  async #reserve(merchantId: string): Promise<Block> {
    const { rows } = await this.#pool.query<MerchantDepositSettings & { first: number }>(
      `UPDATE merchants SET next_deposit_index = next_deposit_index + $2, updated_at = now() WHERE id = $1
       RETURNING next_deposit_index - $2 AS first, ${SETTINGS}`,
      [merchantId, BLOCK_SIZE],
    );
    const row = rows[0];
    if (!row) throw new AppError("not_found", "Merchant not found");
    const { first, ...settings } = row;
    return { first, settings, addressOf: deriveDepositAddresses(settings.deposit_xpub, first, BLOCK_SIZE) };
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
