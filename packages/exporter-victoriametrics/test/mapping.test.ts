import assert from 'node:assert/strict';
import type { Attributes } from '@opentelemetry/api';
import { describe, it } from 'node:test';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type { MetricDataLike } from '@otelpack/batching-core';
import {
  DEFAULT_MAPPING_OPTIONS,
  exponentialToLe,
  exponentialToVmrange,
  mapResourceMetrics,
} from '../src';
import type { MappingOptions } from '../src';
import {
  END,
  END_MS,
  RESOURCE,
  START,
  assertWellFormed,
  descriptor,
  gauge,
  histogram,
  lines,
  resourceMetrics,
  sum,
  summary,
} from './helpers/fixtures';

const SCOPE = 'otel_scope_name="shop-lib",otel_scope_version="2.1.0"';
const ID = 'instance="pod-7",job="shop/checkout"';
const TARGET_INFO = `target_info{host_name="node-1",${ID},telemetry_sdk_language="nodejs"} 1@${END_MS}`;

function map(
  metrics: MetricDataLike[],
  options: Partial<MappingOptions> = {},
  resource: Attributes = RESOURCE,
) {
  const result = mapResourceMetrics(resourceMetrics(metrics, { resource }), {
    ...DEFAULT_MAPPING_OPTIONS,
    ...options,
  });
  assertWellFormed(result.series);
  return result;
}

/*
 * This exporter's own cases: options, units, temporality, limits and VictoriaMetrics' forms that
 * the receiver's tests do not cover. The rows taken from Prometheus' own tests, each naming its
 * file, are in conformance-prometheus.test.ts (series shape), scope.test.ts (scope labels),
 * names.test.ts (names and units) and remote-write-v2.test.ts (native histograms).
 */
describe('mapping: the table', () => {
  const table: {
    name: string;
    metrics: MetricDataLike[];
    options?: Partial<MappingOptions>;
    resource?: Record<string, string>;
    expected: string[];
    dropped?: Record<string, number>;
  }[] = [
    {
      name: 'monotonic sum → counter with _total, job/instance, scope labels, target_info',
      metrics: [
        sum('http.server.requests', [[{ 'http.method': 'GET', 'http.status_code': 200 }, 42]], {
          unit: '{request}',
        }),
      ],
      expected: [
        `http_server_requests_total{http_method="GET",http_status_code="200",${ID},${SCOPE}} 42@${END_MS}`,
        TARGET_INFO,
      ],
    },
    {
      name: 'non-monotonic sum (up-down counter) → gauge without _total',
      metrics: [sum('queue.depth', [[{}, -3]], { monotonic: false, unit: '{item}' })],
      expected: [`queue_depth{${ID},${SCOPE}} -3@${END_MS}`, TARGET_INFO],
    },
    {
      name: 'gauge with unit 1 → _ratio; unit By → _bytes',
      metrics: [
        gauge('cpu.utilization', [[{}, 0.25]], '1'),
        gauge('heap.used', [[{}, 1024]], 'By'),
      ],
      expected: [
        `cpu_utilization_ratio{${ID},${SCOPE}} 0.25@${END_MS}`,
        `heap_used_bytes{${ID},${SCOPE}} 1024@${END_MS}`,
        TARGET_INFO,
      ],
    },
    {
      name: 'histogram → cumulative _bucket{le} with +Inf, _sum, _count; unit s → _seconds',
      metrics: [
        histogram(
          'http.server.duration',
          { route: '/pay' },
          { boundaries: [0.005, 0.1, 1], counts: [1, 2, 3, 4], sum: 12.5, count: 10 },
          's',
        ),
      ],
      expected: [
        `http_server_duration_seconds_bucket{${ID},le="0.005",${SCOPE},route="/pay"} 1@${END_MS}`,
        `http_server_duration_seconds_bucket{${ID},le="0.1",${SCOPE},route="/pay"} 3@${END_MS}`,
        `http_server_duration_seconds_bucket{${ID},le="1",${SCOPE},route="/pay"} 6@${END_MS}`,
        `http_server_duration_seconds_bucket{${ID},le="+Inf",${SCOPE},route="/pay"} 10@${END_MS}`,
        `http_server_duration_seconds_sum{${ID},${SCOPE},route="/pay"} 12.5@${END_MS}`,
        `http_server_duration_seconds_count{${ID},${SCOPE},route="/pay"} 10@${END_MS}`,
        TARGET_INFO,
      ],
    },
    {
      name: 'histogram without a sum (it recorded negative values) → no _sum',
      metrics: [histogram('delta.t', {}, { boundaries: [0], counts: [1, 1], count: 2 })],
      expected: [
        `delta_t_bucket{${ID},le="0",${SCOPE}} 1@${END_MS}`,
        `delta_t_bucket{${ID},le="+Inf",${SCOPE}} 2@${END_MS}`,
        `delta_t_count{${ID},${SCOPE}} 2@${END_MS}`,
        TARGET_INFO,
      ],
    },
    {
      name: 'summary → {quantile}, _sum, _count',
      metrics: [
        summary(
          'rpc.latency',
          {
            count: 4,
            sum: 10,
            quantiles: [
              [0.99, 9],
              [0.5, 2],
            ],
          },
          'ms',
        ),
      ],
      expected: [
        `rpc_latency_milliseconds{${ID},${SCOPE},quantile="0.5"} 2@${END_MS}`,
        `rpc_latency_milliseconds{${ID},${SCOPE},quantile="0.99"} 9@${END_MS}`,
        `rpc_latency_milliseconds_sum{${ID},${SCOPE}} 10@${END_MS}`,
        `rpc_latency_milliseconds_count{${ID},${SCOPE}} 4@${END_MS}`,
        TARGET_INFO,
      ],
    },
    {
      name: 'attribute keys that collide after sanitising: values joined with ; in original-key order',
      metrics: [sum('c', [[{ a_b: 'underscore', 'a.b': 'dot', 'a-b': 'dash' }, 1]])],
      expected: [`c_total{a_b="dash;dot;underscore",${ID},${SCOPE}} 1@${END_MS}`, TARGET_INFO],
    },
    {
      name: 'leading digits, reserved-looking and invalid keys; bool, number, array values',
      metrics: [sum('c', [[{ '9lives': true, __name__: 'x', küche: 1.5, list: ['a', 'b'] }, 1]])],
      expected: [
        `c_total{${ID},k_che="1.5",key_9lives="true",key_name_="x",list="["a","b"]",${SCOPE}} 1@${END_MS}`,
        TARGET_INFO,
      ],
    },
    {
      name: 'empty attribute values are left out (Prometheus reads empty as absent)',
      metrics: [sum('c', [[{ empty: '', kept: 'v' }, 1]])],
      expected: [`c_total{${ID},kept="v",${SCOPE}} 1@${END_MS}`, TARGET_INFO],
    },
    {
      name: 'NaN, +Inf and -Inf samples pass through',
      metrics: [
        gauge('g', [
          [{ k: 'nan' }, NaN],
          [{ k: 'pinf' }, Infinity],
          [{ k: 'ninf' }, -Infinity],
        ]),
      ],
      expected: [
        `g{${ID},k="nan",${SCOPE}} NaN@${END_MS}`,
        `g{${ID},k="pinf",${SCOPE}} Infinity@${END_MS}`,
        `g{${ID},k="ninf",${SCOPE}} -Infinity@${END_MS}`,
        TARGET_INFO,
      ],
    },
    {
      name: 'job from service.name alone; no instance without service.instance.id; no target_info without other attributes',
      metrics: [gauge('g', [[{}, 1]])],
      resource: { 'service.name': 'solo' },
      expected: [`g{job="solo",${SCOPE}} 1@${END_MS}`],
    },
    {
      name: 'resource job/instance win over point attributes of those names',
      metrics: [gauge('g', [[{ job: 'mine', instance: 'me' }, 1]])],
      expected: [`g{${ID},${SCOPE}} 1@${END_MS}`, TARGET_INFO],
    },
    {
      name: 'addMetricSuffixes: false keeps the name (sanitised) and still adds _bucket/_sum/_count',
      options: { addMetricSuffixes: false },
      metrics: [
        sum('http.requests', [[{}, 3]], { unit: 'By' }),
        gauge('cpu.utilization', [[{}, 0.5]], '1'),
        histogram('lat', {}, { boundaries: [1], counts: [1, 0], sum: 0.5, count: 1 }, 's'),
      ],
      expected: [
        `http_requests{${ID},${SCOPE}} 3@${END_MS}`,
        `cpu_utilization{${ID},${SCOPE}} 0.5@${END_MS}`,
        `lat_bucket{${ID},le="1",${SCOPE}} 1@${END_MS}`,
        `lat_bucket{${ID},le="+Inf",${SCOPE}} 1@${END_MS}`,
        `lat_sum{${ID},${SCOPE}} 0.5@${END_MS}`,
        `lat_count{${ID},${SCOPE}} 1@${END_MS}`,
        TARGET_INFO,
      ],
    },
    {
      name: 'promoted resource attributes on every series; a point attribute of the same name wins',
      options: { promoteResourceAttributes: ['host.name', 'absent.attr'] },
      metrics: [
        gauge('g', [
          [{}, 1],
          [{ 'host.name': 'override' }, 2],
        ]),
      ],
      expected: [
        `g{host_name="node-1",${ID},${SCOPE}} 1@${END_MS}`,
        `g{host_name="override",${ID},${SCOPE}} 2@${END_MS}`,
        TARGET_INFO,
      ],
    },
    {
      name: 'external labels on every series (target_info too), lowest precedence',
      options: { externalLabels: { cluster: 'eu-1', region: 'west' } },
      metrics: [gauge('g', [[{ region: 'east' }, 1]])],
      expected: [
        `g{cluster="eu-1",${ID},${SCOPE},region="east"} 1@${END_MS}`,
        `target_info{cluster="eu-1",host_name="node-1",${ID},region="west",telemetry_sdk_language="nodejs"} 1@${END_MS}`,
      ],
    },
    {
      name: 'no target_info without a job or an instance to join it by (an empty service.name makes no job)',
      options: { scopeLabels: false },
      resource: { 'service.name': '', 'host.name': 'h' },
      metrics: [gauge('g', [[{}, 1]])],
      expected: [`g{} 1@${END_MS}`],
    },
    {
      name: 'an external label named instance is one to join target_info by',
      options: { scopeLabels: false, externalLabels: { instance: 'pod-9' } },
      resource: { 'host.name': 'h' },
      metrics: [gauge('g', [[{}, 1]])],
      expected: [
        `g{instance="pod-9"} 1@${END_MS}`,
        `target_info{host_name="h",instance="pod-9"} 1@${END_MS}`,
      ],
    },
    {
      name: 'scopeLabels: false and targetInfo: false',
      options: { scopeLabels: false, targetInfo: false },
      metrics: [gauge('g', [[{}, 1]])],
      expected: [`g{${ID}} 1@${END_MS}`],
    },
    {
      name: 'two metrics with the same Prometheus name in one scope: the second is dropped whole',
      metrics: [
        gauge('a.b', [[{}, 1]]),
        gauge('a_b', [
          [{}, 2],
          [{ x: 'y' }, 3],
        ]),
      ],
      expected: [`a_b{${ID},${SCOPE}} 1@${END_MS}`, TARGET_INFO],
      dropped: { name_collision: 2 },
    },
    {
      name: "a gauge named like a histogram's _count collides with it",
      metrics: [
        histogram('lat', {}, { boundaries: [], counts: [1], count: 1 }),
        gauge('lat.count', [[{}, 5]]),
      ],
      expected: [
        `lat_bucket{${ID},le="+Inf",${SCOPE}} 1@${END_MS}`,
        `lat_count{${ID},${SCOPE}} 1@${END_MS}`,
        TARGET_INFO,
      ],
      dropped: { name_collision: 1 },
    },
    {
      name: 'a metric named target_info is dropped (the name is the resource info)',
      metrics: [gauge('target.info', [[{}, 7]]), gauge('g', [[{}, 1]])],
      expected: [`g{${ID},${SCOPE}} 1@${END_MS}`, TARGET_INFO],
      dropped: { name_collision: 1 },
    },
    {
      name: 'two points that become one series after sanitising: the first is kept',
      metrics: [
        gauge('g', [
          [{ 'a.b': 'x' }, 1],
          [{ a_b: 'x' }, 2],
          [{ a_b: 'y' }, 3],
        ]),
      ],
      expected: [
        `g{a_b="x",${ID},${SCOPE}} 1@${END_MS}`,
        `g{a_b="y",${ID},${SCOPE}} 3@${END_MS}`,
        TARGET_INFO,
      ],
      dropped: { series_collision: 1 },
    },
    {
      name: 'delta input reaching the mapping is dropped with a reason (the exporter accumulates it first)',
      metrics: [
        sum('c', [[{}, 1]], { temporality: AggregationTemporality.DELTA }),
        gauge('g', [[{}, 1]]),
      ],
      expected: [`g{${ID},${SCOPE}} 1@${END_MS}`, TARGET_INFO],
      dropped: { delta_temporality: 1 },
    },
    {
      name: 'an unknown data point type is dropped with a reason',
      metrics: [
        { ...gauge('weird', [[{}, 1]]), dataPointType: 99 } as unknown as MetricDataLike,
        gauge('g', [[{}, 1]]),
      ],
      expected: [`g{${ID},${SCOPE}} 1@${END_MS}`, TARGET_INFO],
      dropped: { unsupported_type: 1 },
    },
    {
      name: 'a histogram attribute named le gives way to the bucket bound (and two such points become one)',
      metrics: [
        {
          ...histogram('h', { le: 'a' }, { boundaries: [], counts: [1], count: 1 }),
          dataPoints: [
            ...histogram('h', { le: 'a' }, { boundaries: [], counts: [1], count: 1 }).dataPoints,
            ...histogram('h', { le: 'b' }, { boundaries: [], counts: [2], count: 2 }).dataPoints,
          ],
        } as MetricDataLike,
      ],
      options: { targetInfo: false },
      expected: [
        `h_bucket{${ID},le="+Inf",${SCOPE}} 1@${END_MS}`,
        `h_count{${ID},le="a",${SCOPE}} 1@${END_MS}`,
        `h_count{${ID},le="b",${SCOPE}} 2@${END_MS}`,
      ],
      dropped: { series_collision: 1 },
    },
    {
      name: 'the number 1 and the string "1" are one label value: the first point is kept',
      metrics: [
        gauge('g', [
          [{ code: 1 }, 1],
          [{ code: '1' }, 2],
        ]),
      ],
      expected: [`g{code="1",${ID},${SCOPE}} 1@${END_MS}`, TARGET_INFO],
      dropped: { series_collision: 1 },
    },
    {
      name: 'an empty value reads as absent: the first of the two points is kept',
      metrics: [
        gauge('g', [
          [{}, 1],
          [{ k: '' }, 2],
        ]),
      ],
      expected: [`g{${ID},${SCOPE}} 1@${END_MS}`, TARGET_INFO],
      dropped: { series_collision: 1 },
    },
    {
      name: 'histogram bounds that do not rise, or are not finite, fold into the next bucket; each point its own bounds',
      metrics: [
        {
          ...histogram('h', {}, { boundaries: [], counts: [], count: 0 }),
          dataPoints: [
            ...histogram(
              'h',
              { p: '1' },
              { boundaries: [1, 1, 5, NaN, 10], counts: [1, 2, 3, 4, 5, 6], count: 21 },
            ).dataPoints,
            ...histogram('h', { p: '2' }, { boundaries: [2], counts: [1, 1], count: 2 }).dataPoints,
          ],
        } as MetricDataLike,
      ],
      options: { targetInfo: false },
      expected: [
        `h_bucket{${ID},le="1",${SCOPE},p="1"} 1@${END_MS}`,
        `h_bucket{${ID},le="5",${SCOPE},p="1"} 6@${END_MS}`,
        `h_bucket{${ID},le="10",${SCOPE},p="1"} 15@${END_MS}`,
        `h_bucket{${ID},le="+Inf",${SCOPE},p="1"} 21@${END_MS}`,
        `h_count{${ID},${SCOPE},p="1"} 21@${END_MS}`,
        `h_bucket{${ID},le="2",${SCOPE},p="2"} 1@${END_MS}`,
        `h_bucket{${ID},le="+Inf",${SCOPE},p="2"} 2@${END_MS}`,
        `h_count{${ID},${SCOPE},p="2"} 2@${END_MS}`,
      ],
    },
    {
      name: 'an attribute named job gives way to the resource job (and two such points become one)',
      metrics: [
        gauge('g', [
          [{ job: 'a', k: 'v' }, 1],
          [{ job: 'b', k: 'v' }, 2],
          [{ job: 'c', k: 'w' }, 3],
        ]),
      ],
      options: { targetInfo: false },
      expected: [`g{${ID},k="v",${SCOPE}} 1@${END_MS}`, `g{${ID},k="w",${SCOPE}} 3@${END_MS}`],
      dropped: { series_collision: 1 },
    },
    {
      // Labels of points with the same keys are made from one plan; these points change their
      // key order, value types, empties and lengths between points, and each must still get
      // what the rules give it alone.
      name: 'points of one metric with other key orders, types, empty and cut values',
      metrics: [
        gauge('g', [
          [{ b: 'x', a: 'y' }, 1],
          [{ a: 'z', b: 'x' }, 2],
          [{ a: 'q', b: '' }, 3],
          [{ a: 'a-very-long-value', b: 'x' }, 4],
          [{ a: ['p', 'q'], b: 'x' }, 5],
          [{ a: 'r', b: 'x', 'c.d': true }, 6],
        ]),
      ],
      options: { targetInfo: false, maxLabelValueBytes: 16 },
      expected: [
        `g{a="y",b="x",${ID},${SCOPE}} 1@${END_MS}`,
        `g{a="z",b="x",${ID},${SCOPE}} 2@${END_MS}`,
        `g{a="q",${ID},${SCOPE}} 3@${END_MS}`,
        `g{a="a-very-long-valu",b="x",${ID},${SCOPE}} 4@${END_MS}`,
        `g{a="["p","q"]",b="x",${ID},${SCOPE}} 5@${END_MS}`,
        `g{a="r",b="x",c_d="true",${ID},${SCOPE}} 6@${END_MS}`,
      ],
    },
    {
      name: 'a metric whose points have more key lists than are planned: the rest take the general path',
      metrics: [
        gauge(
          'g',
          Array.from({ length: 20 }, (_, i): [Attributes, number] => [
            { [`k${i}`]: 'v', shared: String(i % 2) },
            i,
          ]),
        ),
      ],
      options: { targetInfo: false },
      expected: Array.from(
        { length: 20 },
        (_, i) => `g{${ID},k${i}="v",${SCOPE},shared="${i % 2}"} ${i}@${END_MS}`,
      ),
    },
    {
      name: 'a metric name with nothing valid in it is dropped',
      metrics: [gauge('...', [[{}, 1]])],
      expected: [],
      dropped: { invalid_name: 1 },
    },
  ];

  for (const c of table) {
    it(c.name, () => {
      const result = map(c.metrics, c.options, c.resource);
      assert.deepEqual(lines(result.series), c.expected);
      const dropped = Object.fromEntries(
        Object.entries(result.dropped).filter(([, n]) => (n ?? 0) > 0),
      );
      assert.deepEqual(dropped, c.dropped ?? {});
    });
  }
});

describe('mapping: the rest', () => {
  it('the same metric name in two scopes is two families (scope labels tell them apart)', () => {
    const result = mapResourceMetrics(
      {
        resource: { attributes: { 'service.name': 's' } },
        scopeMetrics: [
          { scope: { name: 'a' }, metrics: [gauge('g', [[{}, 1]])] },
          { scope: { name: 'b' }, metrics: [gauge('g', [[{}, 2]])] },
        ],
      },
      DEFAULT_MAPPING_OPTIONS,
    );
    assert.deepEqual(lines(result.series), [
      `g{job="s",otel_scope_name="a"} 1@${END_MS}`,
      `g{job="s",otel_scope_name="b"} 2@${END_MS}`,
    ]);
    const noScope = mapResourceMetrics(
      {
        resource: { attributes: { 'service.name': 's' } },
        scopeMetrics: [
          { scope: { name: 'a' }, metrics: [gauge('g', [[{}, 1]])] },
          { scope: { name: 'b' }, metrics: [gauge('g', [[{}, 2]])] },
        ],
      },
      { ...DEFAULT_MAPPING_OPTIONS, scopeLabels: false },
    );
    assert.deepEqual(lines(noScope.series), [`g{job="s"} 1@${END_MS}`]);
    assert.equal(noScope.dropped.name_collision, 1);
  });

  it('cuts label values longer than maxLabelValueBytes at a character boundary, and counts them', () => {
    const long = 'é'.repeat(100); // 200 bytes
    const result = map([gauge('g', [[{ big: long, small: 'ok' }, 1]])], {
      maxLabelValueBytes: 51,
      targetInfo: false,
    });
    const big = result.series[0].labels.find((l) => l.name === 'big')!.value;
    assert.equal(big, 'é'.repeat(25)); // 50 bytes: the 51st byte would split a character
    assert.equal(result.truncatedLabelValues, 1);
  });

  it('maps thousands of series in one export without trouble', () => {
    const points: [Record<string, string>, number][] = [];
    for (let i = 0; i < 5000; i++) points.push([{ user: `u${i}`, shard: String(i % 7) }, i]);
    const result = map([sum('logins', points)]);
    assert.equal(result.series.length, 5001);
    assert.equal(result.points, 5000);
    assert.equal(new Set(lines(result.series)).size, 5001);
  });

  it('puts exemplars on counters and on the histogram bucket that holds their value', () => {
    const exemplar = (value: number) => ({
      value,
      timestamp: [1_700_000_005, 0],
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      filteredAttributes: { 'user.id': 'u1' },
    });
    const counter = sum('c', [[{}, 3]]);
    (counter.dataPoints[0] as unknown as { exemplars: unknown[] }).exemplars = [exemplar(1)];
    const hist = histogram('h', {}, { boundaries: [1, 10], counts: [0, 1, 0], sum: 5, count: 1 });
    (hist.dataPoints[0] as unknown as { exemplars: unknown[] }).exemplars = [exemplar(5)];
    const g = gauge('g', [[{}, 1]]);
    (g.dataPoints[0] as unknown as { exemplars: unknown[] }).exemplars = [exemplar(1)];
    const result = map([counter, hist, g], { targetInfo: false });
    const withExemplars = result.series.filter((s) => s.exemplars);
    assert.deepEqual(
      withExemplars.map((s) => lines([s])[0]),
      [`c_total{${ID},${SCOPE}} 3@${END_MS}`, `h_bucket{${ID},le="10",${SCOPE}} 1@${END_MS}`],
    );
    assert.deepEqual(withExemplars[0].exemplars, [
      {
        labels: [
          { name: 'span_id', value: '00f067aa0ba902b7' },
          { name: 'trace_id', value: '4bf92f3577b34da6a3ce929d0e0e4736' },
          { name: 'user_id', value: 'u1' },
        ],
        value: 1,
        timestampMs: 1_700_000_005_000,
      },
    ]);
  });

  it('drops a point whose time is no sample time, counted, and leaves out such an exemplar', () => {
    // Before: Infinity reached the encoder, whose varint loop (Infinity / 128) never ended.
    const g = gauge('g', [
      [{ k: 'kept' }, 1],
      [{ k: 'inf' }, 2],
      [{ k: 'nan' }, 3],
      [{ k: 'huge' }, 4],
    ]);
    const ends: [number, number][] = [END, [Infinity, 0], [NaN, 0], [1e16, 0]];
    g.dataPoints.forEach((point, i) => Object.assign(point, { endTime: ends[i] }));
    const c = sum('c', [[{}, 3]]);
    (c.dataPoints[0] as unknown as { exemplars: unknown[] }).exemplars = [
      { value: 1, timestamp: [Infinity, 0], filteredAttributes: {} },
      { value: 2, timestamp: [1_700_000_005, 0], filteredAttributes: {} },
    ];
    const result = map([g, c], { targetInfo: false });
    assert.deepEqual(lines(result.series), [
      `g{${ID},k="kept",${SCOPE}} 1@${END_MS}`,
      `c_total{${ID},${SCOPE}} 3@${END_MS}`,
    ]);
    assert.deepEqual(
      Object.fromEntries(Object.entries(result.dropped).filter(([, n]) => (n ?? 0) > 0)),
      { invalid_time: 3 },
    );
    const counter = result.series.find((s) => s.labels[0].value === 'c_total')!;
    assert.deepEqual(
      counter.exemplars?.map((e) => e.timestampMs),
      [1_700_000_005_000],
    );
  });

  it('target_info carries the latest timestamp of the export', () => {
    const later = sum('c', [[{}, 1]], { end: [1_700_000_020, 0] });
    const result = map([gauge('g', [[{}, 1]]), later]);
    assert.equal(result.series.at(-1)!.samples[0].timestampMs, 1_700_000_020_000);
  });

  it('never throws on odd input: missing pieces, empty exports', () => {
    assert.deepEqual(
      mapResourceMetrics({ resource: { attributes: {} }, scopeMetrics: [] }).series,
      [],
    );
    const odd = {
      resource: { attributes: {} },
      scopeMetrics: [
        {
          scope: { name: '' },
          metrics: [gauge('g', [[{ k: null as never, u: undefined as never }, 1]])],
        },
      ],
    };
    assert.deepEqual(lines(mapResourceMetrics(odd).series), [`g{} 1@${END_MS}`]);
  });
});

describe('exponential histograms', () => {
  // scale 0: base 2, bucket i = (2^i, 2^(i+1)]
  const value = {
    count: 10,
    sum: 20,
    scale: 0,
    zeroCount: 1,
    positive: { offset: 1, bucketCounts: [2, 0, 3] }, // (2,4]: 2, (4,8]: 0, (8,16]: 3
    negative: { offset: 0, bucketCounts: [4] }, // [-2,-1): 4
  };

  it('le form: lower edge, every upper edge, zero bucket, negatives, +Inf', () => {
    assert.deepEqual(exponentialToLe(value), [
      ['le', '-2', 0],
      ['le', '-1', 4],
      ['le', '0', 5],
      ['le', '2', 5],
      ['le', '4', 7],
      ['le', '8', 7],
      ['le', '16', 10],
      ['le', '+Inf', 10],
    ]);
  });

  it('vmrange form: one series per non-empty bucket with its own count', () => {
    assert.deepEqual(exponentialToVmrange(value), [
      ['vmrange', '-2...-1', 4],
      ['vmrange', '0...0', 1],
      ['vmrange', '2...4', 2],
      ['vmrange', '8...16', 3],
    ]);
  });

  it('at a high scale the bounds stay distinct and increasing; bounds past the double range fold into +Inf', () => {
    const fine = exponentialToLe({
      count: 3,
      scale: 20,
      zeroCount: 0,
      positive: { offset: 1_048_576 * 10, bucketCounts: [1, 1, 1] },
      negative: { offset: 0, bucketCounts: [] },
    });
    const bounds = fine.slice(0, -1).map(([, le]) => Number(le));
    for (let i = 1; i < bounds.length; i++) assert.ok(bounds[i] > bounds[i - 1]);
    assert.ok(Math.abs(bounds[0] - 1024) < 1e-9);
    const huge = exponentialToLe({
      count: 2,
      scale: 0,
      zeroCount: 0,
      positive: { offset: 1023, bucketCounts: [1, 1] },
      negative: { offset: 0, bucketCounts: [] },
    });
    assert.deepEqual(huge.map(([, le]) => le).at(-1), '+Inf');
    assert.ok(huge.every(([, le]) => le === '+Inf' || Number.isFinite(Number(le))));
  });

  it('maps through the mapping with the chosen form', () => {
    const metric: MetricDataLike = {
      descriptor: descriptor('payload', 'By', 'HISTOGRAM'),
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
      dataPoints: [{ attributes: {}, startTime: START, endTime: END, value }],
    };
    const vm = map([metric], { targetInfo: false });
    assert.deepEqual(lines(vm.series).slice(0, 1), [
      `payload_bytes_bucket{${ID},${SCOPE},vmrange="-2...-1"} 4@${END_MS}`,
    ]);
    assert.deepEqual(lines(vm.series).slice(-2), [
      `payload_bytes_sum{${ID},${SCOPE}} 20@${END_MS}`,
      `payload_bytes_count{${ID},${SCOPE}} 10@${END_MS}`,
    ]);
    const le = map([metric], { targetInfo: false, exponentialHistograms: 'le' });
    assert.equal(le.series.length, 8 + 2);
  });
});
