/** True when `zone` is an IANA time zone the runtime's ICU data knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Offset written at the end of an ISO 8601 instant (`Z` or `±HH:MM`), in minutes east of UTC. */
export function writtenOffsetMinutes(instant: string): number | undefined {
  if (instant.endsWith('Z')) return 0;
  const match = /([+-])(\d{2}):(\d{2})$/.exec(instant);
  if (!match) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

/** Offset of `zone` from UTC at `at`, in minutes east of UTC. */
export function zoneOffsetMinutes(zone: string, at: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;
  const match = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name ?? '');
  if (!match) throw new RangeError(`no UTC offset for time zone ${zone}`);
  if (match[1] === undefined) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

const formatOffset = (minutes: number) =>
  `${minutes < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;

interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly offset: string;
}

function localParts(at: Date, zone: string): LocalParts {
  const offsetMinutes = zoneOffsetMinutes(zone, at);
  const shifted = new Date(at.getTime() + offsetMinutes * 60_000);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
    offset: formatOffset(offsetMinutes),
  };
}

/** `2019-04-25T00:00:00+07:00`: the instant as wall-clock time in `zone`, with its offset. */
export function toZonedIso(at: Date, zone: string): string {
  const p = localParts(at, zone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${p.offset}`;
}

/** `25/04/2019 08:30 (UTC+07:00)`: the way Vietnamese administrative text writes a moment. */
export function formatVietnamese(at: Date, zone: string): string {
  const p = localParts(at, zone);
  return `${pad(p.day)}/${pad(p.month)}/${pad(p.year, 4)} ${pad(p.hour)}:${pad(p.minute)} (UTC${p.offset})`;
}

/**
 * `2019-04-24T17:00:00Z`: the UTC form Step Functions requires of a Wait state's timestamp
 * (upper-case T and Z, no numeric offset). Milliseconds are written only when not zero.
 */
export function toUtcZ(at: Date): string {
  return at.toISOString().replace('.000Z', 'Z');
}

const DURATION = /^P(?:(\d+)W|(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?)$/;

/**
 * Seconds in an ISO 8601 duration made of weeks, days, hours, minutes and seconds (`P7D`,
 * `P2W`, `PT36H`, `P1DT12H`). Years and months are refused: they have no fixed length, and the
 * state machine waits a number of seconds. Returns undefined for anything else, zero included.
 */
export function durationSeconds(duration: string): number | undefined {
  const match = DURATION.exec(duration);
  if (!match || duration.endsWith('T')) return undefined;
  const [, weeks, days, hours, minutes, seconds] = match.map((g) => Number(g ?? 0));
  const total =
    (weeks ?? 0) * 604_800 +
    (days ?? 0) * 86_400 +
    (hours ?? 0) * 3_600 +
    (minutes ?? 0) * 60 +
    (seconds ?? 0);
  return total > 0 ? total : undefined;
}

/** `1 ngày 2 giờ`, `3 phút 5 giây`: the largest unit, and the next one when not zero, in Vietnamese. */
export function formatDurationVi(milliseconds: number): string {
  const sign = milliseconds < 0 ? '-' : '';
  let rest = Math.round(Math.abs(milliseconds) / 1000);
  const units: [number, string][] = [
    [86_400, 'ngày'],
    [3_600, 'giờ'],
    [60, 'phút'],
    [1, 'giây'],
  ];
  const parts: string[] = [];
  for (const [size, name] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 && parts.length < 2) parts.push(`${count} ${name}`);
    else if (parts.length > 0) break;
  }
  return parts.length === 0 ? '0 giây' : `${sign}${parts.join(' ')}`;
}
