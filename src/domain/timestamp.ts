/**
 * Timestamps travel as integer microseconds since the Unix epoch: exact, cheap
 * to compare and index, and safe in a JS number until the year 2255.
 */
export type Micros = number;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Microseconds stay exact in a double only up to 2^53 (the year 2255), so
 * accepted dates are bounded to a range that holds every plausible run.
 */
const MIN_YEAR = 1900;
const MAX_YEAR = 2200;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysInMonth = (year: number, month: number): number => (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]);

/**
 * Parses an RFC 3339 date-time (zone required, up to nine fraction digits,
 * truncated to µs); undefined when it is not one. Every GET /runs parses two,
 * twice (validation, then the query), so it makes no Date object.
 */
export function parseTimestamp(text: string): Micros | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [+m[1], +m[2], +m[3], +m[4], +m[5], +m[6]];
  if (year < MIN_YEAR || year >= MAX_YEAR) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const [oh, om] = [+m[10], +m[11]];
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const fraction = m[7] === undefined ? 0 : +(m[7].length >= 6 ? m[7].slice(0, 6) : m[7].padEnd(6, '0'));
  return (Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000) * 1000 + fraction;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * Formats as RFC 3339 UTC with exactly six fraction digits and a Z. Done by
 * arithmetic (days to civil date, Hinnant's algorithm) instead of through
 * Date#toISOString: every run rendered pays for three of these.
 */
export function formatTimestamp(micros: Micros): string {
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = micros - seconds * 1_000_000;
  const days = Math.floor(seconds / 86_400);
  const inDay = seconds - days * 86_400;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(inDay / 3600);
  const minute = Math.floor((inDay % 3600) / 60);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(inDay % 60)}.${String(fraction).padStart(6, '0')}Z`;
}

export const nowMicros = (): Micros => Date.now() * 1000;

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND;
