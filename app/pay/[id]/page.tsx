import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { cache } from "react";
import { loadCheckoutPage } from "@/lib/checkout/load-checkout-page";
import { formatDecimalForLocale } from "@/lib/money/format-amount-for-locale";
import { Checkout } from "./checkout";

export const dynamic = "force-dynamic";

// One load per request for the title and the page.
const load = cache(loadCheckoutPage);

/** The payer's first Accept-Language tag if the runtime knows it, else en-US. */
async function payerLocale(): Promise<string> {
  const tag = ((await headers()).get("accept-language") ?? "").split(",")[0]?.split(";")[0]?.trim() ?? "";
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? "en-US";
  } catch {
    return "en-US";
  }
}

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const data = await load((await params).id);
  const robots = { index: false, follow: false };
  if (!data) return { title: "Checkout", robots };
  const { checkout } = data;
  const locale = await payerLocale();
  const price = checkout.fiat
    ? `${formatDecimalForLocale(checkout.fiat.price.amount, locale)} ${checkout.fiat.price.currency}`
    : `${formatDecimalForLocale(checkout.amount, locale)} ${checkout.token.symbol}`;
  // "12.50 USDC · Coffee Shop": the tab says what is paid to whom.
  return { title: { absolute: `${price} · ${checkout.merchant.name}` }, robots };
}

export default async function CheckoutPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const data = await load(id);
  if (!data) notFound();
  return <Checkout initialCheckout={data.checkout} initialQrSvg={data.qrSvg} locale={await payerLocale()} />;
}
