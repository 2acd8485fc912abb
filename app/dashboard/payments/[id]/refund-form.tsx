"use client";

import { useActionState, useEffect, useRef, useState } from "react";
import type { RefundCoin } from "@/lib/dashboard/get-payment-refunds";
import { checkTypedAddress } from "@/lib/validation/address-confirmation";
import { ConfirmSubmit, SummaryList } from "../../../_components/confirm-submit";
import { FieldError, FormStatus, fieldErrorProps } from "../../field-error";
import { AddressLastFour } from "../../settings/password-confirmation";
import { type RefundState, refundPaymentAction } from "../actions";

const INITIAL: RefundState = { error: null, fieldErrors: {}, values: {} };

/** A coin the payment can be refunded in, with its network in words for the confirmation. */
export type RefundFormCoin = RefundCoin & { network: string };

/**
 * Refund from the balance: everything left by default, or a chosen amount (e.g. the overpaid part);
 * a payment paid in several coins picks the coin first.
 */
export function RefundForm({ paymentId, coins }: { paymentId: string; coins: RefundFormCoin[] }) {
  const [state, action, pending] = useActionState(refundPaymentAction, INITIAL);
  const [amount, setAmount] = useState("");
  const [picked, setPicked] = useState(() =>
    Math.max(
      0,
      coins.findIndex(
        (coin) => `${coin.chain}:${coin.symbol}` === `${state.values.chain}:${state.values.token}`,
      ),
    ),
  );
  // React resets the form to its defaults after the action: the coin picked is put back.
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    if (state !== INITIAL && select.current) select.current.value = String(picked);
  }, [state, picked]);
  const coin = coins[picked] ?? coins[0];
  const errors = state.fieldErrors;
  if (!coin) return null;
  const { symbol, refundable, overpaid, network } = coin;
  return (
    <form action={action} aria-label="Refund this payment" className={"inline-form"}>
      <input type="hidden" name="paymentId" value={paymentId} />
      <input type="hidden" name="chain" value={coin.chain} />
      <input type="hidden" name="token" value={coin.symbol} />
      {coins.length > 1 ? (
        <div className="field">
          <label htmlFor="refund-coin">Coin to refund</label>
          <select
            id="refund-coin"
            ref={select}
            value={picked}
            onChange={(event) => {
              setPicked(Number(event.target.value));
              setAmount("");
            }}
          >
            {coins.map((option, index) => (
              <option key={`${option.chain}:${option.symbol}`} value={index}>
                {option.symbol} on {option.network} (up to {option.refundable})
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div className="field">
        <label htmlFor="refund-address">Refund to address (EIP-55 checksummed)</label>
        <input
          id="refund-address"
          name="address"
          defaultValue={state.values.address}
          required
          spellCheck={false}
          autoComplete="off"
          placeholder="0x…"
          size={44}
          {...fieldErrorProps(errors, "address", "refund-address")}
        />
        <FieldError errors={errors} field="address" id="refund-address" />
      </div>
      <div className="field">
        <label htmlFor="refund-amount">Amount in {symbol} (optional)</label>
        <input
          id="refund-amount"
          name="amount"
          inputMode="decimal"
          autoComplete="off"
          placeholder={refundable}
          value={amount}
          onChange={(event) => setAmount(event.target.value)}
          aria-invalid={Boolean(errors.amount)}
          aria-describedby={`refund-amount-hint${errors.amount ? " refund-amount-error" : ""}`}
        />
        <span id="refund-amount-hint" className="muted">
          Empty = everything left to refund: {refundable} {symbol}.
        </span>
        <FieldError errors={errors} field="amount" id="refund-amount" />
      </div>
      {overpaid ? (
        <button type="button" className="button button-secondary" onClick={() => setAmount(overpaid)}>
          Refund the overpaid part ({overpaid} {symbol})
        </button>
      ) : null}
      <ConfirmSubmit
        label="Refund"
        className="button button-danger"
        title="Send this refund?"
        confirmLabel="Confirm refund"
        danger
        pending={pending}
        result={state}
        keepOpen={Boolean(errors.address_confirm)}
        body={(values) => {
          const address = String(values.get("address") ?? "").trim();
          const typed = checkTypedAddress(address);
          return (
            <>
              <SummaryList
                rows={[
                  {
                    label: "Amount",
                    value: `${String(values.get("amount") ?? "").trim() || refundable} ${symbol}`,
                    testId: "confirm-amount",
                  },
                  {
                    label: "Recipient",
                    value: typed.kind === "invalid" ? address : typed.address,
                    testId: "confirm-recipient",
                  },
                  { label: "Network", value: network },
                  { label: "Network fee", value: "paid from your balance in the chain's coin" },
                ]}
              />
              <p className="confirm-consequence">
                The refund is paid out from your balance like any payout (it may wait for the owner&apos;s
                approval); once sent on chain it cannot be called back.
              </p>
              <AddressLastFour prefix="refund" address={address} errors={errors} />
            </>
          );
        }}
      />
      <FormStatus error={errors.address_confirm ? null : state.error} />
    </form>
  );
}
