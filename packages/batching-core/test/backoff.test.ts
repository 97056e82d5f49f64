import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { backoffCeilingMs, backoffDelayMs } from '../src/backoff';
import type { BackoffPolicy } from '../src/backoff';

const policy: BackoffPolicy = { initialBackoffMs: 100, maxBackoffMs: 1_000, multiplier: 2 };

describe('backoffCeilingMs', () => {
  const cases: { name: string; policy: BackoffPolicy; attempt: number; expected: number }[] = [
    { name: 'attempt 1 is the initial backoff', policy, attempt: 1, expected: 100 },
    { name: 'attempt 2 multiplies once', policy, attempt: 2, expected: 200 },
    { name: 'attempt 3 multiplies twice', policy, attempt: 3, expected: 400 },
    { name: 'attempt 4 multiplies three times', policy, attempt: 4, expected: 800 },
    { name: 'attempt 5 is capped at maxBackoffMs', policy, attempt: 5, expected: 1_000 },
    { name: 'attempt 50 stays capped', policy, attempt: 50, expected: 1_000 },
    {
      name: 'attempt 5000 stays capped (Infinity capped)',
      policy,
      attempt: 5_000,
      expected: 1_000,
    },
    { name: 'attempt 0 is treated as attempt 1', policy, attempt: 0, expected: 100 },
    { name: 'a negative attempt is treated as attempt 1', policy, attempt: -3, expected: 100 },
    {
      name: 'multiplier 1.5 (Collector default) attempt 3',
      policy: { initialBackoffMs: 1_000, maxBackoffMs: 30_000, multiplier: 1.5 },
      attempt: 3,
      expected: 2_250,
    },
    {
      name: 'multiplier 1.5 attempt 9 is just under the 30 s cap',
      policy: { initialBackoffMs: 1_000, maxBackoffMs: 30_000, multiplier: 1.5 },
      attempt: 9,
      expected: 25_628.90625,
    },
    {
      name: 'multiplier 1.5 attempt 10 is capped at 30 s',
      policy: { initialBackoffMs: 1_000, maxBackoffMs: 30_000, multiplier: 1.5 },
      attempt: 10,
      expected: 30_000,
    },
    {
      name: 'multiplier 1 keeps the initial backoff',
      policy: { initialBackoffMs: 250, maxBackoffMs: 30_000, multiplier: 1 },
      attempt: 20,
      expected: 250,
    },
    {
      name: 'maxBackoffMs equal to initial caps at once',
      policy: { initialBackoffMs: 500, maxBackoffMs: 500, multiplier: 3 },
      attempt: 2,
      expected: 500,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(backoffCeilingMs(c.policy, c.attempt), c.expected);
    });
  }

  test('the ceiling never decreases as attempts grow', () => {
    let previous = 0;
    for (let attempt = 1; attempt <= 40; attempt++) {
      const ceiling = backoffCeilingMs(policy, attempt);
      assert.ok(ceiling >= previous, `attempt ${attempt}: ${ceiling} < ${previous}`);
      assert.ok(ceiling <= policy.maxBackoffMs);
      previous = ceiling;
    }
  });
});

describe('backoffDelayMs (full jitter)', () => {
  test('random 0 gives a zero wait on every attempt', () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      assert.equal(
        backoffDelayMs(policy, attempt, () => 0),
        0,
      );
    }
  });

  test('random 0.999999 stays just below the ceiling on every attempt', () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const ceiling = backoffCeilingMs(policy, attempt);
      const delay = backoffDelayMs(policy, attempt, () => 0.999999);
      assert.ok(delay < ceiling, `attempt ${attempt}: ${delay} >= ${ceiling}`);
      assert.ok(Math.abs(delay - ceiling * 0.999999) < 1e-9, `attempt ${attempt}: ${delay}`);
    }
  });

  test('random 0.5 gives exactly half the ceiling', () => {
    const expected = [50, 100, 200, 400, 500, 500];
    assert.deepEqual(
      expected.map((_, i) => backoffDelayMs(policy, i + 1, () => 0.5)),
      expected,
    );
  });

  test('draws exactly one random number per delay', () => {
    let draws = 0;
    backoffDelayMs(policy, 3, () => {
      draws++;
      return 0.25;
    });
    assert.equal(draws, 1);
  });

  test('many Math.random draws are within [0, ceiling) with a mean near half the ceiling', () => {
    for (const attempt of [1, 3, 8]) {
      const ceiling = backoffCeilingMs(policy, attempt);
      const n = 20_000;
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < n; i++) {
        const delay = backoffDelayMs(policy, attempt);
        assert.ok(
          delay >= 0 && delay < ceiling,
          `attempt ${attempt}: ${delay} outside [0, ${ceiling})`,
        );
        sum += delay;
        min = Math.min(min, delay);
        max = Math.max(max, delay);
      }
      const mean = sum / n;
      // The standard error of the mean is ceiling/sqrt(12 n) ≈ 0.002 ceiling: 5 % is ~25 σ.
      assert.ok(Math.abs(mean - ceiling / 2) < ceiling * 0.05, `attempt ${attempt}: mean ${mean}`);
      // Full jitter, not "equal jitter": draws reach down near zero and up near the ceiling.
      assert.ok(min < ceiling * 0.05, `attempt ${attempt}: min ${min}`);
      assert.ok(max > ceiling * 0.95, `attempt ${attempt}: max ${max}`);
    }
  });
});
