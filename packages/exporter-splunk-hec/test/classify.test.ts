import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HEC_CODES, classifyHecAnswer } from '../src';

/*
 * Every HEC status code of Splunk's "Troubleshoot HTTP Event Collector" table, with the HTTP
 * status it comes with, and what the exporter makes of a request that got it. The table as data:
 * fixtures/hec-status-codes.csv, the code, HTTP status and text columns of
 * https://docs.splunk.com/Documentation/Splunk/latest/Data/TroubleshootHTTPEventCollector
 * ("Possible error codes"), as transcribed in the Splunk Admins app's lookup
 * (https://github.com/gjanders/SplunkAdmins/blob/master/lookups/splunkadmins_hec_reply_code_lookup.csv).
 */
function documentedCodes(): [number, number, string][] {
  const lines = readFileSync(join(__dirname, 'fixtures', 'hec-status-codes.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return lines.map((line) => {
    const [, code, status, text] = /^(\d+),(\d+),"?(.*?)"?$/.exec(line)!;
    return [Number(code), Number(status), text];
  });
}
describe('HEC answers, by HEC code', () => {
  const EXPECTED: Record<number, string> = {
    0: 'delivered',
    1: 'permanent',
    2: 'permanent',
    3: 'permanent',
    4: 'permanent',
    5: 'permanent',
    6: 'partial',
    7: 'partial',
    8: 'retryable',
    9: 'retryable',
    10: 'permanent',
    11: 'permanent',
    12: 'partial',
    13: 'partial',
    14: 'permanent',
    15: 'partial',
    16: 'permanent',
    17: 'delivered',
    18: 'retryable',
    19: 'retryable',
    20: 'retryable',
    21: 'permanent',
    22: 'permanent',
  };

  it("the table is Splunk's documented one: every code, with its HTTP status and text (fixtures/hec-status-codes.csv)", () => {
    assert.deepEqual(
      HEC_CODES.map((c) => [c.code, c.httpStatus, c.text]),
      documentedCodes(),
    );
    assert.deepEqual(
      Object.keys(EXPECTED).map(Number),
      documentedCodes().map(([code]) => code),
    );
  });

  for (const hec of HEC_CODES) {
    it(`code ${hec.code} (${hec.text}, HTTP ${hec.httpStatus}) → ${EXPECTED[hec.code]}`, () => {
      const perEvent = hec.handling === 'event';
      const answer = {
        code: hec.code,
        text: hec.text,
        ...(perEvent ? { invalidEventNumber: 2 } : {}),
      };
      const result = classifyHecAnswer(hec.httpStatus, undefined, answer, 5);
      assert.equal(result.kind, EXPECTED[hec.code]);
      assert.equal(result.httpStatus, hec.httpStatus);
      if (result.kind === 'permanent' || result.kind === 'retryable') {
        assert.match(result.reason, new RegExp(`HEC code ${hec.code}: ${hec.text}`));
      }
    });
  }

  it('invalid-event-number k: the events before k delivered, k rejected with HEC text, the rest resent at once', () => {
    const result = classifyHecAnswer(
      400,
      undefined,
      { code: 6, text: 'Invalid data format', invalidEventNumber: 2 },
      5,
    );
    assert.equal(result.kind, 'partial');
    assert.ok(result.kind === 'partial');
    assert.deepEqual(
      result.failures.map((f) => [f.index, f.retryable, f.retryAfterMs]),
      [
        [2, false, undefined],
        [3, true, 0],
        [4, true, 0],
      ],
    );
    assert.match(
      result.failures[0].reason,
      /HEC code 6: Invalid data format \(event 2 of the request\)/,
    );
  });

  it('an invalid-event-number outside the batch is not trusted: the request is refused as a whole', () => {
    const result = classifyHecAnswer(400, undefined, { code: 6, invalidEventNumber: 9 }, 5);
    assert.equal(result.kind, 'permanent');
  });

  // open-telemetry/opentelemetry-collector-contrib#36113 quotes HEC's busy answer with a position,
  // {"text":"Server is busy","code":9,"invalid-event-number":10}: HEC took the events before it.
  it('busy with a position k: the events before k delivered, the rest wait for Retry-After with back-pressure', () => {
    const result = classifyHecAnswer(
      503,
      '7',
      { code: 9, text: 'Server is busy', invalidEventNumber: 2 },
      4,
      0,
    );
    assert.ok(result.kind === 'partial', result.kind);
    assert.equal(result.backpressure, true);
    assert.deepEqual(
      result.failures.map((f) => [f.index, f.retryable, f.retryAfterMs]),
      [
        [2, true, 7000],
        [3, true, 7000],
      ],
    );
    assert.match(result.failures[0].reason, /Server is busy: HEC took the events before event 2/);
    // Without Retry-After the rest wait for the backoff (no retryAfterMs), not at once.
    const plain = classifyHecAnswer(503, undefined, { code: 9, invalidEventNumber: 1 }, 3, 0);
    assert.ok(plain.kind === 'partial');
    assert.deepEqual(
      plain.failures.map((f) => [f.index, f.retryAfterMs]),
      [
        [1, undefined],
        [2, undefined],
      ],
    );
    // At position 0, or outside the batch, nothing was taken: the request is retried whole.
    for (const invalidEventNumber of [0, 4, 9]) {
      const whole = classifyHecAnswer(503, undefined, { code: 9, invalidEventNumber }, 4, 0);
      assert.equal(whole.kind, 'retryable', String(invalidEventNumber));
    }
  });

  it('429 and 503 honour Retry-After (seconds) and signal back-pressure', () => {
    for (const status of [429, 503]) {
      const result = classifyHecAnswer(status, '7', { code: 9, text: 'Server is busy' }, 1, 0);
      assert.deepEqual(result, {
        kind: 'retryable',
        reason: `HTTP ${status}, HEC code 9: Server is busy`,
        retryAfterMs: 7000,
        backpressure: true,
        httpStatus: status,
      });
    }
  });

  it('413 splits the batch; a body that is not HEC JSON falls back on the HTTP status', () => {
    assert.equal(classifyHecAnswer(413, undefined, undefined, 4).kind, 'too_large');
    assert.equal(classifyHecAnswer(502, undefined, undefined, 4).kind, 'retryable');
    assert.equal(classifyHecAnswer(404, undefined, undefined, 4).kind, 'permanent');
    assert.equal(classifyHecAnswer(408, undefined, undefined, 4).kind, 'retryable');
  });
});
