import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setOwnField } from '../src/index';

test('setOwnField: __proto__ becomes an own enumerable key, whatever its value', () => {
  for (const value of ['text', 7, { nested: true }, null]) {
    const out: Record<string, unknown> = {};
    setOwnField(out, '__proto__', value);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__']);
    assert.equal(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, value);
    assert.equal(JSON.stringify(out), `{"__proto__":${JSON.stringify(value)}}`);
  }
});

test('setOwnField: other keys are assigned', () => {
  const out: Record<string, unknown> = { a: 1 };
  setOwnField(out, 'a', 2);
  setOwnField(out, 'b', 'x');
  assert.deepEqual(out, { a: 2, b: 'x' });
});
