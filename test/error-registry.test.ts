import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { ERROR_CODES } from '../src/domain/errors.ts';

test('every error code of the registry is documented in the README', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const undocumented = Object.keys(ERROR_CODES).filter((code) => !new RegExp(`\`${code}\``).test(readme));
  assert.deepEqual(undocumented, [], 'codes missing from README.md (written as `code`)');
});
