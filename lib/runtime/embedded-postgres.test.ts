// Opening the data folder's parent to the unprivileged postgres user adds permissions and takes none
// away: a shared folder such as /tmp keeps its sticky bit and its write bits.
import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { letOthersEnter } from "./embedded-postgres";

const root = mkdtempSync(join(tmpdir(), "ctrip-enter-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const modeOf = (folder: string) => statSync(folder).mode & 0o7777;

describe("letOthersEnter", () => {
  it("keeps a shared folder's sticky bit and write bits (1777 stays 1777)", () => {
    chmodSync(root, 0o1777);
    letOthersEnter(root);
    expect(modeOf(root).toString(8)).toBe("1777");
  });

  it("opens a private folder to reading and entering, nothing more (0700 → 0755)", () => {
    const closed = mkdtempSync(join(root, "closed-"));
    chmodSync(closed, 0o700);
    letOthersEnter(closed);
    expect(modeOf(closed).toString(8)).toBe("755");
  });
});
