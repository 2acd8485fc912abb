import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { hasPermission } from "@/lib/access/actor";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import styles from "./dashboard.module.css";
import { SignOutButton } from "./sign-out-button";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: { default: "Dashboard", template: "%s · cTrip Pay" } };

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
        <nav aria-label="Dashboard" className={styles.nav}>
          <Link href="/dashboard">Overview</Link>
          <Link href="/dashboard/payments">Payments</Link>
          {hasPermission(session.actor, "payments:write") ? (
            <Link href="/dashboard/payments/new">New payment</Link>
          ) : null}
          <Link href="/dashboard/balances">Balances</Link>
          <Link href="/dashboard/payouts">Payouts</Link>
          <Link href="/dashboard/webhooks">Webhooks</Link>
          <Link href="/dashboard/api-keys">API keys</Link>
          <Link href="/dashboard/settings">Settings</Link>
          <Link href="/dashboard/team">Team</Link>
          <Link href="/dashboard/audit-log">Audit log</Link>
          <Link href="/dashboard/notifications">Notifications</Link>
        </nav>
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
