import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { seededRandom } from '@otelpack/batching-core/testing';
import { utf8Length, varintLength } from '@otelpack/batching-core';
import { WriteRequestEncoder, encodeWriteRequest, timeSeriesEntryLength } from '../src';
import { SeriesSizer } from '../src/encoder';
import type { TimeSeries } from '../src';
import {
  decodeWriteRequest,
  encodeWithProtobufjs,
  expectedDecoded,
  wellFormedSeries,
} from './helpers/proto';

const T = 1_700_000_000_123;

/** encodeWriteRequest in a worker, failing (not hanging) when it does not return in time. */
async function encodeInWorker(series: TimeSeries[], timeoutMs: number): Promise<Buffer> {
  // The worker loads TypeScript through tsx's require hook, as this test file is loaded.
  const script = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(join(__dirname, 'helpers/encode-in-worker.ts'))});`;
  const worker = new Worker(script, { eval: true, workerData: series });
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the encoder did not return within ${timeoutMs} ms`)),
        timeoutMs,
      );
      worker.once('message', (bytes: Uint8Array) => {
        clearTimeout(timer);
        resolve(Buffer.from(bytes));
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } finally {
    await worker.terminate();
  }
}

/** Each case: the series, checked three ways: protobufjs decodes them back, the bytes equal
 * protobufjs's own encoding, and the measured sizes add up to the request. */
const cases: { name: string; series: TimeSeries[] }[] = [
  { name: 'empty request', series: [] },
  {
    name: 'one counter sample',
    series: [
      {
        labels: [
          { name: '__name__', value: 'http_requests_total' },
          { name: 'job', value: 'shop/api' },
        ],
        samples: [{ value: 42, timestampMs: T }],
      },
    ],
  },
  {
    name: 'zero value and zero timestamp are left out, -0 is kept',
    series: [
      {
        labels: [{ name: '__name__', value: 'z' }],
        samples: [
          { value: 0, timestampMs: 0 },
          { value: -0, timestampMs: T },
        ],
      },
    ],
  },
  {
    name: 'NaN, +Inf, -Inf, the largest and smallest doubles',
    series: [
      {
        labels: [{ name: '__name__', value: 'odd' }],
        samples: [
          { value: NaN, timestampMs: T },
          { value: Infinity, timestampMs: T + 1 },
          { value: -Infinity, timestampMs: T + 2 },
          { value: Number.MAX_VALUE, timestampMs: T + 3 },
          { value: Number.MIN_VALUE, timestampMs: T + 4 },
        ],
      },
    ],
  },
  {
    name: 'negative, tiny and 2^53-1 timestamps (1-, 10- and 8-byte varints)',
    series: [
      {
        labels: [{ name: '__name__', value: 't' }],
        samples: [
          { value: 1, timestampMs: -1 },
          { value: 2, timestampMs: 1 },
          { value: 3, timestampMs: 127 },
          { value: 4, timestampMs: 128 },
          { value: 5, timestampMs: Number.MAX_SAFE_INTEGER },
        ],
      },
    ],
  },
  {
    name: 'a fractional timestamp is truncated',
    series: [
      { labels: [{ name: '__name__', value: 'f' }], samples: [{ value: 1, timestampMs: T + 0.9 }] },
    ],
  },
  {
    name: 'non-ASCII, emoji, a lone surrogate, an empty value',
    series: [
      {
        labels: [
          { name: '__name__', value: 'unicode' },
          { name: 'city', value: 'Zürich — 東京 🚀' },
          { name: 'broken', value: 'a\ud800b' },
          { name: 'empty', value: '' },
        ],
        samples: [{ value: 1.5, timestampMs: T }],
      },
    ],
  },
  {
    name: 'long strings: 2- and 3-byte length prefixes',
    series: [
      {
        labels: [
          { name: '__name__', value: 'x'.repeat(200) },
          { name: 'big', value: 'é'.repeat(10_000) },
          { name: 'huge', value: 'y'.repeat(70_000) },
        ],
        samples: [{ value: 1, timestampMs: T }],
      },
    ],
  },
  {
    name: 'exemplars',
    series: [
      {
        labels: [
          { name: '__name__', value: 'latency_seconds_bucket' },
          { name: 'le', value: '0.5' },
        ],
        samples: [{ value: 7, timestampMs: T }],
        exemplars: [
          {
            labels: [
              { name: 'span_id', value: '00f067aa0ba902b7' },
              { name: 'trace_id', value: '4bf92f3577b34da6a3ce929d0e0e4736' },
            ],
            value: 0.42,
            timestampMs: T - 5,
          },
          { labels: [], value: 0, timestampMs: 0 },
        ],
      },
    ],
  },
  {
    name: 'a series with no labels and no samples',
    series: [{ labels: [], samples: [] }],
  },
];

describe('WriteRequestEncoder', () => {
  for (const c of cases) {
    it(c.name, () => {
      const bytes = encodeWriteRequest(c.series);
      assert.deepEqual(decodeWriteRequest(bytes), expectedDecoded(c.series));
      assert.deepEqual(bytes, Buffer.from(encodeWithProtobufjs(wellFormedSeries(c.series))));
      const measured = c.series.reduce((sum, s) => sum + timeSeriesEntryLength(s), 0);
      assert.equal(bytes.length, measured);
    });
  }

  it('writes a timestamp int64 cannot hold as 0 (left out), and returns', async () => {
    // Before: Infinity's varint loop (Infinity / 128 is Infinity) never ended.
    const series: TimeSeries[] = [Infinity, -Infinity, NaN, 2 ** 63, -(2 ** 64)].map((t, i) => ({
      labels: [{ name: '__name__', value: `t${i}` }],
      samples: [{ value: i + 1, timestampMs: t }],
      exemplars: [{ labels: [], value: 1, timestampMs: t }],
    }));
    const bytes = await encodeInWorker(series, 20_000);
    assert.deepEqual(
      decodeWriteRequest(bytes).map((s) => [s.samples[0].timestamp, s.exemplars[0].timestamp]),
      series.map(() => [0, 0]),
    );
    assert.equal(
      bytes.length,
      series.reduce((sum, s) => sum + timeSeriesEntryLength(s), 0),
    );
  });

  it('matches protobufjs on 300 random requests, reusing one encoder (scratch growth included)', () => {
    const random = seededRandom(42);
    const encoder = new WriteRequestEncoder();
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
    const strings = [
      '',
      'a',
      'job',
      'é',
      '🚀',
      '\ud800',
      'x'.repeat(130),
      'Ω'.repeat(50),
      'value with spaces',
    ];
    const values = [0, -0, 1, -1, 0.1, NaN, Infinity, -Infinity, 1e300, -5e-324, 123456.789];
    for (let round = 0; round < 300; round++) {
      const series: TimeSeries[] = [];
      const count = Math.floor(random() * (round % 50 === 0 ? 3000 : 20));
      for (let i = 0; i < count; i++) {
        const labels = Array.from({ length: Math.floor(random() * 6) }, (_, j) => ({
          name: `l${j}${pick(strings)}`,
          value: pick(strings) + String(i),
        }));
        const samples = Array.from({ length: Math.floor(random() * 3) }, () => ({
          value: pick(values),
          timestampMs: pick([0, T, -T, 1, 2 ** 40]),
        }));
        const exemplars =
          random() < 0.1
            ? [
                {
                  labels: [{ name: 'trace_id', value: pick(strings) }],
                  value: pick(values),
                  timestampMs: T,
                },
              ]
            : undefined;
        series.push({ labels, samples, ...(exemplars ? { exemplars } : {}) });
      }
      const bytes = encoder.encode(series);
      assert.deepEqual(
        bytes,
        Buffer.from(encodeWithProtobufjs(wellFormedSeries(series))),
        `round ${round}`,
      );
      assert.deepEqual(decodeWriteRequest(bytes), expectedDecoded(series));
      assert.equal(
        bytes.length,
        series.reduce((sum, s) => sum + timeSeriesEntryLength(s), 0),
      );
    }
  });

  it("reuses labels equal to the previous series' (shared objects or equal content) correctly", () => {
    const random = seededRandom(7);
    const encoder = new WriteRequestEncoder();
    const pool = [
      { name: '__name__', value: 'http_server_duration_seconds_bucket' },
      { name: 'job', value: 'shop/checkout' },
      { name: 'instance', value: 'pod-7' },
      { name: 'long', value: 'L'.repeat(300) }, // a run longer than the copy loop's limit
      { name: 'uni', value: 'Zürich 🚀' },
      { name: 'le', value: '0.5' },
      { name: 'le', value: '+Inf' },
    ];
    for (let round = 0; round < 200; round++) {
      const series: TimeSeries[] = [];
      for (let i = 0; i < 50; i++) {
        // Label lists drawn from a small pool: equal labels at equal positions are common, as are
        // lists of different lengths, and equal content in distinct objects.
        const labels = Array.from({ length: Math.floor(random() * 6) }, () => {
          const label = pool[Math.floor(random() * pool.length)];
          return random() < 0.5 ? label : { ...label };
        });
        series.push({ labels, samples: [{ value: i, timestampMs: T }] });
      }
      assert.deepEqual(
        encoder.encode(series),
        Buffer.from(encodeWithProtobufjs(series)),
        `round ${round}`,
      );
    }
  });

  it('moves a length written after its body when it needs other bytes than were left for it', () => {
    // The encoder leaves one byte for a label's and an exemplar's length and, for a series', as
    // many as the previous series needed: every size around a varint boundary, in an order that
    // makes the series' length need fewer, then more bytes than left, and strings found to be
    // non-ASCII at their last unit (after the ASCII loop has written the rest).
    const series: TimeSeries[] = [];
    const sizes = [
      ...Array.from({ length: 12 }, (_, i) => 118 + i), // label bodies of 123 to 134 bytes
      ...Array.from({ length: 8 }, (_, i) => 16_370 + i), // series bodies around 16,384
      0,
      1,
      127,
      128,
      129,
    ];
    for (const [i, size] of sizes.entries()) {
      const ascii = 'v'.repeat(size);
      const late = 'w'.repeat(Math.max(0, size - 1)) + 'é';
      series.push({
        labels: [
          { name: 'n', value: ascii },
          { name: 'x'.repeat(Math.min(size, 127)), value: late },
        ],
        samples: [{ value: i + 1, timestampMs: T }],
        exemplars: [
          {
            labels: [{ name: 'trace_id', value: 't'.repeat(size % 140) }],
            value: 1,
            timestampMs: T,
          },
        ],
      });
      series.push({ labels: [], samples: [] }); // a body of 0 bytes between the large ones
    }
    const encoder = new WriteRequestEncoder();
    const bytes = encoder.encode(series);
    assert.deepEqual(bytes, Buffer.from(encodeWithProtobufjs(series)));
    assert.deepEqual(decodeWriteRequest(bytes), expectedDecoded(series));
    // Twice through one encoder: what the first request left in its buffers changes nothing.
    assert.deepEqual(
      encoder.encode(series.slice().reverse()),
      Buffer.from(encodeWithProtobufjs(series.slice().reverse())),
    );
  });

  it('grows its buffer wherever a request crosses its end: labels written, runs copied, samples', () => {
    // A new encoder's buffer is 64 KiB. Fillers bring the request to every offset around that
    // end, then a tail whose new labels, pending run of copied labels and samples cross it.
    // (An independent review found bytes lost past the end when only a new label's own bytes
    // were made room for: cases A and B below.)
    const filler = { name: 'a', value: 'f'.repeat(100) };
    const t = Array.from({ length: 8 }, (_, i) => ({ name: `t${i}`, value: 'x'.repeat(20) }));
    const tails: [string, TimeSeries[]][] = [
      [
        'A: ten new labels and ten samples after an empty series',
        [
          { labels: [], samples: [] },
          {
            labels: Array.from({ length: 10 }, (_, i) => ({ name: `n${i}`, value: 'v' })),
            samples: Array.from({ length: 10 }, (_, i) => ({ value: i + 1, timestampMs: T + i })),
          },
        ],
      ],
      [
        'B: a longer new label before a run copied from the previous series',
        [
          { labels: [{ name: 'k', value: '1' }, ...t], samples: [{ value: 1, timestampMs: T }] },
          {
            labels: [{ name: 'k', value: '2'.repeat(30) }, ...t],
            samples: [{ value: 2, timestampMs: T }],
          },
        ],
      ],
    ];
    for (const [name, tail] of tails) {
      for (let fillers = 595; fillers <= 600; fillers++) {
        for (let adjust = 0; adjust <= 110; adjust += 1) {
          const series: TimeSeries[] = [
            ...Array.from({ length: fillers }, () => ({ labels: [filler], samples: [] })),
            { labels: [{ name: 'b', value: 'g'.repeat(adjust) }], samples: [] },
            ...tail,
          ];
          assert.deepEqual(
            new WriteRequestEncoder().encode(series),
            Buffer.from(encodeWithProtobufjs(series)),
            `${name}, ${fillers} fillers, adjust ${adjust}`,
          );
        }
      }
    }
  });

  it('encodeTransient writes the same bytes into a buffer it reuses, growing it when needed', () => {
    const random = seededRandom(11);
    const encoder = new WriteRequestEncoder();
    let previous: Buffer | undefined;
    for (let round = 0; round < 50; round++) {
      const series: TimeSeries[] = Array.from({ length: 1 + (round % 7) * 40 }, (_, i) => ({
        labels: [
          { name: '__name__', value: `m${round}` },
          { name: 'v', value: `${Math.floor(random() * 1e6)}-${i}` },
        ],
        samples: [{ value: random(), timestampMs: T + i }],
      }));
      const transient = encoder.encodeTransient(series);
      assert.deepEqual(transient, encodeWriteRequest(series), `round ${round}`);
      if (previous && previous.length >= transient.length) {
        // The same memory as the last call's: what it returned is valid until this call only.
        assert.equal(transient.buffer, previous.buffer);
      }
      previous = transient;
    }
  });

  it('SeriesSizer measures each series as timeSeriesEntryLength does, whatever came before it', () => {
    const random = seededRandom(5);
    const sizer = new SeriesSizer();
    const shared = [
      { name: '__name__', value: 'http_requests_total' },
      { name: 'job', value: 'shop/checkout' },
      { name: 'le', value: '0.25' },
      { name: 'uni', value: 'Zürich 🚀' },
      { name: 'long', value: 'L'.repeat(200) },
    ];
    for (let i = 0; i < 3000; i++) {
      // Shared objects at shifting positions, copies of them, fresh values, and label lists
      // longer than the sizer's first scratch (64).
      const length = i % 500 === 0 ? 70 : Math.floor(random() * 6);
      const labels = Array.from({ length }, (_, j) => {
        const r = random();
        const label = shared[Math.floor(random() * shared.length)];
        if (r < 0.5) return label;
        if (r < 0.7) return { ...label };
        return { name: `k${j}`, value: 'v'.repeat(Math.floor(random() * 200)) };
      });
      const series: TimeSeries = { labels, samples: [{ value: i, timestampMs: T }] };
      assert.equal(sizer.entryLength(series), timeSeriesEntryLength(series), `series ${i}`);
    }
  });

  it('measures UTF-8 as Buffer does, lone surrogates included', () => {
    for (const text of [
      '',
      'abc',
      'é',
      '東京',
      '🚀',
      '\ud800',
      '\udfff',
      'a\ud83d',
      'x'.repeat(65) + 'é',
    ]) {
      assert.equal(utf8Length(text), Buffer.byteLength(text, 'utf8'), JSON.stringify(text));
    }
  });

  it('measures varints at every length boundary', () => {
    const cases: [number, number][] = [
      [0, 1],
      [127, 1],
      [128, 2],
      [16_383, 2],
      [16_384, 3],
      [2 ** 21 - 1, 3],
      [2 ** 21, 4],
      [2 ** 28, 5],
      [2 ** 35, 6],
      [2 ** 42, 7],
      [2 ** 49, 8],
      [Number.MAX_SAFE_INTEGER, 8],
      [-1, 10],
    ];
    for (const [value, bytes] of cases) assert.equal(varintLength(value), bytes, String(value));
  });
});
