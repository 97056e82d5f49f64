import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributeValueToString } from '../src/mapping';

/*
 * Bad input (issue 11): an array attribute that contains itself is written bounded (the core's
 * boundedValue) as a label value, instead of making JSON.stringify throw.
 */

test('an array attribute that contains itself becomes a label value with the circular marker', () => {
  const list: unknown[] = [1, 'two'];
  list.push(list);
  assert.equal(attributeValueToString(list as never), '[1,"two","[circular]"]');
});
