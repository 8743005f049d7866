import { useMemo } from 'react';
import { encode } from 'uqr';

interface OtpQrCodeProps {
  /** The otpauth:// URI an authenticator app reads. */
  uri: string;
  /** Read out instead of the picture. */
  label: string;
}

/** Side of one module on screen, in CSS pixels. */
const MODULE_PIXELS = 5;

/**
 * The QR code as SVG elements that React creates, one rect per dark module. uqr only
 * computes the matrix: its own SVG output is a markup string, which would need innerHTML,
 * and the CSP forbids the inline styles a canvas or data: image route would bring.
 * ECC level M survives a little glare on a screen; the quiet zone is the 4 modules the
 * standard asks for, so phones lock on without hunting.
 */
export function OtpQrCode({ uri, label }: OtpQrCodeProps) {
  const qr = useMemo(() => encode(uri, { ecc: 'M', border: 4 }), [uri]);
  const dark = useMemo(
    () => qr.data.flatMap((row, y) => row.flatMap((on, x) => (on ? [{ x, y }] : []))),
    [qr],
  );
  return (
    <svg
      className="otp-qr"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${qr.size} ${qr.size}`}
      width={qr.size * MODULE_PIXELS}
      height={qr.size * MODULE_PIXELS}
      shapeRendering="crispEdges"
    >
      <rect width={qr.size} height={qr.size} fill="#fff" />
      {dark.map(({ x, y }) => (
        <rect key={`${x}:${y}`} x={x} y={y} width={1} height={1} fill="#000" />
      ))}
    </svg>
  );
}
