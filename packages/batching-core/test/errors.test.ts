import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeError } from '../src/errors';

function withCode(message: string, code: unknown): Error {
  return Object.assign(new Error(message), { code });
}

// What a failed send's reason and the spool's messages say of an error.
const CASES: [string, unknown, string][] = [
  // Node's system errors begin with their code: not said twice.
  [
    'a file-system error',
    withCode('ENOSPC: no space left on device, write', 'ENOSPC'),
    'ENOSPC: no space left on device, write',
  ],
  [
    'a socket error, code inside the message',
    withCode('connect ECONNREFUSED 127.0.0.1:9', 'ECONNREFUSED'),
    'connect ECONNREFUSED 127.0.0.1:9',
  ],
  // undici's messages do not hold their codes: the code goes in front.
  [
    "undici's connect timeout",
    withCode('Connect Timeout Error', 'UND_ERR_CONNECT_TIMEOUT'),
    'UND_ERR_CONNECT_TIMEOUT: Connect Timeout Error',
  ],
  // A DOMException's legacy number (AbortSignal.timeout's is 23) names nothing.
  [
    'a numeric code',
    withCode('The operation was aborted due to timeout', 23),
    'The operation was aborted due to timeout',
  ],
  ['an empty code', withCode('plain', ''), 'plain'],
  ['no code', new Error('plain'), 'plain'],
  ['a thrown string', 'just text', 'just text'],
  ['a thrown undefined', undefined, 'undefined'],
];

for (const [name, error, expected] of CASES) {
  test(`describeError: ${name}`, () => {
    assert.equal(describeError(error), expected);
  });
}
