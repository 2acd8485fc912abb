// A merchant's brand colour made readable (WCAG 2.x contrast, AA = 4.5:1 for text): the checkout
// picks black or white text for its buttons and darkens the colour where it is used as text on the
// white card. Client-safe pure math, no floats near money.

const HEX_COLOR = /^#([0-9a-fA-F]{6})$/;

type Rgb = readonly [number, number, number];

function parseHex(hex: string): Rgb | null {
  const match = HEX_COLOR.exec(hex);
  if (!match?.[1]) return null;
  const value = Number.parseInt(match[1], 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

function toHex(rgb: Rgb): string {
  return `#${rgb.map((channel) => Math.round(channel).toString(16).padStart(2, "0")).join("")}`;
}

/** WCAG relative luminance of an sRGB colour (0 black … 1 white). */
export function relativeLuminance(hex: string): number {
  const rgb = parseHex(hex);
  if (!rgb) throw new Error(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = rgb.map((channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as unknown as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [
    number,
    number,
  ];
  return (light + 0.05) / (dark + 0.05);
}

/** Black or white, whichever reads better on `background`. */
export function textColorOn(background: string): "#000000" | "#ffffff" {
  return contrastRatio(background, "#000000") >= contrastRatio(background, "#ffffff") ? "#000000" : "#ffffff";
}

/** `hex` mixed towards black (amount > 0) or white (amount < 0), amount in 0…1. */
function shade(hex: string, amount: number): string {
  const rgb = parseHex(hex) ?? [0, 0, 0];
  const target = amount > 0 ? 0 : 255;
  const weight = Math.abs(amount);
  return toHex(rgb.map((channel) => channel + (target - channel) * weight) as unknown as Rgb);
}

/**
 * The colour closest to `hex` (darkened, or lightened on a dark background) that reaches `minimum`
 * contrast against `background`; `hex` itself when it already does.
 */
export function ensureContrast(hex: string, background: string, minimum = 4.5): string {
  if (contrastRatio(hex, background) >= minimum) return hex;
  const direction = relativeLuminance(background) > 0.5 ? 1 : -1;
  for (let step = 1; step <= 20; step += 1) {
    const candidate = shade(hex, (direction * step) / 20);
    if (contrastRatio(candidate, background) >= minimum) return candidate;
  }
  return direction > 0 ? "#000000" : "#ffffff";
}

export type BrandPalette = {
  /** Button background and its text (black or white, AA). */
  button: string;
  buttonText: string;
  /** The brand used as text or a border on the white card (AA against white). */
  accent: string;
};

/** The checkout's colours for a merchant's brand (null = the gateway's default indigo). */
export function brandPalette(brandColor: string | null, card = "#ffffff"): BrandPalette {
  const brand = brandColor && parseHex(brandColor) ? brandColor.toLowerCase() : "#4f46e5";
  const buttonText = textColorOn(brand);
  // Mid-tones reach AA with neither black nor white: darken them for white text.
  const button = contrastRatio(brand, buttonText) >= 4.5 ? brand : ensureContrast(brand, "#ffffff");
  return {
    button,
    buttonText: button === brand ? buttonText : "#ffffff",
    accent: ensureContrast(brand, card),
  };
}
