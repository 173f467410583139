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
  const [year, month, day] = [n(1, 0), n(2, 1), n(3, 1)];
  const [hour, minute, second] = [n(4, 0), n(5, 0), n(6, 0)];
  const [offsetHours, offsetMinutesPart] = [n(8, 0), n(9, 0)];
  // Date.UTC rolls 31 February over to 3 March and hour 25 into the next day: such text is not a
  // date, so every part must stay within its own range.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (offsetHours > 23 || offsetMinutesPart > 59) return undefined;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, 0);
  const sign = m[7] === '-' ? -1 : 1;
  const offsetMinutes =
    m[7] === 'Z' || m[7] === undefined ? 0 : sign * (offsetHours * 60 + offsetMinutesPart);
  return new Date(utc.getTime() - offsetMinutes * 60_000);
}

function daysInMonth(year: number, month: number): number {
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month, 0);
  return lastDay.getUTCDate();
}
