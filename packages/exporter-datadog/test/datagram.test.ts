import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeLine,
  formatBound,
  packDatagrams,
  rateForCount,
  sanitizeMetricName,
  sanitizeTag,
} from '../src';

describe('DogStatsD lines', () => {
  it('writes name, value, type, rate, tags and timestamp in the Agent-documented fields', () => {
    assert.equal(
      encodeLine({
        name: 'a.b',
        value: 1.5,
        type: 'c',
        tags: ['k:v', 'x:y'],
        timestampS: 1657100430,
      }).line,
      'a.b:1.5|c|#k:v,x:y|T1657100430',
    );
    assert.equal(
      encodeLine({ name: 'd', value: 3, type: 'd', tags: [], sampleRate: 0.5 }).line,
      'd:3|d|@0.5',
    );
    assert.equal(encodeLine({ name: 'g', value: -0, type: 'g', tags: [] }).line, 'g:0|g');
    const unicode = encodeLine({ name: 'é', value: 1, type: 'g', tags: [] });
    assert.equal(unicode.bytes, Buffer.byteLength('é:1|g'));
  });

  it('sanitises what would break the datagram: names, tag keys and values', () => {
    assert.equal(sanitizeMetricName('a:b|c\nd\re'), 'a_b_c_d_e');
    assert.equal(sanitizeTag('k:e|y,', 'v:al|u,e\n'), 'k_e_y_:v:al_u_e_');
    assert.equal(sanitizeTag('empty', ''), 'empty:n/a');
    assert.equal(sanitizeTag('k', 'x'.repeat(300)).length, 200);
  });

  it('packs lines into datagrams of at most the limit, in order, naming the lines of each', () => {
    const lines = ['a:1|c', 'bb:2|c', 'ccc:3|c', 'x'.repeat(30)].map((line) => ({
      line,
      bytes: Buffer.byteLength(line),
    }));
    // 5 + 1 + 6 = 12 fits in 12; the third starts a new datagram.
    const packed = packDatagrams(lines, 12);
    assert.deepEqual(
      packed.datagrams.map((d) => [d.payload, d.indexes]),
      [
        ['a:1|c\nbb:2|c', [0, 1]],
        ['ccc:3|c', [2]],
      ],
    );
    assert.deepEqual(packed.tooLarge, [3]);
    for (const d of packDatagrams(lines, 1432).datagrams) {
      assert.ok(Buffer.byteLength(d.payload) <= 1432);
    }
  });

  it('gives a sample rate whose inverse the Agent truncates to the exact count', () => {
    assert.equal(rateForCount(1), undefined);
    // 93, 99, 105: counts whose 1/(1/count) rounds below count.
    for (const count of [2, 3, 7, 49, 93, 99, 105, 1_000, 123_457, 2 ** 31 + 11]) {
      const rate = rateForCount(count) as number;
      assert.ok(rate > 0 && rate < 1);
      assert.equal(Math.trunc(1 / Number(String(rate))), count, `count ${count}`);
    }
  });
});

// opentelemetry-mapping-go pkg/otlp/metrics/metrics_translator_test.go TestFormatFloat (the
// bucket-bound and quantile tag values), and TestLegacyBucketsTags (`upper_bound:0`, `1.0`).
const FORMAT_FLOAT: [number, string][] = [
  [0, '0'],
  [0.001, '0.001'],
  [0.9, '0.9'],
  [0.95, '0.95'],
  [0.99, '0.99'],
  [0.999, '0.999'],
  [1, '1.0'],
  [2, '2.0'],
  [Infinity, 'inf'],
  [-Infinity, '-inf'],
  [NaN, 'nan'],
  [1e-10, '1e-10'],
];

describe('bucket bounds as the translator formats them', () => {
  for (const [value, text] of FORMAT_FLOAT) {
    it(`${value} → ${text} (metrics_translator_test.go TestFormatFloat)`, () => {
      assert.equal(formatBound(value), text);
    });
  }
  it("Go's %g switches to an exponent from 1e6 (strconv 'g', shortest)", () => {
    assert.equal(formatBound(100_000), '100000.0');
    assert.equal(formatBound(1_000_000), '1e+06.0');
    assert.equal(formatBound(0.00001), '1e-05');
  });
});
