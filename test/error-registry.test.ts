import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { ERROR_CODES } from '../src/domain/errors.ts';

test('every error code of the registry is documented in the README', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const undocumented = Object.keys(ERROR_CODES).filter((code) => !new RegExp(`\`${code}\``).test(readme));
  assert.deepEqual(undocumented, [], 'codes missing from README.md (written as `code`)');
});

test('errors are made in the registry alone: no other source file words an ApiError or an import line\'s rejection', async () => {
  const src = new URL('../src/', import.meta.url);
  const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith('.ts') && f !== 'domain/errors.ts');
  // spawn-thread.ts rebuilds, word for word, an error made on a store thread.
  const makers: string[] = [];
  for (const file of files) if (/new ApiError\(|\berror: ['"`]/.test(await readFile(new URL(file, src), 'utf8'))) makers.push(file);
  assert.deepEqual(makers, ['store/spawn-thread.ts']);
});
