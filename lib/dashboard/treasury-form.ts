import { z } from "zod";
import type { TSetTreasurySetting } from "../settlement/set-treasury-setting";
import { formText, refineTypedAddress } from "./form-fields";

/** The settlement form of one chain: mode, treasury address and its confirmation. */
export const ZTreasuryForm = z
  .object({ chain: formText, mode: formText, address: formText, address_confirm: formText })
  .superRefine(refineTypedAddress)
  .transform(
    (form): TSetTreasurySetting => ({
      chain: form.chain ?? "",
      mode: form.mode === "balance" ? "balance" : "treasury",
      address: form.address ?? null,
    }),
  );
