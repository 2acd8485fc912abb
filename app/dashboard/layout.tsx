import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { hasPermission } from "@/lib/access/actor";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import styles from "./dashboard.module.css";
import { DashboardNav, type NavLink } from "./dashboard-nav";
import { SignOutButton } from "./sign-out-button";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: { default: "Dashboard", template: "%s · cTrip Pay" } };

function navLinks(canCreatePayments: boolean): NavLink[] {
  return [
    { href: "/dashboard", label: "Overview" },
    { href: "/dashboard/payments", label: "Payments" },
    ...(canCreatePayments ? [{ href: "/dashboard/payments/new", label: "New payment" }] : []),
    { href: "/dashboard/balances", label: "Balances" },
    { href: "/dashboard/payouts", label: "Payouts" },
    { href: "/dashboard/webhooks", label: "Webhooks" },
    { href: "/dashboard/api-keys", label: "API keys" },
    { href: "/dashboard/settings", label: "Settings" },
    { href: "/dashboard/team", label: "Team" },
    { href: "/dashboard/audit-log", label: "Audit log" },
    { href: "/dashboard/notifications", label: "Notifications" },
  ];
}

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const session = await requireMerchantSession();
  return (
    <div className={styles.shell}>
      <header className={styles.topbar}>
        <div className={styles.brand}>
          <Link href="/dashboard">cTrip Pay</Link>
          <span className={styles.merchant} data-testid="merchant-name">
            {session.merchant.name}
          </span>
        </div>
        <DashboardNav links={navLinks(hasPermission(session.actor, "payments:write"))} />
        <div className={styles.account}>
          <Link href="/dashboard/account" className="muted">
            {session.email}
          </Link>
          <SignOutButton />
        </div>
      </header>
      <main className={styles.main}>{children}</main>
    </div>
  );
}
