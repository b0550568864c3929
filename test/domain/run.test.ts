import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { lastRunOf, renderRun, type Run } from '../../src/domain/run.ts';
import { STATUSES } from '../../src/domain/statuses.ts';

const micros = fc.integer({ min: Date.UTC(1900, 0, 1) * 1000, max: Date.UTC(2200, 0, 1) * 1000 - 1 });
const run: fc.Arbitrary<Run> = fc.record({
  sessionId: fc.uuid(),
  workspaceId: fc.uuid(),
  workflowId: fc.uuid(),
  status: fc.constantFrom(...STATUSES),
  createdAt: micros,
  executionStart: fc.option(micros),
  executionEnd: fc.option(micros),
  dryRun: fc.boolean(),
  credentialId: fc.option(fc.string()),
});

test("a page's last run is read back from its rendered text and from its bytes", () => {
  fc.assert(
    fc.property(fc.array(run, { minLength: 1, maxLength: 20 }), (runs) => {
      const page = `[${runs.map(renderRun).join(',')}]`;
      const last = runs[runs.length - 1];
      const expected = { createdAt: last.createdAt, sessionId: last.sessionId };
      assert.deepEqual(lastRunOf(page), expected);
      assert.deepEqual(lastRunOf(Buffer.from(page)), expected);
    }),
    { numRuns: 500 },
  );
});

test('an empty page has no last run', () => {
  assert.equal(lastRunOf('[]'), undefined);
  assert.equal(lastRunOf(Buffer.from('[]')), undefined);
});
