"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import styles from "./dashboard.module.css";

export type NavLink = { href: string; label: string };

/** The current page's link: exact for the overview and "new" pages, else by section prefix. */
function isCurrent(pathname: string, href: string, links: readonly NavLink[]): boolean {
  if (pathname === href) return true;
  if (href === "/dashboard" || !pathname.startsWith(`${href}/`)) return false;
  // /dashboard/payments/new belongs to "New payment", not "Payments".
  return !links.some(
    (link) => link.href !== href && link.href.startsWith(href) && pathname.startsWith(link.href),
  );
}

/**
 * The dashboard's navigation: the current page is marked (aria-current), and on a phone the links
 * fold behind a "Menu" disclosure button instead of wrapping over several lines.
 */
export function DashboardNav({ links }: { links: readonly NavLink[] }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  return (
    <nav aria-label="Dashboard" className={styles.navWrap}>
      <button
        type="button"
        className={`button button-secondary ${styles.menuButton}`}
        aria-expanded={open}
        aria-controls="dashboard-nav-links"
        onClick={() => setOpen((value) => !value)}
      >
        Menu
      </button>
      <ul id="dashboard-nav-links" className={`${styles.nav} ${open ? styles.navOpen : ""}`}>
        {links.map((link) => (
          <li key={link.href}>
            <Link
              href={link.href}
              aria-current={isCurrent(pathname, link.href, links) ? "page" : undefined}
              onClick={() => setOpen(false)}
            >
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
