/** A PDF date (ISO 32000-1 §7.9.4) in the given UTC offset, e.g. D:20190416093000+07'00'. */
export function formatPdfDate(date: Date, utcOffsetMinutes: number): string {
  const local = new Date(date.getTime() + utcOffsetMinutes * 60_000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(utcOffsetMinutes);
  return (
    `D:${pad(local.getUTCFullYear(), 4)}${pad(local.getUTCMonth() + 1)}${pad(local.getUTCDate())}` +
    `${pad(local.getUTCHours())}${pad(local.getUTCMinutes())}${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}'${pad(abs % 60)}'`
  );
}

/**
 * A PDF date (ISO 32000-1 §7.9.4): `D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year
 * optional; no offset means UTC here. Undefined when the text is not such a date.
 */
export function parsePdfDate(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const m =
    /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([+\-Z])(?:(\d{2})'?(?:(\d{2})'?)?)?)?$/.exec(
      text.trim(),
    );
  if (!m) return undefined;
  const n = (i: number, fallback: number) => (m[i] === undefined ? fallback : Number(m[i]));
  const utc = Date.UTC(n(1, 0), n(2, 1) - 1, n(3, 1), n(4, 0), n(5, 0), n(6, 0));
  const sign = m[7] === '-' ? -1 : 1;
  const offsetMinutes = m[7] === 'Z' || m[7] === undefined ? 0 : sign * (n(8, 0) * 60 + n(9, 0));
  const date = new Date(utc - offsetMinutes * 60_000);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
