import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { configuredChains } from "@/lib/config/chains";
import { chainOptions } from "@/lib/dashboard/chain-options";
import { NewPaymentForm } from "./new-payment-form";

export const metadata = { title: "New payment" };

export default async function NewPaymentPage() {
  await requireMerchantSession("/dashboard/payments/new");
  const chains = chainOptions(configuredChains());
  return (
    <>
      <h1>New payment</h1>
      <section className="card">
        <NewPaymentForm chains={chains} />
      </section>
    </>
  );
}
