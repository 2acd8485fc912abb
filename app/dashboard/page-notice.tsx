import styles from "./dashboard.module.css";

export type Notices = Record<string, { text: string; tone: "ok" | "bad" }>;

/** What every page says when an action was refused for the member's role (lib/dashboard/form-errors.ts). */
export const FORBIDDEN_NOTICE: Notices = {
  forbidden: {
    text: "Your role does not allow this action: ask the merchant's owner to do it or to change your role.",
    tone: "bad",
  },
};

/** The outcome an action redirected with (`?notice=`), when it is one of the page's notices. */
export function PageNotice({ notices, notice }: { notices: Notices; notice: unknown }) {
  const message = typeof notice === "string" ? (notices[notice] ?? FORBIDDEN_NOTICE[notice]) : undefined;
  if (!message) return null;
  return (
    <p className={message.tone === "ok" ? styles.noticeOk : styles.noticeBad} role="status">
      {message.text}
    </p>
  );
}
