import QRCode from "qrcode";

/**
 * An SVG QR code of `text` (an EIP-681 URI). Medium error correction and a quiet zone of 2 modules
 * read reliably from a phone screen at checkout size. Works on the server and in the browser.
 */
export async function qrCodeSvg(text: string): Promise<string> {
  return QRCode.toString(text, {
    type: "svg",
    errorCorrectionLevel: "M",
    margin: 2,
    color: { dark: "#111827", light: "#ffffff" },
  });
}
