import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataPointType, ExportResultCode } from '@otelpack/batching-core';
import type {
  DeadLetter,
  ExponentialHistogramValue,
  MetricDataLike,
} from '@otelpack/batching-core';
import type { FaultSink } from '@otelpack/batching-core/testing';
import {
  assertLedgerBalances,
  captureDiagWarnings,
  deliveryLetter,
} from '@otelpack/batching-core/testing';
import {
  DEFAULT_MAPPING_OPTIONS,
  RemoteWriteSender,
  VictoriaMetricsExporter,
  bucketLayout,
  encodeWriteRequestV2,
  mapResourceMetrics,
  resolveConfig,
  toNativeHistogram,
} from '../src';
import type { TimeSeries } from '../src';
import { END, END_MS, START, resourceMetrics, sum } from './helpers/fixtures';
import { decodeRequestV2, startTimestampsV2 } from './helpers/proto-v2';
import type { DecodedV2 } from './helpers/proto-v2';
import {
  startRemoteWriteSink,
  startRemoteWriteV1OnlySink,
  startRemoteWriteV2Sink,
} from './helpers/sink';

const HISTOGRAMS_TEST =
  'prometheus storage/remote/otlptranslator/prometheusremotewrite/histograms_test.go';

describe('native histogram bucket layout (TestConvertBucketsLayout)', () => {
  // buckets, offset, scaleDown → spans [offset, length], deltas
  const table: [string, number[], number, number, [number, number][], number[]][] = [
    ['zero offset', [4, 3, 2, 1], 0, 0, [[1, 4]], [4, -1, -1, -1]],
    ['zero offset', [4, 3, 2, 1], 0, 1, [[1, 2]], [7, -4]],
    ['zero offset', [4, 3, 2, 1], 0, 2, [[1, 1]], [10]],
    ['offset 1', [4, 3, 2, 1], 1, 0, [[2, 4]], [4, -1, -1, -1]],
    ['offset 1', [4, 3, 2, 1], 1, 1, [[1, 3]], [4, 1, -4]],
    ['offset 1', [4, 3, 2, 1], 1, 2, [[1, 2]], [9, -8]],
    ...(['positive offset', 'scaledown merges spans'] as const).flatMap((name) => {
      const tail = name === 'positive offset' ? 13 : 9;
      const counts = [4, 2, 0, 2, ...new Array<number>(tail - 1).fill(0), 1];
      const far = name === 'positive offset';
      return [
        [
          name,
          counts,
          4,
          0,
          [
            [5, 4],
            [far ? 12 : 8, 1],
          ],
          [4, -2, -2, 2, -1],
        ],
        [
          name,
          counts,
          4,
          1,
          [
            [3, 2],
            [far ? 6 : 4, 1],
          ],
          [6, -4, -1],
        ],
        far
          ? [
              name,
              counts,
              4,
              2,
              [
                [2, 1],
                [3, 1],
              ],
              [8, -7],
            ]
          : [name, counts, 4, 2, [[2, 4]], [8, -8, 0, 1]],
      ] as [string, number[], number, number, [number, number][], number[]][];
    }),
    [
      'negative offset',
      [3, 1, 0, 0, 0, 1],
      -2,
      0,
      [
        [-1, 2],
        [3, 1],
      ],
      [3, -2, 0],
    ],
    ['negative offset', [3, 1, 0, 0, 0, 1], -2, 1, [[0, 3]], [4, -4, 1]],
    ['negative offset', [3, 1, 0, 0, 0, 1], -2, 2, [[0, 2]], [4, -3]],
    ['gaps of size 1', [3, 1, 0, 1, 0, 1], -2, 0, [[-1, 6]], [3, -2, -1, 1, -1, 1]],
    ['gaps of size 1', [3, 1, 0, 1, 0, 1], -2, 1, [[0, 3]], [4, -3, 0]],
    ['gaps of size 1', [3, 1, 0, 1, 0, 1], -2, 2, [[0, 2]], [4, -2]],
    ['gaps of size 2', [3, 0, 0, 1, 0, 0, 1], -2, 0, [[-1, 7]], [3, -3, 0, 1, -1, 0, 1]],
    ['gaps of size 2', [3, 0, 0, 1, 0, 0, 1], -2, 1, [[0, 4]], [3, -2, -1, 1]],
    ['gaps of size 2', [3, 0, 0, 1, 0, 0, 1], -2, 2, [[0, 3]], [3, -2, 0]],
    ['zero buckets', [], 0, 0, [], []],
  ];
  for (const [name, counts, offset, scaleDown, spans, deltas] of table) {
    it(`${name}, scale down ${scaleDown} (${HISTOGRAMS_TEST})`, () => {
      const layout = bucketLayout(counts, offset, scaleDown);
      assert.deepEqual(
        layout.spans.map((s) => [s.offset, s.length]),
        spans,
      );
      assert.deepEqual(layout.deltas, deltas);
    });
  }
});

describe('exponential → native histogram (TestExponentialToNativeHistogram)', () => {
  const point = (
    scale: number,
    positive: [number, number[]],
    negative: [number, number[]],
    count: number,
    sum?: number,
  ): ExponentialHistogramValue => ({
    count,
    ...(sum === undefined ? {} : { sum }),
    scale,
    zeroCount: 1,
    positive: { offset: positive[0], bucketCounts: positive[1] },
    negative: { offset: negative[0], bucketCounts: negative[1] },
  });
  const table: {
    name: string;
    value: ExponentialHistogramValue;
    schema: number;
    positive: [[number, number][], number[]];
    negative: [[number, number][], number[]];
    sum: number;
  }[] = [
    {
      name: 'convert exp. to native histogram',
      value: point(1, [1, [1, 1]], [1, [1, 1]], 4, 10.1),
      schema: 1,
      positive: [[[2, 2]], [1, 0]],
      negative: [[[2, 2]], [1, 0]],
      sum: 10.1,
    },
    {
      name: 'convert exp. to native histogram with no sum',
      value: point(1, [1, [1, 1]], [1, [1, 1]], 4),
      schema: 1,
      positive: [[[2, 2]], [1, 0]],
      negative: [[[2, 2]], [1, 0]],
      sum: 0,
    },
    {
      name: 'no downscaling at scale 8',
      value: point(8, [1, [1, 1, 1]], [2, [1, 1, 1]], 6, 10.1),
      schema: 8,
      positive: [[[2, 3]], [1, 0, 0]],
      negative: [[[3, 3]], [1, 0, 0]],
      sum: 10.1,
    },
    {
      name: 'downsample if scale is more than 8',
      value: point(9, [1, [1, 1, 1]], [2, [1, 1, 1]], 6, 10.1),
      schema: 8,
      positive: [[[1, 2]], [1, 1]],
      negative: [[[2, 2]], [2, -1]],
      sum: 10.1,
    },
  ];
  for (const row of table) {
    it(`${row.name} (${HISTOGRAMS_TEST})`, () => {
      const h = toNativeHistogram(row.value, 500)!;
      assert.equal(h.schema, row.schema);
      assert.equal(h.count, row.value.count);
      assert.equal(h.sum, row.sum);
      assert.equal(h.zeroCount, 1);
      assert.equal(h.zeroThreshold, 1e-128);
      assert.equal(h.timestampMs, 500);
      assert.deepEqual(
        [h.positiveSpans.map((s) => [s.offset, s.length]), h.positiveDeltas],
        row.positive,
      );
      assert.deepEqual(
        [h.negativeSpans.map((s) => [s.offset, s.length]), h.negativeDeltas],
        row.negative,
      );
    });
  }
  it(`invalid negative scale: no histogram (${HISTOGRAMS_TEST})`, () => {
    assert.equal(toNativeHistogram(point(-10, [0, []], [0, []], 0), 1), undefined);
    assert.ok(toNativeHistogram(point(-4, [0, [1]], [0, []], 2), 1));
  });
});

function expHistogram(name: string, value: ExponentialHistogramValue): MetricDataLike {
  return {
    descriptor: { name, unit: 's', description: 'How long it took.', valueType: 1 },
    aggregationTemporality: 1,
    dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
    dataPoints: [{ startTime: START, endTime: END, attributes: { route: '/a' }, value }],
  } as MetricDataLike;
}

const EXP: ExponentialHistogramValue = {
  count: 7,
  sum: 12.5,
  scale: 1,
  zeroCount: 1,
  positive: { offset: -1, bucketCounts: [4, 2] },
  negative: { offset: 0, bucketCounts: [] },
};

describe('remote write 2.0: the option', () => {
  it('turns on metadata and native histograms; native needs 2.0', () => {
    const v2 = resolveConfig({ remoteWriteVersion: '2.0' });
    assert.equal(v2.remoteWriteVersion, '2.0');
    assert.equal(v2.mapping.metadata, true);
    assert.equal(v2.mapping.exponentialHistograms, 'native');
    const le = resolveConfig({ remoteWriteVersion: '2.0', exponentialHistograms: 'le' });
    assert.equal(le.mapping.exponentialHistograms, 'le');
    const v1 = resolveConfig({});
    assert.equal(v1.mapping.metadata, false);
    assert.equal(v1.mapping.exponentialHistograms, 'vmrange');
    assert.throws(
      () => resolveConfig({ exponentialHistograms: 'native' }),
      /exponentialHistograms.*remoteWriteVersion '2.0'/s,
    );
  });
});

describe('remote write 2.0: the receiver must say what it wrote', () => {
  const SPEC = 'remote write 2.0 specification, "Required Written Response Headers"';
  const series: TimeSeries[] = [
    { labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestampMs: 5 }] },
  ];
  /** A 2.0 sender to these receivers, in this order, each named in reasons as given. */
  const senderV2 = (receivers: [FaultSink, string][]) =>
    new RemoteWriteSender({
      remoteWriteVersion: '2.0',
      endpoints: receivers.map(([sink, display]) => ({ url: new URL(sink.url), display })),
    });
  const sendTo = async (url: string) => {
    const sender = new RemoteWriteSender({
      remoteWriteVersion: '2.0',
      endpoints: [{ url: new URL(url), display: 'receiver' }],
    });
    try {
      return await sender.send(series, { signal: new AbortController().signal } as never);
    } finally {
      await sender.close();
    }
  };

  it(`a 2.0 receiver's 204 with the Written counts is delivered (${SPEC})`, async () => {
    const sink = await startRemoteWriteV2Sink();
    try {
      assert.equal((await sendTo(sink.url)).kind, 'delivered');
      const [request] = sink.requests;
      assert.equal(
        request.headers['content-type'],
        'application/x-protobuf;proto=io.prometheus.write.v2.Request',
      );
      assert.equal(request.headers['x-prometheus-remote-write-version'], '2.0.0');
      assert.equal(request.headers['content-encoding'], 'snappy');
      const [decoded] = sink.records as DecodedV2['timeseries'];
      assert.deepEqual(decoded.labels, { __name__: 'up' });
      assert.deepEqual(decoded.samples, [{ value: 1, timestamp: 5 }]);
    } finally {
      await sink.close();
    }
  });

  it(`a 2xx without any Written header is refused, not delivered: a 1.0 receiver read an empty request (${SPEC})`, async () => {
    const sink = await startRemoteWriteV1OnlySink();
    try {
      const result = await sendTo(sink.url);
      assert.equal(result.kind, 'permanent');
      assert.match(
        (result as { reason: string }).reason,
        /^receiver: HTTP 204 without X-Prometheus-Remote-Write-Samples-Written .*, so nothing written: the receiver does not take remote write 2\.0; send it 1\.0 .*remoteWriteVersion '1\.0'/,
      );
      assert.equal(sink.records.length, 0, 'the 1.0 reading of a 2.0 body holds no series');
      assert.equal(sink.requests.length, 1);
    } finally {
      await sink.close();
    }
  });

  it('a 2xx with only the samples count is delivered; one that counts nothing written is refused', async () => {
    const samplesOnly = await startRemoteWriteV2Sink({ written: 'samples' });
    const zero = await startRemoteWriteV2Sink({ written: 'zero' });
    try {
      assert.equal((await sendTo(samplesOnly.url)).kind, 'delivered');
      const result = await sendTo(zero.url);
      assert.equal(result.kind, 'permanent');
      assert.match(
        (result as { reason: string }).reason,
        /Samples-Written, -Histograms-Written and -Exemplars-Written 0 for 1 samples and histograms and 0 exemplars sent: nothing written/,
      );
    } finally {
      await samplesOnly.close();
      await zero.close();
    }
  });

  it('a 2xx that counts fewer written than sent is delivered, and said once at WARN', async () => {
    const sink = await startRemoteWriteV2Sink({ written: 'one' });
    const warnings = captureDiagWarnings();
    const sender = new RemoteWriteSender({
      remoteWriteVersion: '2.0',
      endpoints: [{ url: new URL(sink.url), display: 'receiver' }],
    });
    const three: TimeSeries[] = [1, 2, 3].map((i) => ({
      labels: [{ name: '__name__', value: `up${i}` }],
      samples: [{ value: 1, timestampMs: 5 }],
    }));
    const signal = new AbortController().signal;
    try {
      assert.equal((await sender.send(three, { signal } as never)).kind, 'delivered');
      assert.equal((await sender.send(three, { signal } as never)).kind, 'delivered');
      assert.equal(warnings.lines.length, 1, warnings.lines.join('\n'));
      assert.match(
        warnings.lines[0],
        /receiver answered HTTP 204 but counted 1 of the 3 samples and histograms sent as written/,
      );
    } finally {
      warnings.stop();
      await sender.close();
      await sink.close();
    }
  });

  it('a refused version sends the batch on to the next endpoint, which may take it', async () => {
    const v1Only = await startRemoteWriteV1OnlySink();
    const v2 = await startRemoteWriteV2Sink();
    const sender = senderV2([
      [v1Only, 'old'],
      [v2, 'new'],
    ]);
    const signal = new AbortController().signal;
    try {
      const first = await sender.send(series, { signal, attempt: 1 });
      assert.equal(first.kind, 'retryable', 'another endpoint has not had the batch yet');
      assert.equal(sender.failovers, 1);
      assert.equal(sender.currentEndpoint, 'new');
      // The core's retry of the same batch.
      assert.equal((await sender.send(series, { signal, attempt: 2 })).kind, 'delivered');
      assert.equal(v2.records.length, 1);
      assert.equal((await sender.send(series, { signal, attempt: 1 })).kind, 'delivered');
    } finally {
      await sender.close();
      await v1Only.close();
      await v2.close();
    }
  });

  it('a passing 503 that moved the sends to a 1.0 replica does not cost the batch', async () => {
    const v2 = await startRemoteWriteV2Sink();
    const v1Only = await startRemoteWriteV1OnlySink();
    v2.setFaults({ fault: { kind: 'status', status: 503 }, times: 1 });
    const sender = senderV2([
      [v2, 'new'],
      [v1Only, 'old'],
    ]);
    const signal = new AbortController().signal;
    try {
      assert.equal((await sender.send(series, { signal, attempt: 1 })).kind, 'retryable', '503');
      const refused = await sender.send(series, { signal, attempt: 2 });
      assert.equal(
        refused.kind,
        'retryable',
        'the 1.0 replica refuses the version: on to the next',
      );
      assert.equal((await sender.send(series, { signal, attempt: 3 })).kind, 'delivered');
      assert.equal(v2.records.length, 1);
      assert.equal(sender.currentEndpoint, 'new');
    } finally {
      await sender.close();
      await v2.close();
      await v1Only.close();
    }
  });

  it('refused by every endpoint, the batch is refused once each has had it', async () => {
    const a = await startRemoteWriteV1OnlySink();
    const b = await startRemoteWriteV1OnlySink();
    const sender = senderV2([
      [a, 'a'],
      [b, 'b'],
    ]);
    const signal = new AbortController().signal;
    try {
      assert.equal((await sender.send(series, { signal, attempt: 1 })).kind, 'retryable');
      const last = await sender.send(series, { signal, attempt: 2 });
      assert.equal(last.kind, 'permanent');
      assert.match((last as { reason: string }).reason, /^b: .*send it 1\.0/);
      assert.equal(a.requests.length + b.requests.length, 2);
    } finally {
      await sender.close();
      await a.close();
      await b.close();
    }
  });

  it('2.0 sizes count the start timestamps: a batch never encodes past the sum of its sizes', () => {
    const sender = new RemoteWriteSender({
      remoteWriteVersion: '2.0',
      endpoints: [{ url: new URL('http://127.0.0.1:9/api/v1/write'), display: 'x' }],
    });
    const batch: TimeSeries[] = [];
    for (let i = 0; i < 200; i++) {
      batch.push({
        labels: [
          { name: '__name__', value: `c${i}` },
          { name: 'k', value: String(i) },
        ],
        samples: Array.from({ length: 20 }, (_, j) => ({ value: j, timestampMs: END_MS + j })),
        createdTimestampMs: END_MS - 60_000,
        metadata: { type: 'counter', help: '', unit: '' },
      });
    }
    const estimated = batch.reduce((sum, s) => sum + sender.sizeOf(s), 0);
    assert.ok(
      encodeWriteRequestV2(batch).length <= estimated,
      `${encodeWriteRequestV2(batch).length} encoded > ${estimated} estimated`,
    );
  });

  it('a 415 names the way out too', async () => {
    const sink = await startRemoteWriteV2Sink();
    sink.setFaults({ fault: { kind: 'status', status: 415, body: 'unsupported' } });
    try {
      const result = await sendTo(sink.url);
      assert.equal(result.kind, 'permanent');
      assert.match((result as { reason: string }).reason, /415.*remoteWriteVersion '1\.0'/s);
    } finally {
      await sink.close();
    }
  });

  it('a 1.0 request answered 415 (a receiver that takes 2.0 alone) names 2.0, and keeps the status', async () => {
    const sink = await startRemoteWriteSink();
    sink.setFaults({ fault: { kind: 'status', status: 415, body: 'unsupported' } });
    const sender = new RemoteWriteSender({
      endpoints: [{ url: new URL(sink.url), display: 'receiver' }],
    });
    try {
      const result = await sender.send(series, { signal: new AbortController().signal } as never);
      assert.equal(result.kind, 'permanent');
      assert.equal(result.httpStatus, 415);
      assert.match(
        (result as { reason: string }).reason,
        /^receiver: .*415.*remoteWriteVersion '2\.0'/s,
      );
    } finally {
      await sender.close();
      await sink.close();
    }
  });

  it('through the exporter: every series of the refused request is dropped as rejected, with the reason', async () => {
    const sink = await startRemoteWriteV1OnlySink();
    const letters: DeadLetter<TimeSeries>[] = [];
    const exporter = new VictoriaMetricsExporter({
      url: sink.url,
      remoteWriteVersion: '2.0',
      deadLetter: (letter) => void letters.push(deliveryLetter(letter)),
    });
    try {
      const result = await new Promise<{ code: number }>((resolve) =>
        exporter.export(resourceMetrics([sum('jobs.done', [[{}, 3]])]) as never, resolve),
      );
      assert.equal(result.code, ExportResultCode.SUCCESS, 'accepted (queued delivery)');
      await exporter.forceFlush();
      const stats = exporter.pipeline.stats();
      assertLedgerBalances(stats);
      assert.ok(stats.accepted >= 2, 'the counter and target_info');
      assert.equal(stats.delivered, 0);
      assert.equal(stats.dropped.rejected, stats.accepted);
      assert.equal(letters.length, 1);
      assert.match(
        letters[0].items[0].detail,
        /nothing written: the receiver does not take remote write 2\.0; send it 1\.0/,
      );
    } finally {
      await exporter.shutdown();
      await sink.close();
    }
  });
});

describe('remote write 2.0: mapping and encoding, read back by the published proto', () => {
  const options = {
    ...DEFAULT_MAPPING_OPTIONS,
    exponentialHistograms: 'native' as const,
    metadata: true,
  };
  const input = resourceMetrics([
    { ...sum('http.requests', [[{ method: 'GET' }, 42]], { unit: '{request}' }) },
    expHistogram('op.duration', EXP),
  ]);
  input.scopeMetrics[0].metrics[0] = {
    ...input.scopeMetrics[0].metrics[0],
    descriptor: { ...input.scopeMetrics[0].metrics[0].descriptor, description: 'Requests.' },
  } as MetricDataLike;
  const result = mapResourceMetrics(input, options);
  const decoded = decodeRequestV2(encodeWriteRequestV2(result.series));
  const byName = new Map(decoded.timeseries.map((ts) => [ts.labels.__name__, ts]));

  it('starts the symbol table with "" and holds each string once', () => {
    assert.equal(decoded.symbols[0], '');
    assert.equal(new Set(decoded.symbols).size, decoded.symbols.length);
    assert.ok(decoded.symbols.includes('shop-lib'));
  });

  it('a counter: labels, sample, metadata and created timestamp', () => {
    const ts = byName.get('http_requests_total')!;
    assert.equal(ts.labels.method, 'GET');
    assert.equal(ts.labels.otel_scope_name, 'shop-lib');
    assert.deepEqual(ts.samples, [{ value: 42, timestamp: END_MS }]);
    assert.deepEqual(ts.metadata, { type: 'METRIC_TYPE_COUNTER', help: 'Requests.', unit: '' });
    assert.equal(ts.createdTimestamp, START[0] * 1000 + Math.floor(START[1] / 1e6));
  });

  it('an exponential histogram: one series, one native histogram, no samples', () => {
    const ts = byName.get('op_duration_seconds')!;
    assert.ok(ts, [...byName.keys()].join(','));
    assert.equal(byName.has('op_duration_seconds_bucket'), false);
    assert.deepEqual(ts.samples, []);
    assert.deepEqual(ts.metadata, {
      type: 'METRIC_TYPE_HISTOGRAM',
      help: 'How long it took.',
      unit: 'seconds',
    });
    assert.equal(ts.histograms.length, 1);
    const h = ts.histograms[0] as Record<string, unknown>;
    assert.equal(h.countInt, 7);
    assert.equal(h.count, 'countInt');
    assert.equal(h.zeroCountInt, 1);
    assert.equal(h.sum, 12.5);
    assert.equal(h.schema, 1);
    assert.equal(h.zeroThreshold, 1e-128);
    assert.equal(h.timestamp, END_MS);
    assert.deepEqual(h.positiveSpans, [{ offset: 0, length: 2 }]);
    assert.deepEqual(h.positiveDeltas, [4, -2]);
    assert.deepEqual(h.negativeSpans, []);
  });

  it('the start timestamp where Prometheus 3.8 and later read it too: each sample and each histogram', () => {
    const startMs = START[0] * 1000 + Math.floor(START[1] / 1e6);
    const starts = startTimestampsV2(encodeWriteRequestV2(result.series));
    const names = decoded.timeseries.map((ts) => ts.labels.__name__);
    const of = (name: string) => starts[names.indexOf(name)];
    assert.deepEqual(of('http_requests_total'), { samples: [startMs], histograms: [] });
    assert.deepEqual(of('op_duration_seconds'), { samples: [], histograms: [startMs] });
    // A gauge has no start: none written, in either place.
    assert.deepEqual(of('target_info'), { samples: [0], histograms: [] });
    assert.equal(byName.get('target_info')?.createdTimestamp, 0);
  });

  it('target_info: a gauge with help "Target metadata", as Prometheus types it', () => {
    assert.deepEqual(byName.get('target_info')!.metadata, {
      type: 'METRIC_TYPE_GAUGE',
      help: 'Target metadata',
      unit: '',
    });
  });

  it('drops (and counts) a point whose scale a native histogram cannot hold', () => {
    const low = mapResourceMetrics(
      resourceMetrics([expHistogram('h', { ...EXP, scale: -5 })]),
      options,
    );
    assert.equal(low.dropped.unsupported_scale, 1);
    assert.equal(low.series.filter((s) => s.labels.some((l) => l.value === 'h_seconds')).length, 0);
  });

  it('negative numbers survive: schema, span offsets, deltas, timestamps', () => {
    const series: TimeSeries[] = [
      {
        labels: [{ name: '__name__', value: 'n' }],
        samples: [{ value: -0.5, timestampMs: -1000 }],
        exemplars: [{ labels: [{ name: 'trace_id', value: 'ab' }], value: 3, timestampMs: 7 }],
        createdTimestampMs: 1,
        histograms: [
          {
            count: 3,
            sum: -2,
            schema: -4,
            zeroThreshold: 0,
            zeroCount: 0,
            negativeSpans: [{ offset: -3, length: 2 }],
            negativeDeltas: [2, -1],
            positiveSpans: [],
            positiveDeltas: [],
            timestampMs: 2 ** 40,
          },
        ],
      },
    ];
    const back = decodeRequestV2(encodeWriteRequestV2(series)).timeseries[0];
    assert.deepEqual(back.samples, [{ value: -0.5, timestamp: -1000 }]);
    assert.deepEqual(back.exemplars, [{ labels: { trace_id: 'ab' }, value: 3, timestamp: 7 }]);
    assert.equal(back.createdTimestamp, 1);
    const h = back.histograms[0] as Record<string, unknown>;
    assert.equal(h.schema, -4);
    assert.equal(h.sum, -2);
    assert.equal(h.zeroCountInt, 0);
    assert.equal(h.zeroCount, 'zeroCountInt');
    assert.deepEqual(h.negativeSpans, [{ offset: -3, length: 2 }]);
    assert.deepEqual(h.negativeDeltas, [2, -1]);
    assert.equal(h.timestamp, 2 ** 40);
    assert.equal(back.metadata, undefined);
  });

  it('a long request: lengths of 2+ bytes and many symbols', () => {
    const many: TimeSeries[] = Array.from({ length: 300 }, (_, i) => ({
      labels: [
        { name: '__name__', value: `m${i}` },
        { name: 'long', value: 'x'.repeat(i * 3) },
      ],
      samples: [{ value: i, timestampMs: 1000 + i }],
    }));
    const back = decodeRequestV2(encodeWriteRequestV2(many));
    assert.equal(back.timeseries.length, 300);
    back.timeseries.forEach((ts, i) => {
      assert.equal(ts.labels.__name__, `m${i}`);
      assert.equal(ts.labels.long, 'x'.repeat(i * 3));
    });
  });
});
