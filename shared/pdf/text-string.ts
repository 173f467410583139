import type { PdfString } from './objects.ts';

// PDFDocEncoding (ISO 32000-1 Annex D) where it differs from Latin-1.
const PDF_DOC_ENCODING: Readonly<Record<number, number>> = {
  24: 0x02d8,
  25: 0x02c7,
  26: 0x02c6,
  27: 0x02d9,
  28: 0x02dd,
  29: 0x02db,
  30: 0x02da,
  31: 0x02dc,
  128: 0x2022,
  129: 0x2020,
  130: 0x2021,
  131: 0x2026,
  132: 0x2014,
  133: 0x2013,
  134: 0x0192,
  135: 0x2044,
  136: 0x2039,
  137: 0x203a,
  138: 0x2212,
  139: 0x2030,
  140: 0x201e,
  141: 0x201c,
  142: 0x201d,
  143: 0x2018,
  144: 0x2019,
  145: 0x201a,
  146: 0x2122,
  147: 0xfb01,
  148: 0xfb02,
  149: 0x0141,
  150: 0x0152,
  151: 0x0160,
  152: 0x0178,
  153: 0x017d,
  154: 0x0131,
  155: 0x0142,
  156: 0x0153,
  157: 0x0161,
  158: 0x017e,
  159: 0xfffd,
  160: 0x20ac,
};

/** Decodes a PDF text string (§7.9.2.2): UTF-16BE or UTF-8 with a byte order mark, else PDFDocEncoding. */
export function decodeTextString(s: PdfString): string {
  const b = s.bytes;
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    const body = b.subarray(2, 2 + ((b.length - 2) & ~1));
    return Buffer.from(body).swap16().toString('utf16le');
  }
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
    return b.subarray(3).toString('utf8');
  }
  let out = '';
  for (const c of b) out += String.fromCharCode(PDF_DOC_ENCODING[c] ?? c);
  return out;
}

/**
 * A text string (§7.9.2.2) for a human-readable entry such as /Reason: PDFDocEncoding when the
 * text is printable ASCII, else UTF-16BE with a byte order mark (Vietnamese needs it).
 */
export function textString(text: string): PdfString {
  if (/^[\x20-\x7e]*$/.test(text)) {
    return { kind: 'string', bytes: Buffer.from(text, 'latin1'), hex: false };
  }
  const utf16 = Buffer.from(text, 'utf16le').swap16();
  return { kind: 'string', bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), utf16]), hex: true };
}
