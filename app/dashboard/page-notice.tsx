import styles from "./dashboard.module.css";

export type Notices = Record<string, { text: string; tone: "ok" | "bad" }>;

/** The outcome an action redirected with (`?notice=`), when it is one of the page's notices. */
export function PageNotice({ notices, notice }: { notices: Notices; notice: unknown }) {
  const message = typeof notice === "string" ? notices[notice] : undefined;
  if (!message) return null;
  return (
    <p className={message.tone === "ok" ? styles.noticeOk : styles.noticeBad} role="status">
      {message.text}
    </p>
  );
}
