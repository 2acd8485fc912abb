// The confirmation dialog of money actions (app/_components/confirm-submit.tsx) from the specs' side.
import { expect, type Page } from "@playwright/test";

/** Fills the open dialog's fields (by label) and presses its confirm button. */
export async function confirmInDialog(
  page: Page,
  confirm: string | RegExp,
  fields: Record<string, string> = {},
): Promise<void> {
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  for (const [label, value] of Object.entries(fields)) await dialog.getByLabel(label).fill(value);
  await dialog.getByRole("button", { name: confirm }).click();
}

/** The password field of a money-routing confirmation. */
export const PASSWORD_LABEL = "Your password (required for money-routing changes)";
/** The last-4 field shown for an address without a checksum (its whole label). */
export const LAST_FOUR_LABEL_TEXT =
  "This address is all lower-case, so no checksum protects it against a typo. Type its last 4 characters to confirm it";

/** Settings → balance settlement for the local chain, confirmed with the owner's password. */
export async function chooseBalanceMode(page: Page, password: string): Promise<void> {
  await page.goto("/dashboard/settings");
  await page.getByLabel("Settlement mode on local").selectOption("balance");
  await page.getByRole("button", { name: "Save local settlement" }).click();
  await confirmInDialog(page, "Confirm and save", { [PASSWORD_LABEL]: password });
  await expect(
    page.getByRole("status").filter({ hasText: "Settlement for local saved: balance mode." }),
  ).toBeVisible();
}
