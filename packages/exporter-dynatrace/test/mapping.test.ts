import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import { doublingTextValue, doublingValue } from '@otelpack/batching-core/testing';
import type { MetricDataLike } from '@otelpack/batching-core';
import {
  LineMapping,
  MetadataMemory,
  SeriesState,
  attributeText,
  keyForKind,
  normalizeDimensions,
} from '../src';
import type { LineMappingOptions } from '../src';
import {
  END_MS,
  T0,
  descriptor,
  gauge,
  histogram,
  point,
  resourceMetrics,
  sum,
} from './helpers/metrics';

function mapping(options: Partial<LineMappingOptions> = {}): LineMapping {
  return new LineMapping({
    defaultDimensions: [],
    staticDimensions: [],
    resourceAttributes: ['service.name'],
    metadataLines: false,
    ...options,
  });
}

function lines(m: LineMapping, metrics: MetricDataLike[]): string[] {
  const result = m.map([resourceMetrics(metrics)]);
  assert.deepEqual(result.unmapped, []);
  return result.records;
}

const S = ',service.name=checkout';

describe('mapping: one line per data point', () => {
  const cases: { title: string; metric: MetricDataLike; expected: string[] }[] = [
    {
      title: 'a gauge',
      metric: gauge('queue.depth', [point(1.5, { queue: 'a b' })]),
      expected: [`queue.depth${S},queue=a\\ b gauge,1.5 ${END_MS}`],
    },
    {
      title: 'a delta counter: count,delta, its key given the .count the ingest would append',
      metric: sum('http.requests', [point(3, { 'HTTP.Method': 'GET' })]),
      expected: [`http.requests.count${S},http.method=GET count,delta=3 ${END_MS}`],
    },
    {
      title: 'a counter already named .count keeps its key',
      metric: sum('jobs.count', [point(2)]),
      expected: [`jobs.count${S} count,delta=2 ${END_MS}`],
    },
    {
      title: 'a cumulative up-down counter: a gauge of its value',
      metric: sum('pool.size', [point(-4)], { monotonic: false, cumulative: true }),
      expected: [`pool.size${S} gauge,-4 ${END_MS}`],
    },
    {
      title: 'non-string attributes as text',
      metric: gauge('app.g', [point(1, { ok: true, n: 3, list: ['a', 'b'] })]),
      expected: [`app.g${S},ok=true,n=3,list=[\\"a\\"\\,\\"b\\"] gauge,1 ${END_MS}`],
    },
    {
      title: 'a delta histogram with min and max: a summary',
      metric: histogram('latency', [
        { boundaries: [10, 100], counts: [1, 2, 1], sum: 250, min: 5, max: 120 },
      ]),
      expected: [`latency${S} gauge,min=5,max=120,sum=250,count=4 ${END_MS}`],
    },
    {
      title:
        'a delta histogram without min and max: bounds from the buckets (first → upper, last → lower)',
      metric: histogram('latency', [
        { boundaries: [10, 100, 1000], counts: [0, 2, 3, 0], sum: 1000 },
      ]),
      expected: [`latency${S} gauge,min=10,max=1000,sum=1000,count=5 ${END_MS}`],
    },
    {
      title: 'estimated bounds widened to the average (the ingest checks min ≤ avg ≤ max)',
      metric: histogram('latency', [{ boundaries: [10], counts: [2, 0], sum: 100 }]),
      expected: [`latency${S} gauge,min=10,max=50,sum=100,count=2 ${END_MS}`],
    },
    {
      title: 'an empty histogram: all zero',
      metric: histogram('latency', [{ boundaries: [10], counts: [0, 0], sum: 0 }]),
      expected: [`latency${S} gauge,min=0,max=0,sum=0,count=0 ${END_MS}`],
    },
    {
      title: 'an exponential histogram: its min, max, sum and count',
      metric: {
        descriptor: { name: 'size', description: '', unit: '', valueType: 1 },
        aggregationTemporality: AggregationTemporality.DELTA,
        dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
        dataPoints: [
          point({
            count: 3,
            sum: 30,
            scale: 0,
            zeroCount: 0,
            positive: { offset: 2, bucketCounts: [1, 2] },
            negative: { offset: 0, bucketCounts: [] },
            min: 4,
            max: 15,
          }),
        ],
      },
      expected: [`size${S} gauge,min=4,max=15,sum=30,count=3 ${END_MS}`],
    },
  ];
  for (const c of cases) {
    it(c.title, () => assert.deepEqual(lines(mapping(), [c.metric]), c.expected));
  }

  it('keyForKind: .count for counts, .gauge for gauges named .count', () => {
    assert.equal(keyForKind('a', 'count'), 'a.count');
    assert.equal(keyForKind('a.count', 'count'), 'a.count');
    assert.equal(keyForKind('a.count', 'gauge'), 'a.count.gauge');
    // The protocol page: keys of 3 to 255 characters. A name normalised to its 250 takes the
    // suffix within 255, cut at no separator.
    const long = `mycompany.myservice.${'x'.repeat(240)}`;
    for (const [key, kind, suffix] of [
      [long, 'count', '.count'],
      [`${long.slice(0, 244)}.count`, 'gauge', '.gauge'],
      [`${'y'.repeat(248)}..z`, 'count', '.count'],
    ] as const) {
      const written = keyForKind(key.slice(0, 250), kind);
      assert.ok(written.length <= 255, `${written.length} characters`);
      assert.ok(written.endsWith(suffix), written.slice(-12));
      assert.doesNotMatch(written, /[._-]\.(count|gauge)$/);
    }
    assert.equal(keyForKind('a', 'gauge'), 'a');
  });
});

describe('mapping: cumulative points where the ingest takes deltas', () => {
  it('a cumulative counter: its first value, then increases, a lower value or new start a reset', () => {
    const m = mapping();
    const series = (value: number, startS = T0) =>
      lines(m, [sum('c', [point(value, {}, startS)], { cumulative: true })])[0].split(' ')[1];
    assert.deepEqual(
      [series(5), series(8), series(8), series(2), series(7, T0 + 5)],
      ['count,delta=5', 'count,delta=3', 'count,delta=0', 'count,delta=2', 'count,delta=7'],
    );
  });

  it('series are told apart by their dimensions', () => {
    const m = mapping();
    lines(m, [sum('c', [point(5, { a: '1' }), point(50, { a: '2' })], { cumulative: true })]);
    const next = lines(m, [
      sum('c', [point(6, { a: '1' }), point(60, { a: '2' })], { cumulative: true }),
    ]);
    assert.deepEqual(
      next.map((l) => l.split(' ')[1]),
      ['count,delta=1', 'count,delta=10'],
    );
  });

  it('series of one line are kept apart: two meters, two resources of one service, values cut alike', () => {
    // Two instrumentations' counters of one name (each its scope), a resource that differs
    // in an attribute the lines do not carry, and values alike in their first 250 characters.
    const m = mapping();
    const long = 'v'.repeat(260);
    const exportOf = (add: number) =>
      m.map([
        {
          resource: { attributes: { 'service.name': 'checkout', 'host.name': 'a' } },
          scopeMetrics: [
            {
              scope: { name: 'http' },
              metrics: [sum('c', [point(100 + add)], { cumulative: true })],
            },
            {
              scope: { name: 'undici' },
              metrics: [sum('c', [point(5 + add)], { cumulative: true })],
            },
            {
              scope: { name: 'http' },
              metrics: [
                sum('d', [point(70 + add, { k: `${long}1` }), point(20 + add, { k: `${long}2` })], {
                  cumulative: true,
                }),
              ],
            },
          ],
        },
        {
          resource: { attributes: { 'service.name': 'checkout', 'host.name': 'b' } },
          scopeMetrics: [
            {
              scope: { name: 'http' },
              metrics: [sum('c', [point(40 + add)], { cumulative: true })],
            },
          ],
        },
      ]).records;
    const total = (records: string[]) =>
      records.reduce((all, line) => all + Number(/delta=(\d+)/.exec(line)?.[1] ?? 0), 0);
    assert.equal(total(exportOf(0)), 100 + 5 + 70 + 20 + 40, 'the first values');
    assert.equal(total(exportOf(1)), 5, 'each of the five series grew by 1');
    assert.equal(total(exportOf(1)), 0, 'and then by nothing');
  });

  it('past maxSeries, a series that may have been forgotten is refused (counted), never sent whole again', () => {
    // Four series reported in the same order each time, three kept: each is forgotten before
    // it comes round again. Sending each one's whole value again counted everything once more.
    const m = mapping({ maxSeries: 3 });
    const exportOf = (value: number) =>
      m.map([
        resourceMetrics([
          sum(
            'c',
            ['a', 'b', 'c', 'd'].map((name) => point(1000 + value, { name })),
            { cumulative: true },
          ),
        ]),
      ]);
    const sent = (result: { records: string[] }) =>
      result.records.map((line) => Number(/delta=(\d+)/.exec(line)?.[1]));
    const first = exportOf(0);
    assert.deepEqual(
      sent(first),
      [1000, 1000, 1000, 1000],
      'first points, before any was forgotten',
    );
    for (const value of [1, 2]) {
      const next = exportOf(value);
      assert.deepEqual(sent(next), [], `export ${value + 1}: none sent whole`);
      assert.equal(next.unmapped.length, 4);
      assert.match(next.unmapped[0].detail, /more cumulative series than the exporter keeps \(3\)/);
    }
  });

  it('after a series was forgotten, one that started since still sends its first value whole', () => {
    let nowMs = 1_000_000;
    const state = new SeriesState(1, () => nowMs);
    assert.equal(state.sumDelta('a', 0, 5), 5);
    assert.equal(state.sumDelta('b', 0, 7), 7, 'a forgotten now');
    nowMs = 2_000_000;
    assert.equal(state.sumDelta('a', 0, 6), undefined, 'a may have been sent: not whole');
    assert.equal(state.sumDelta('c', 2_500_000, 3), 3, 'c began after: whole');
    assert.equal(state.total('d', 4), 4, 'no total was ever forgotten: a first one is its delta');
    assert.equal(state.total('e', 1), 1, 'a second total forgets the first');
    assert.equal(state.total('d', 2), undefined, "d's running total is lost: not a guess");
    // Each kind forgets on its own: histograms forgotten say nothing of counters.
    const kinds = new SeriesState(1, () => nowMs);
    const counts = { count: 1, sum: 1, counts: [] };
    kinds.histogramDelta('h1', 0, counts);
    kinds.histogramDelta('h2', 0, counts);
    assert.equal(kinds.sumDelta('s1', 0, 9), 9, 'the first counter ever: whole');
    assert.equal(kinds.total('u1', 5), 5, 'the first running total ever');
  });

  it('a delta up-down counter: a gauge of its running total', () => {
    const m = mapping();
    const total = (delta: number) =>
      lines(m, [sum('app.u', [point(delta)], { monotonic: false })])[0].split(' ')[1];
    assert.deepEqual([total(3), total(-1), total(4)], ['gauge,3', 'gauge,2', 'gauge,6']);
  });

  it('a cumulative histogram: the increase of counts and sum, bounds from the increased buckets', () => {
    const m = mapping();
    const h = (counts: number[], sumValue: number) =>
      lines(m, [
        histogram(
          'app.h',
          [{ boundaries: [10, 100], counts, sum: sumValue, min: 1, max: 500 }],
          true,
        ),
      ])[0].split(' ')[1];
    assert.equal(h([1, 0, 1], 201), 'gauge,min=1,max=500,sum=201,count=2');
    assert.equal(h([1, 2, 1], 301), 'gauge,min=10,max=100,sum=100,count=2');
  });
});

describe('mapping: dimensions', () => {
  it('default dimensions under the point’s, the OneAgent’s over them, in the utilities’ order', () => {
    const m = mapping({
      defaultDimensions: normalizeDimensions({ env: 'prod', team: 'a' }),
      staticDimensions: normalizeDimensions({ 'dt.entity.host': 'HOST-1', team: 'fixed' }),
      resourceAttributes: [],
    });
    assert.deepEqual(lines(m, [gauge('app.g', [point(1, { env: 'dev', team: 'b', x: 'y' })])]), [
      `app.g,env=dev,team=fixed,x=y,dt.entity.host=HOST-1 gauge,1 ${END_MS}`,
    ]);
  });

  it('a prefix joins every key', () => {
    assert.deepEqual(
      lines(mapping({ prefix: 'shop', resourceAttributes: [] }), [
        gauge('Queue Depth', [point(1)]),
      ]),
      [`shop.Queue_Depth gauge,1 ${END_MS}`],
    );
  });

  it('an array attribute that contains itself is a dimension with the circular marker (issue 11)', () => {
    const list: unknown[] = ['a'];
    list.push(list);
    assert.equal(attributeText(list as never), '["a","[circular]"]');
    assert.deepEqual(
      lines(mapping({ resourceAttributes: [] }), [
        gauge('app.g', [point(1, { list: list as never })]),
      ]),
      [`app.g,list=[\\"a\\"\\,\\"[circular]\\"] gauge,1 ${END_MS}`],
    );
  });

  it('a map attribute that expands without end or shares one long text is written bounded (issue 11)', () => {
    for (const value of [doublingValue(), doublingTextValue()]) {
      const text = attributeText(value as never) as string;
      assert.ok(text.length < 5_000_000, `${text.length} characters`);
      assert.match(text, /\[too deep\]|\[truncated\]/);
    }
  });

  it('timestamps outside 2000..3000 are left off (the server’s time is used)', () => {
    const old = { ...point(1), endTime: [1_000, 0] as [number, number] };
    assert.deepEqual(lines(mapping({ resourceAttributes: [] }), [gauge('app.g', [old])]), [
      'app.g gauge,1',
    ]);
  });
});

describe('mapping: points the ingest would refuse are rejected with the reason', () => {
  const unmapped = (metric: MetricDataLike) =>
    mapping()
      .map([resourceMetrics([metric])])
      .unmapped.map((u) => u.detail);

  it('a name that makes no key', () => {
    assert.deepEqual(unmapped(gauge('.oops', [point(1), point(2)])), [
      'the metric name ".oops" makes no valid Dynatrace metric key',
      'the metric name ".oops" makes no valid Dynatrace metric key',
    ]);
  });

  it('more than 50 dimensions', () => {
    const attributes = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    assert.deepEqual(unmapped(gauge('app.g', [point(1, attributes)])), [
      '51 dimensions; Dynatrace takes at most 50 on a line',
    ]);
  });

  it('a key shorter than 3 characters, or under the reserved dt.', () => {
    assert.deepEqual(unmapped(gauge('ab', [point(1)])), [
      "the metric key 'ab' is shorter than the 3 characters Dynatrace takes",
    ]);
    assert.deepEqual(unmapped(gauge('dt.cpu', [point(1)])), [
      "the metric key 'dt.cpu' has the prefix dt., which Dynatrace reserves",
    ]);
  });

  it('a value that is not a finite number', () => {
    assert.deepEqual(unmapped(gauge('app.g', [point(Number.NaN)])), ['the value is NaN']);
  });

  it('a histogram without a sum', () => {
    assert.match(unmapped(histogram('app.h', [{ boundaries: [1], counts: [1, 0] }]))[0], /no sum/);
  });

  it('the other points of the export still map', () => {
    const result = mapping().map([
      resourceMetrics([gauge('app.g', [point(Number.NaN), point(2)])]),
    ]);
    assert.equal(result.records.length, 1);
    assert.equal(result.unmapped.length, 1);
  });
});

describe('mapping: metadata lines', () => {
  it('description and unit before its lines, with each export until the ingest settles it', () => {
    const metadata = new MetadataMemory();
    const m = mapping({ metadataLines: true, resourceAttributes: [], metadata });
    const metric = sum('http.requests', [point(1)], {
      description: 'Requests served',
      unit: '{request}',
    });
    const meta =
      '#http.requests.count count dt.meta.description=Requests\\ served,dt.meta.unit={request}';
    const data = `http.requests.count count,delta=1 ${END_MS}`;
    assert.deepEqual(lines(m, [metric]), [meta, data]);
    // Mapped is not delivered: its request may yet be dropped.
    assert.deepEqual(lines(m, [metric]), [meta, data]);
    metadata.markSettled([meta, data]);
    assert.deepEqual(lines(m, [metric]), [data]);
  });

  it('one metadata line a metric in an export, however many resources report it', () => {
    const m = mapping({ metadataLines: true, resourceAttributes: [] });
    const metric = { ...gauge('g.one', [point(1)]), descriptor: descriptor('g.one', 'd') };
    const result = m.map([resourceMetrics([metric]), resourceMetrics([metric], { x: 'y' })]);
    assert.deepEqual(
      result.records.filter((l) => l.startsWith('#')),
      ['#g.one gauge dt.meta.description=d'],
    );
  });

  it('a unit the ingest refuses is left out; nothing to say, no line', () => {
    const m = mapping({ metadataLines: true, resourceAttributes: [] });
    assert.deepEqual(
      lines(m, [sum('a', [point(1)], { description: 'd', unit: 'm.s' })])[0],
      '#a.count count dt.meta.description=d',
    );
    assert.deepEqual(lines(m, [sum('b', [point(1)], { unit: 'm s' })]), [
      `b.count count,delta=1 ${END_MS}`,
    ]);
  });
});

describe('mapping: keys named __proto__', () => {
  it('a point or resource attribute named __proto__ is a dimension of the line sent', () => {
    // JSON.parse makes `__proto__` an own key, as the SDK may hold it.
    const withProto = mapping({ resourceAttributes: ['service.name', '__proto__'] });
    const pointLines = lines(withProto, [
      gauge('queue.depth', [point(1, JSON.parse('{"__proto__":"point","a":"b"}') as never)]),
    ]);
    assert.deepEqual(pointLines, [`queue.depth${S},__proto__=point,a=b gauge,1 ${END_MS}`]);
    const result = withProto.map([
      resourceMetrics(
        [gauge('queue.depth', [point(1)])],
        JSON.parse('{"service.name":"checkout","__proto__":"resource"}') as never,
      ),
    ]);
    assert.deepEqual(result.records, [`queue.depth${S},__proto__=resource gauge,1 ${END_MS}`]);
  });
});
