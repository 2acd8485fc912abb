import styles from "./checkout.module.css";

export default function CheckoutLoading() {
  return (
    <main className={styles.page}>
      <section className={styles.card} aria-busy="true">
        <p className="muted" role="status">
          Loading payment…
        </p>
      </section>
    </main>
  );
}
