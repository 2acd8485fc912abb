import { describe, expect, it } from "vitest";
import {
  brandPalette,
  contrastRatio,
  ensureContrast,
  relativeLuminance,
  textColorOn,
} from "./brand-contrast";

describe("contrast math (WCAG 2.x)", () => {
  it("matches the reference values", () => {
    expect(relativeLuminance("#000000")).toBe(0);
    expect(relativeLuminance("#ffffff")).toBe(1);
    expect(contrastRatio("#000000", "#ffffff")).toBe(21);
    expect(contrastRatio("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
    // The badges: white on orange 3.19:1, white on green 3.77:1.
    expect(contrastRatio("#ffffff", "#d97706")).toBeCloseTo(3.19, 2);
    expect(contrastRatio("#ffffff", "#059669")).toBeCloseTo(3.77, 2);
  });

  it("picks black text on yellow and white on indigo", () => {
    expect(textColorOn("#fde047")).toBe("#000000");
    expect(textColorOn("#4f46e5")).toBe("#ffffff");
  });

  it("darkens a colour until it reads on white, and keeps one that already does", () => {
    const darkened = ensureContrast("#fde047", "#ffffff");
    expect(contrastRatio(darkened, "#ffffff")).toBeGreaterThanOrEqual(4.5);
    expect(darkened).not.toBe("#fde047");
    expect(ensureContrast("#1d4ed8", "#ffffff")).toBe("#1d4ed8");
    expect(contrastRatio(ensureContrast("#1e3a8a", "#111827"), "#111827")).toBeGreaterThanOrEqual(4.5);
  });
});

describe("brandPalette", () => {
  it("keeps every brand colour at AA: buttons and text on the card", () => {
    for (const brand of ["#fde047", "#ffffff", "#000000", "#0f766e", "#f97316", "#22c55e", "#808080", null]) {
      const palette = brandPalette(brand);
      expect(contrastRatio(palette.button, palette.buttonText), `${brand} button`).toBeGreaterThanOrEqual(
        4.5,
      );
      expect(contrastRatio(palette.accent, "#ffffff"), `${brand} accent`).toBeGreaterThanOrEqual(4.5);
    }
    expect(brandPalette("#fde047")).toMatchObject({ button: "#fde047", buttonText: "#000000" });
    expect(brandPalette(null).button).toBe("#4f46e5");
  });
});
