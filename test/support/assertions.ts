import assert from 'node:assert/strict';
import { ERROR_CODES } from '../../src/domain/errors.ts';
import type { Reply } from './client.ts';

/** What must never reach a client in an error: a stack frame, a file path, SQL, a runtime's own wording. */
const LEAK = /\bat \S+ \(|\/work\/|node_modules|\.ts:\d|\bSELECT\b|\bINSERT\b|\bUPDATE\b.*\bSET\b|\bFROM runs\b|SQLITE_|syntax error|TypeError|ReferenceError/i;

/** A reply's body for a failure message, cut short. */
const shown = (reply: Reply): string => (reply.text.length > 300 ? `${reply.text.slice(0, 300)}…` : reply.text);

export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Asserts the contract's error shape (section 3): JSON, a known code, a sentence, nothing leaked. */
export function assertErrorShape(reply: Reply): void {
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json/, `content-type of ${reply.status} ${shown(reply)}`);
  assert.equal(typeof reply.body, 'object', `not a JSON object: ${shown(reply)}`);
  assert.ok(Object.hasOwn(ERROR_CODES, reply.body.error), `unknown error code in ${reply.text}`);
  assert.equal(ERROR_CODES[reply.body.error as keyof typeof ERROR_CODES].status, reply.status, `status of ${reply.text}`);
  assert.equal(typeof reply.body.message, 'string');
  assert.ok(reply.body.message.length > 0, 'empty message');
  assert.deepEqual(Object.keys(reply.body).filter((k) => !['error', 'message', 'param'].includes(k)), [], `extra fields in ${reply.text}`);
  assert.doesNotMatch(reply.text, LEAK, `leaks internals: ${reply.text}`);
}

/** Asserts an error answer with this status and code, naming param (undefined: param not checked; null: no param). */
export function assertError(reply: Reply, status: number, code: string, param?: string | null): void {
  assert.equal(reply.status, status, `expected ${status} ${code}, got ${reply.status} ${shown(reply)}`);
  assertErrorShape(reply);
  assert.equal(reply.body.error, code, shown(reply));
  if (param === null) assert.equal(reply.body.param, undefined, shown(reply));
  else if (param !== undefined) assert.equal(reply.body.param, param, shown(reply));
}

/** Asserts a 200 and returns its JSON body. */
export function okBody(reply: Reply, status = 200): any {
  assert.equal(reply.status, status, `expected ${status}, got ${reply.status} ${shown(reply)}`);
  return reply.body;
}
