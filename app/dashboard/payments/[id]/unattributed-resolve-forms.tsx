"use client";

import { useActionState } from "react";
import { checkTypedAddress } from "@/lib/validation/address-confirmation";
import { ConfirmSubmit, SummaryList } from "../../../_components/confirm-submit";
import { FieldError, FormStatus, fieldErrorProps } from "../../field-error";
import { resolveUnattributedTransferAction, type UnattributedState } from "../actions";

const INITIAL: UnattributedState = { error: null, fieldErrors: {}, values: {} };

type TransferKey = { chain: string; txHash: string; logIndex: number; from: string };

function KeyFields({ paymentId, transfer }: { paymentId: string; transfer: TransferKey }) {
  return (
    <>
      <input type="hidden" name="paymentId" value={paymentId} />
      <input type="hidden" name="chain" value={transfer.chain} />
      <input type="hidden" name="tx_hash" value={transfer.txHash} />
      <input type="hidden" name="log_index" value={transfer.logIndex} />
    </>
  );
}

/** Keep the coins, or send them back to an address (the sender's by default), each confirmed first. */
export function UnattributedResolveForms({
  paymentId,
  transfer,
  amount,
  network,
  canRefund,
}: {
  paymentId: string;
  transfer: TransferKey;
  amount: string;
  network: string;
  canRefund: boolean;
}) {
  const [accepted, accept, accepting] = useActionState(resolveUnattributedTransferAction, INITIAL);
  const [refunded, refund, refunding] = useActionState(resolveUnattributedTransferAction, INITIAL);
  const id = `${transfer.txHash.slice(2, 10)}-${transfer.logIndex + 2}`;
  const errors = refunded.fieldErrors;
  return (
    <div className="inline-form">
      <form action={accept} aria-label={`Keep ${amount}`}>
        <KeyFields paymentId={paymentId} transfer={transfer} />
        <input type="hidden" name="resolution" value="accepted" />
        <ConfirmSubmit
          label="Keep"
          className="button button-secondary"
          title={`Keep ${amount}?`}
          confirmLabel="Keep the coins"
          pending={accepting}
          result={accepted}
          rows={[
            { label: "Amount", value: amount },
            { label: "Network", value: network },
          ]}
          consequence="The coins are swept to your settlement address (or your balance) once the transfer is confirmed. They do not count towards this payment's price."
        />
        <FormStatus error={accepted.error} />
      </form>
      {canRefund ? (
        <form action={refund} aria-label={`Send back ${amount}`}>
          <KeyFields paymentId={paymentId} transfer={transfer} />
          <input type="hidden" name="resolution" value="refunded" />
          <div className="field">
            <label htmlFor={`unattributed-refund-${id}`}>Send back to address</label>
            <input
              id={`unattributed-refund-${id}`}
              name="refund_address"
              defaultValue={refunded.values.refund_address ?? transfer.from}
              required
              spellCheck={false}
              autoComplete="off"
              size={44}
              {...fieldErrorProps(errors, "refund_address", `unattributed-refund-${id}`)}
            />
            <FieldError errors={errors} field="refund_address" id={`unattributed-refund-${id}`} />
          </div>
          <ConfirmSubmit
            label="Send back"
            className="button button-danger"
            title={`Send ${amount} back?`}
            confirmLabel="Send back"
            danger
            pending={refunding}
            result={refunded}
            body={(values) => {
              const address = String(values.get("refund_address") ?? "").trim();
              const typed = checkTypedAddress(address);
              return (
                <>
                  <SummaryList
                    rows={[
                      { label: "Amount", value: amount },
                      { label: "Recipient", value: typed.kind === "invalid" ? address : typed.address },
                      { label: "Network", value: network },
                      {
                        label: "Network fee",
                        value: "a token's is paid by the gas tank; a native coin is sent less its fee",
                      },
                    ]}
                  />
                  <p className="confirm-consequence">
                    The coins are sent from this payment&apos;s address once the transfer is confirmed; once
                    sent they cannot be called back.
                  </p>
                </>
              );
            }}
          />
          <FormStatus error={refunded.error} />
        </form>
      ) : null}
    </div>
  );
}
