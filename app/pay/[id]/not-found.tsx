import styles from "./checkout.module.css";

export default function CheckoutNotFound() {
  return (
    <main className={styles.page}>
      <section className={styles.card} aria-labelledby="not-found-heading">
        <h1 id="not-found-heading">Payment not found</h1>
        <p className="muted">
          This payment link is not valid. Check that you copied the whole link, or ask the business that sent
          it for a new one.
        </p>
      </section>
    </main>
  );
}
