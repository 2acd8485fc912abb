"use client";

import styles from "./checkout.module.css";

export default function CheckoutError({ reset }: { error: Error; reset: () => void }) {
  return (
    <main className={styles.page}>
      <section className={styles.card} role="alert">
        <h1>Something went wrong</h1>
        <p className="muted">This payment could not be loaded. Your funds are safe; try again in a moment.</p>
        <button type="button" className="button" onClick={reset}>
          Try again
        </button>
      </section>
    </main>
  );
}
