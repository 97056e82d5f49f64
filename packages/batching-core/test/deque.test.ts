import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Deque } from '../src/deque';
import { seededRandom as prng } from '../src/testing';

function drain<T>(d: Deque<T>): T[] {
  const out: T[] = [];
  while (d.length > 0) out.push(d.shift() as T);
  return out;
}

describe('Deque', () => {
  test('an empty deque', () => {
    const d = new Deque<number>();
    assert.equal(d.length, 0);
    assert.equal(d.shift(), undefined);
    assert.equal(d.peek(), undefined);
    assert.deepEqual([...d], []);
  });

  test('FIFO order', () => {
    const d = new Deque<string>();
    for (const s of ['a', 'b', 'c']) d.push(s);
    assert.equal(d.length, 3);
    assert.equal(d.peek(), 'a');
    assert.deepEqual([...d], ['a', 'b', 'c']);
    assert.deepEqual(drain(d), ['a', 'b', 'c']);
    assert.equal(d.length, 0);
  });

  for (const [initial, count] of [
    [1, 17],
    [16, 16],
    [16, 17],
    [16, 1_000],
    [100, 129],
    [1_024, 5_000],
  ] as const) {
    test(`FIFO order across growth (initial ${initial}, ${count} items)`, () => {
      const d = new Deque<number>(initial);
      for (let i = 0; i < count; i++) d.push(i);
      assert.equal(d.length, count);
      assert.equal(d.peek(), 0);
      assert.deepEqual(
        [...d],
        Array.from({ length: count }, (_, i) => i),
      );
      assert.deepEqual(
        drain(d),
        Array.from({ length: count }, (_, i) => i),
      );
    });
  }

  test('FIFO order across wrap-around, then growth while wrapped', () => {
    const d = new Deque<number>(16);
    const model: number[] = [];
    let next = 0;
    // Move the head to the middle of the buffer, then fill so the items wrap past the end.
    for (let i = 0; i < 10; i++) {
      d.push(next);
      model.push(next++);
    }
    for (let i = 0; i < 7; i++) assert.equal(d.shift(), model.shift());
    for (let i = 0; i < 13; i++) {
      d.push(next);
      model.push(next++);
    }
    assert.equal(d.length, 16);
    assert.deepEqual([...d], model);
    // Full and wrapped: the next push grows the buffer and must keep the order.
    for (let i = 0; i < 5; i++) {
      d.push(next);
      model.push(next++);
    }
    assert.equal(d.length, 21);
    assert.deepEqual([...d], model);
    assert.deepEqual(drain(d), model);
  });

  test('unshift puts items at the front, also past index 0 and across growth', () => {
    const d = new Deque<number>(16);
    d.push(10);
    d.push(11);
    d.unshift(9);
    d.unshift(8);
    assert.equal(d.peek(), 8);
    assert.deepEqual([...d], [8, 9, 10, 11]);
    for (let i = 7; i >= -20; i--) d.unshift(i);
    assert.equal(d.length, 32);
    assert.deepEqual(
      [...d],
      Array.from({ length: 32 }, (_, i) => i - 20),
    );
    assert.equal(d.shift(), -20);
    assert.equal(d.peek(), -19);
  });

  test('unshift on an empty deque, then push', () => {
    const d = new Deque<string>();
    d.unshift('x');
    d.push('y');
    d.unshift('w');
    assert.deepEqual([...d], ['w', 'x', 'y']);
    assert.deepEqual(drain(d), ['w', 'x', 'y']);
  });

  test('peek does not remove', () => {
    const d = new Deque<number>();
    d.push(1);
    d.push(2);
    assert.equal(d.peek(), 1);
    assert.equal(d.peek(), 1);
    assert.equal(d.length, 2);
  });

  test('holds falsy values faithfully', () => {
    const d = new Deque<number | string | null | boolean>();
    for (const v of [0, '', null, false]) d.push(v);
    assert.equal(d.length, 4);
    assert.equal(d.peek(), 0);
    assert.deepEqual([...d], [0, '', null, false]);
    assert.deepEqual(drain(d), [0, '', null, false]);
  });

  test('shift releases the slot (no reference kept to a removed item)', () => {
    const d = new Deque<object>();
    d.push({ a: 1 });
    d.shift();
    const slots = (d as unknown as { items: unknown[] }).items;
    assert.ok(slots.every((s) => s === undefined));
  });

  test('iteration is a snapshot of order, and does not consume', () => {
    const d = new Deque<number>(16);
    for (let i = 0; i < 40; i++) d.push(i);
    for (let i = 0; i < 30; i++) d.shift();
    for (let i = 40; i < 50; i++) d.push(i);
    const seen: number[] = [];
    for (const v of d) seen.push(v);
    assert.deepEqual(
      seen,
      Array.from({ length: 20 }, (_, i) => 30 + i),
    );
    assert.equal(d.length, 20);
  });

  for (const seed of [1, 42, 20240601]) {
    test(`10,000 random operations agree with an array model (seed ${seed})`, () => {
      const random = prng(seed);
      const d = new Deque<number>(16);
      const model: number[] = [];
      let next = 0;
      const counts = { push: 0, unshift: 0, shift: 0, peek: 0, iterate: 0 };
      for (let op = 0; op < 10_000; op++) {
        const r = random();
        // Bias toward growth in the first half and toward shrinking in the second, so the
        // buffer grows several times and wraps in both directions.
        const growBias = op < 5_000 ? 0.6 : 0.35;
        if (r < growBias * 0.7) {
          d.push(next);
          model.push(next++);
          counts.push++;
        } else if (r < growBias) {
          d.unshift(next);
          model.unshift(next++);
          counts.unshift++;
        } else if (r < 0.9) {
          assert.equal(d.shift(), model.shift(), `op ${op}: shift`);
          counts.shift++;
        } else if (r < 0.97) {
          assert.equal(d.peek(), model[0], `op ${op}: peek`);
          counts.peek++;
        } else {
          assert.deepEqual([...d], model, `op ${op}: iteration`);
          counts.iterate++;
        }
        assert.equal(d.length, model.length, `op ${op}: length`);
      }
      assert.deepEqual([...d], model);
      assert.deepEqual(drain(d), model);
      // The mix really exercised every operation.
      for (const [name, n] of Object.entries(counts)) assert.ok(n > 100, `${name} ran ${n} times`);
    });
  }
});
