import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeCursor, encodeCursor } from '../../src/domain/cursor.ts';
import { formatTimestamp } from '../../src/domain/timestamp.ts';

const position = fc.record({
  createdAt: fc.integer({ min: Date.UTC(1900, 0, 1) * 1000, max: Date.UTC(2200, 0, 1) * 1000 - 1 }),
  sessionId: fc.uuid({ version: 4 }),
});

test('a token decodes to the position it was made from, and is safe in a URL', () => {
  fc.assert(
    fc.property(position, (p) => {
      const token = encodeCursor(p);
      assert.match(token, /^[A-Za-z0-9_-]+$/);
      assert.deepEqual(decodeCursor(token), { ...p });
    }),
    { numRuns: 1000 },
  );
});

test('a timestamp cursor decodes to its instant with no session_id', () => {
  fc.assert(
    fc.property(position, ({ createdAt }) => {
      assert.deepEqual(decodeCursor(formatTimestamp(createdAt)), { createdAt });
    }),
  );
});

test('any text decodes without throwing; text that is neither a timestamp nor a token decodes to undefined', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      const decoded = decodeCursor(text);
      if (decoded !== undefined) assert.ok(Number.isSafeInteger(decoded.createdAt), text);
    }),
    { numRuns: 1000 },
  );
  for (const text of ['', 'abc', '2026-02-15', '%%%', 'c1.1.x', Buffer.from('c1.x.y').toString('base64url')]) {
    assert.equal(decodeCursor(text), undefined, text);
  }
});
