/**
 * Request timestamps for tests, made from Date alone (not from the code under
 * test), so that a formatting bug in src cannot hide in the expected values.
 */
export const SECOND = 1000;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** `ms` milliseconds ago (plus `extraMicros` µs), as the API writes it: six fraction digits and a Z. */
export function ago(ms: number, extraMicros = 0): string {
  return utc(Date.now() - ms, extraMicros);
}

/** A millisecond time plus µs, as the API writes it. */
export function utc(ms: number, extraMicros = 0): string {
  return `${new Date(ms).toISOString().slice(0, -1)}${String(extraMicros).padStart(3, '0')}Z`;
}

/** The same instant as a six-digit UTC time, written at a zone offset (minutes east), with the given fraction digits. */
export function atOffset(utcText: string, offsetMinutes: number, fraction = utcText.slice(20, 26)): string {
  const shifted = new Date(Date.parse(utcText) + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${shifted}${fraction === '' ? '' : `.${fraction}`}${zone}`;
}

/** A day that does not exist (the 31st of a 30-day month) in the last year, so that only its impossibility is at fault. */
export function impossibleRecentDate(): string {
  const now = new Date();
  for (let back = 1; back <= 12; back += 1) {
    const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    const days = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
    if (days === 30) return `${first.toISOString().slice(0, 8)}31T12:00:00Z`;
  }
  throw new Error('unreachable: every year has 30-day months');
}
