import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfterMs } from '../src/retry-after';

// RFC 9110's example instant, and "now" 30 seconds before it.
const DATE_MS = Date.UTC(1994, 10, 6, 8, 49, 37);
const NOW_MS = DATE_MS - 30_000;

type Input = string | string[] | undefined | null;

describe('parseRetryAfterMs', () => {
  const cases: { name: string; value: Input; expected: number | undefined }[] = [
    // delay-seconds
    { name: 'delay-seconds', value: '120', expected: 120_000 },
    { name: 'zero seconds', value: '0', expected: 0 },
    { name: 'one second', value: '1', expected: 1_000 },
    { name: 'leading zeros', value: '007', expected: 7_000 },
    { name: 'surrounding whitespace is trimmed', value: '  5\t', expected: 5_000 },
    // fractional seconds
    { name: 'fractional seconds', value: '1.5', expected: 1_500 },
    { name: 'fractional seconds are rounded to ms', value: '0.0004', expected: 0 },
    { name: 'fractional seconds round half up', value: '2.0005', expected: 2_001 },
    { name: 'fractional below one second', value: '0.25', expected: 250 },
    // HTTP-date, the three forms RFC 9110 requires a recipient to read
    { name: 'IMF-fixdate', value: 'Sun, 06 Nov 1994 08:49:37 GMT', expected: 30_000 },
    { name: 'RFC 850 date', value: 'Sunday, 06-Nov-94 08:49:37 GMT', expected: 30_000 },
    { name: 'asctime date (no zone: GMT)', value: 'Sun Nov  6 08:49:37 1994', expected: 30_000 },
    { name: 'a date exactly now', value: 'Sun, 06 Nov 1994 08:49:07 GMT', expected: 0 },
    { name: 'a past date is no wait', value: 'Sun, 06 Nov 1994 08:00:00 GMT', expected: 0 },
    { name: 'a long-past date is no wait', value: 'Thu, 01 Jan 1970 00:00:00 GMT', expected: 0 },
    { name: 'a date a day later', value: 'Mon, 07 Nov 1994 08:49:07 GMT', expected: 86_400_000 },
    // arrays: the first value counts
    { name: 'array: first value', value: ['3', '7'], expected: 3_000 },
    {
      name: 'array: first value is a date',
      value: ['Sun, 06 Nov 1994 08:49:37 GMT', '1'],
      expected: 30_000,
    },
    { name: 'array: empty', value: [], expected: undefined },
    { name: 'array: first value garbage', value: ['soon', '5'], expected: undefined },
    // absent or malformed: ignored (undefined), never trusted
    { name: 'undefined', value: undefined, expected: undefined },
    { name: 'null', value: null, expected: undefined },
    { name: 'empty string', value: '', expected: undefined },
    { name: 'whitespace only', value: '   ', expected: undefined },
    { name: 'negative seconds', value: '-5', expected: undefined },
    { name: 'negative fraction', value: '-1.5', expected: undefined },
    { name: 'plus sign', value: '+5', expected: undefined },
    { name: 'exponent notation', value: '1e3', expected: undefined },
    { name: 'hex', value: '0x10', expected: undefined },
    { name: 'trailing dot', value: '5.', expected: undefined },
    { name: 'leading dot', value: '.5', expected: undefined },
    { name: 'two numbers', value: '5 6', expected: undefined },
    { name: 'seconds with a unit', value: '5 seconds', expected: undefined },
    { name: 'a word', value: 'soon', expected: undefined },
    { name: 'Infinity', value: 'Infinity', expected: undefined },
    { name: 'NaN', value: 'NaN', expected: undefined },
    { name: 'a time without a date', value: '12:00:00', expected: undefined },
    { name: 'a date without a time', value: 'Sun, 06 Nov 1994', expected: undefined },
    { name: 'day out of range', value: 'Sun, 32 Nov 1994 08:49:37 GMT', expected: undefined },
    { name: 'hour out of range', value: 'Sun, 06 Nov 1994 25:49:37 GMT', expected: undefined },
    { name: 'unknown month', value: 'Sun, 06 Foo 1994 08:49:37 GMT', expected: undefined },
  ];
  for (const c of cases) {
    test(`${c.name}: ${JSON.stringify(c.value)} -> ${String(c.expected)}`, () => {
      assert.equal(parseRetryAfterMs(c.value, NOW_MS), c.expected);
    });
  }

  test('nowMs defaults to the current time', () => {
    const inOneHour = new Date(Date.now() + 3_600_000).toUTCString();
    const ms = parseRetryAfterMs(inOneHour);
    assert.ok(ms !== undefined);
    // toUTCString drops the milliseconds, so the wait is up to a second short; allow a loose slack.
    assert.ok(ms > 3_600_000 - 60_000 && ms <= 3_600_000, `got ${ms}`);
    assert.equal(parseRetryAfterMs('30'), 30_000);
  });

  describe('dates are GMT whatever the local time zone', () => {
    const saved = process.env.TZ;
    after(() => {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    });
    for (const zone of ['America/New_York', 'Asia/Kolkata', 'UTC']) {
      test(`TZ=${zone}`, () => {
        process.env.TZ = zone;
        assert.equal(parseRetryAfterMs('Sun, 06 Nov 1994 08:49:37 GMT', NOW_MS), 30_000);
        assert.equal(parseRetryAfterMs('Sunday, 06-Nov-94 08:49:37 GMT', NOW_MS), 30_000);
        assert.equal(parseRetryAfterMs('Sun Nov  6 08:49:37 1994', NOW_MS), 30_000);
      });
    }
  });
});
