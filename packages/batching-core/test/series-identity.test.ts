import assert from 'node:assert/strict';
import { it } from 'node:test';
import { attributesIdentity } from '../src';

it('one text per series: the same attributes in any order, any other differs', () => {
  assert.equal(attributesIdentity({ a: 1, b: 'x' }), attributesIdentity({ b: 'x', a: 1 }));
  const distinct = [
    {},
    { route: 'a,b' },
    { route: 'a|b' },
    { route: 'a_b' },
    { Route: 'a,b' },
    { id: `${'x'.repeat(250)}1` },
    { id: `${'x'.repeat(250)}2` },
    { n: 1 },
    { n: '1' },
    { n: [1] },
    { n: true },
    { n: 1n },
    { a: 1, b: 2 },
    { 'a\u0000b': 2 },
  ];
  const texts = distinct.map((attributes) => attributesIdentity(attributes));
  assert.equal(new Set(texts).size, distinct.length, texts.join('\n'));
});

it('never throws: an attribute that refers to itself is written with its marker', () => {
  const loop: unknown[] = ['a'];
  loop.push(loop);
  assert.match(attributesIdentity({ loop }), /\[circular\]/);
  assert.equal(attributesIdentity({ loop }), attributesIdentity({ loop }));
});
