import { hasPermission } from "@/lib/access/actor";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { configuredChains } from "@/lib/config/chains";
import { chainOptions } from "@/lib/dashboard/chain-options";
import { coinChoices, coinChoiceValue } from "@/lib/dashboard/quote-settings-form";
import { getMerchantSettings } from "@/lib/merchants/merchant-settings";
import { getQuoteSettings } from "@/lib/merchants/quote-settings";
import { CURRENCIES } from "@/lib/money/fiat";
import { listPayoutLimits } from "@/lib/payouts/payout-limits";
import { listPendingSettingChanges } from "@/lib/settlement/list-setting-changes";
import { listTreasurySettings } from "@/lib/settlement/list-treasury-settings";
import { type Notices, PageNotice } from "../page-notice";
import { PayoutLimitsForm } from "./payout-limits-form";
import { describeSettingValues, PendingChanges } from "./pending-changes";
import { QuoteSettingsForm } from "./quote-settings-form";
import { SettingsForm } from "./settings-form";
import { TreasuryForm } from "./treasury-form";

export const metadata = { title: "Settings" };

const NOTICES: Notices = {
  "change-canceled": { text: "Change canceled: the settings in effect stay as they are.", tone: "ok" },
  "change-not-pending": { text: "That change had already taken effect or was canceled.", tone: "bad" },
  "change-forbidden": { text: "Only the account owner can cancel money-routing changes.", tone: "bad" },
};

export default async function SettingsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { notice } = await searchParams;
  const { db, merchant, actor } = await requireMerchantSession("/dashboard/settings");
  const chains = configuredChains();
  const deps = { db, chains, actor };
  const [settings, quotes, treasury, limits, pending] = await Promise.all([
    getMerchantSettings(db, merchant.id),
    getQuoteSettings(deps, merchant.id),
    listTreasurySettings(deps, merchant.id),
    listPayoutLimits(deps, merchant.id),
    listPendingSettingChanges(deps, merchant.id),
  ]);
  const owner = hasPermission(actor, "settings:write");
  return (
    <>
      <h1>Settings</h1>
      <PageNotice notices={NOTICES} notice={notice} />
      <section className="card" aria-labelledby="branding-heading">
        <h2 id="branding-heading">Business and checkout</h2>
        {hasPermission(actor, "account:write") ? (
          <SettingsForm settings={settings} />
        ) : (
          <p data-testid="account-read-only">
            {settings.name}; brand colour {settings.brandColor ?? "default"}; new payments expire after{" "}
            {settings.defaultExpiryMinutes} minutes. Only an owner or admin can change these.
          </p>
        )}
      </section>
      <section className="card" aria-labelledby="fiat-heading">
        <h2 id="fiat-heading">Prices in fiat</h2>
        <p className="muted">
          For payments priced in a currency (for example 20.00 USD): the payer chooses one of the accepted
          coins, and its amount is locked for the quote window. A payment still counts as paid when it falls
          short of the price by at most the tolerance.
        </p>
        {owner ? (
          <QuoteSettingsForm
            current={{
              quoteTtlMinutes: Math.round(quotes.quote_ttl / 60),
              underpaymentTolerance: quotes.underpayment_tolerance,
              acceptedCoins: quotes.accepted_coins.map((coin) => coinChoiceValue(chains, coin)),
              displayCurrency: quotes.display_currency,
            }}
            coins={coinChoices(chains)}
            currencies={CURRENCIES}
          />
        ) : (
          <p data-testid="quote-settings-read-only">
            Quotes are locked for {Math.round(quotes.quote_ttl / 60)} minutes; tolerance{" "}
            {quotes.underpayment_tolerance} %; accepted coins:{" "}
            {coinChoices(chains)
              .filter((choice) =>
                quotes.accepted_coins.some((coin) => coinChoiceValue(chains, coin) === choice.value),
              )
              .map((choice) => choice.label)
              .join(", ")}
            ; values shown in {quotes.display_currency}. Only the account owner can change these.
          </p>
        )}
      </section>
      <section className="card" aria-labelledby="pending-heading">
        <h2 id="pending-heading">Scheduled money-routing changes</h2>
        <p className="muted">
          A new treasury address, a switch of settlement mode, higher or removed payout limits and a higher
          auto-approval threshold take effect only after a delay, announced by a settings.updated webhook and
          recorded in the audit log, so a stolen key or session cannot redirect funds silently. Tightening
          takes effect at once.
        </p>
        <PendingChanges changes={pending.data} canCancel={owner} />
      </section>
      {owner ? null : (
        <p className="notice-ok" role="note" data-testid="money-routing-owner-only">
          Only the account owner can change the settlement, payout limits and auto-approval.
        </p>
      )}
      <section className="card" aria-labelledby="treasury-heading">
        <h2 id="treasury-heading">Settlement per chain</h2>
        <p className="muted">
          In treasury mode, confirmed payments are swept from their deposit address to your treasury, an
          address you control (a hardware wallet or a multisig) that can receive on that chain; the gateway
          then holds nothing for you. In balance mode they are swept to your hot wallet on this gateway and
          credited to your balance, from which you make payouts and refunds.
        </p>
        {chains.map((chain) => {
          const current = treasury.data.find((setting) => setting.chain === chain.name) ?? null;
          return owner ? (
            <TreasuryForm
              key={chain.name}
              chain={chain.name}
              chainId={chain.chainId}
              current={current ? { mode: current.mode, address: current.address } : null}
            />
          ) : (
            <p key={chain.name} data-testid={`treasury-read-only-${chain.name}`}>
              {chain.name}: {current ? describeSettingValues(current) : "not set (payments are not swept)"}
            </p>
          );
        })}
      </section>
      <section className="card" aria-labelledby="limits-heading">
        <h2 id="limits-heading">Payout limits and auto-approval</h2>
        <p className="muted">
          Amounts in token units; empty means no limit. Payouts below the auto-approval threshold are sent
          without waiting for the owner&apos;s approval; without a threshold every payout waits. The daily
          limit counts payouts created in any 24 hours, rejected and failed ones excluded.
        </p>
        {chainOptions(chains).flatMap((chain) =>
          chain.tokens.map((token) => {
            const current =
              limits.data.find((limit) => limit.chain === chain.name && limit.token === token) ?? null;
            return owner ? (
              <PayoutLimitsForm
                key={`${chain.name}:${token}`}
                chain={chain.name}
                token={token}
                current={current}
              />
            ) : (
              <p key={`${chain.name}:${token}`} data-testid={`limits-read-only-${chain.name}-${token}`}>
                {token} on {chain.name}:{" "}
                {describeSettingValues(
                  current ?? { max_per_payout: null, max_per_day: null, auto_approve_below: null },
                )}
              </p>
            );
          }),
        )}
      </section>
    </>
  );
}
