import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { loadCheckoutPage } from "@/lib/checkout/load-checkout-page";
import { Checkout } from "./checkout";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Checkout", robots: { index: false, follow: false } };

export default async function CheckoutPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const data = await loadCheckoutPage(id);
  if (!data) notFound();
  return <Checkout initialCheckout={data.checkout} initialQrSvg={data.qrSvg} />;
}
