import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatTimestamp, parseTimestamp } from '../../src/domain/timestamp.ts';
import { TIMESTAMP } from '../support/assertions.ts';
import { atOffset } from '../support/times.ts';

/** Microseconds within 1900 to 2199, the years a timestamp may have, a day from each end so that any offset stays inside. */
const micros = fc.integer({ min: Date.UTC(1900, 0, 2) * 1000, max: Date.UTC(2199, 11, 31) * 1000 - 1 });
/** What Date alone says the text must be: the millisecond part from toISOString, the rest as three more digits. */
const expected = (m: number) => `${new Date(Math.floor(m / 1000)).toISOString().slice(0, -1)}${String(((m % 1000) + 1000) % 1000).padStart(3, '0')}Z`;

test('formatTimestamp writes RFC 3339 UTC with six fraction digits, as Date would, and parseTimestamp reads it back', () => {
  fc.assert(
    fc.property(micros, (m) => {
      const text = formatTimestamp(m);
      assert.match(text, TIMESTAMP);
      assert.equal(text, expected(m));
      assert.equal(parseTimestamp(text), m);
    }),
    { numRuns: 2000 },
  );
});

test('any zone offset and up to nine fraction digits read as the same microsecond, truncated', () => {
  const offset = fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 });
  fc.assert(
    fc.property(micros, offset, fc.integer({ min: 0, max: 999 }), (m, minutes, extra) => {
      const text = formatTimestamp(m);
      assert.equal(parseTimestamp(atOffset(text, minutes)), m);
      assert.equal(parseTimestamp(atOffset(text, minutes, `${text.slice(20, 26)}${String(extra).padStart(3, '0')}`)), m);
      assert.equal(parseTimestamp(atOffset(text, minutes, text.slice(20, 21))), m - (m % 100_000 + 100_000) % 100_000);
    }),
    { numRuns: 2000 },
  );
});

test('what is not RFC 3339 with seconds and a zone is refused', () => {
  for (const text of [
    '2026-02-15',
    '2026-02-15T10:00Z',
    '2026-02-15T10:00:00',
    '1771149600',
    '2026-09-31T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-02-15T10:00:00.Z',
    '2026-02-15T10:00:00.1234567890Z',
    '2026-02-15T10:00:00+24:00',
    '2026-02-15T10:00:00+02',
    ' 2026-02-15T10:00:00Z',
    '2026-02-15T10:00:00Z ',
    '２０２６-02-15T10:00:00Z',
    '',
  ]) {
    assert.equal(parseTimestamp(text), undefined, text);
  }
  assert.equal(parseTimestamp('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29) * 1000, 'a leap day is a day');
  assert.equal(parseTimestamp('2000-02-29T00:00:00Z'), Date.UTC(2000, 1, 29) * 1000, 'so is one in a year divisible by 400');
});
