import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type { MetricDataLike, ResourceMetricsLike } from '@otelpack/batching-core';
import {
  DogStatsDMapping,
  SUMMARY_DATA_POINT_TYPE,
  hostnameFromResource,
  mapLog,
  mapSpan,
  tagsFromResource,
} from '../src';
import type { MetricMappingOptions } from '../src';

const T0: [number, number] = [1_700_000_000, 0];
const T1: [number, number] = [1_700_000_010, 500_000_000];
const T2: [number, number] = [1_700_000_020, 0];

const OPTIONS: MetricMappingOptions = {
  timestamps: true,
  histograms: 'distributions',
  histogramAggregations: false,
  resourceAttributesAsTags: false,
  globalTags: [],
  fallback: {},
};

function rm(
  metrics: MetricDataLike[],
  attributes: Record<string, string> = {},
): ResourceMetricsLike {
  return { resource: { attributes }, scopeMetrics: [{ scope: { name: 's' }, metrics }] };
}

function metric(fields: Record<string, unknown>): MetricDataLike {
  return {
    descriptor: { name: 'm', description: '', unit: '', valueType: 1 },
    aggregationTemporality: AggregationTemporality.DELTA,
    ...fields,
  } as unknown as MetricDataLike;
}

function lines(
  items: ResourceMetricsLike[],
  options: Partial<MetricMappingOptions> = {},
  mapping = new DogStatsDMapping(
    { ...OPTIONS, ...options },
    { maxSeries: 100, idleMs: 3_600_000, initialValue: 'auto', processStartNs: 0n },
  ),
) {
  const mapped = mapping.map(items);
  return {
    lines: mapped.records.map((r) => r.line),
    unmapped: mapped.unmapped.map((u) => u.detail),
  };
}

const point = (value: unknown, attributes = {}, start = T0, end = T1) => ({
  startTime: start,
  endTime: end,
  attributes,
  value,
});

// Each row: an OpenTelemetry metric, and the DogStatsD lines the Datadog translator's rules make
// of it (source: opentelemetry-mapping-go pkg/otlp/metrics/metrics_translator.go mapping per type).
const TYPE_TABLE: { name: string; source: string; metric: MetricDataLike; expected: string[] }[] = [
  {
    name: 'gauge → g with the point time',
    source: 'metrics_translator.go mapNumberMetrics (Gauge)',
    metric: metric({ dataPointType: DataPointType.GAUGE, dataPoints: [point(2.5, { k: 'v' })] }),
    expected: ['m:2.5|g|#k:v|T1700000010'],
  },
  {
    name: 'delta monotonic sum → count',
    source: 'metrics_translator.go mapNumberMetrics (Sum, delta → Count)',
    metric: metric({ dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints: [point(7)] }),
    expected: ['m:7|c|T1700000010'],
  },
  {
    name: 'delta non-monotonic sum → count',
    source: 'metrics_translator.go MapMetrics (Sum, delta, any monotonicity → Count)',
    metric: metric({
      dataPointType: DataPointType.SUM,
      isMonotonic: false,
      dataPoints: [point(-3)],
    }),
    expected: ['m:-3|c|T1700000010'],
  },
  {
    name: 'cumulative non-monotonic sum → gauge',
    source: 'metrics_translator.go MapMetrics (Sum, cumulative, non-monotonic → Gauge)',
    metric: metric({
      dataPointType: DataPointType.SUM,
      isMonotonic: false,
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPoints: [point(12)],
    }),
    expected: ['m:12|g|T1700000010'],
  },
  {
    name: 'empty attribute value → key:n/a',
    source: 'internal/utils tags (FormatKeyValueTag: empty value → n/a)',
    metric: metric({ dataPointType: DataPointType.GAUGE, dataPoints: [point(1, { e: '' })] }),
    expected: ['m:1|g|#e:n/a|T1700000010'],
  },
  {
    name: 'NaN and infinities are skipped',
    source: 'metrics_translator.go mapNumberMetrics (skip NaN / Inf)',
    metric: metric({
      dataPointType: DataPointType.GAUGE,
      dataPoints: [point(NaN), point(Infinity), point(4)],
    }),
    expected: ['m:4|g|T1700000010'],
  },
  {
    name: 'summary → .count, .sum counts and .quantile gauges',
    source: 'metrics_translator.go mapSummaryMetrics (quantile:<formatFloat>)',
    metric: metric({
      dataPointType: SUMMARY_DATA_POINT_TYPE,
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPoints: [
        point(
          {
            count: 10,
            sum: 20,
            quantileValues: [
              { quantile: 0.5, value: 1 },
              { quantile: 1, value: 9 },
            ],
          },
          {},
          [0, 0],
        ),
      ],
    }),
    // startTime 0 (unknown): the first point is a baseline; the quantiles are gauges, sent always.
    expected: [
      'm.quantile:1|g|#quantile:0.5|T1700000010',
      'm.quantile:9|g|#quantile:1.0|T1700000010',
    ],
  },
];

describe('metrics mapping: one row per translator rule', () => {
  for (const row of TYPE_TABLE) {
    it(`${row.name} (${row.source})`, () => {
      assert.deepEqual(lines([rm([row.metric])]).lines, row.expected);
    });
  }

  it('counts the points it cannot send, with why', () => {
    const out = lines([
      rm([metric({ dataPointType: DataPointType.GAUGE, dataPoints: [point(NaN)] })]),
    ]);
    assert.deepEqual(out.unmapped, ['not a finite number']);
  });

  describe('summary points it cannot send in full are counted, once, with why', () => {
    const summary = (value: Record<string, unknown>, start = T0, end = T1) =>
      metric({
        dataPointType: SUMMARY_DATA_POINT_TYPE,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPoints: [point({ count: 4, sum: 8, quantileValues: [], ...value }, {}, start, end)],
      });
    const mapping = (maxSeries = 100) =>
      new DogStatsDMapping(OPTIONS, {
        maxSeries,
        idleMs: 3_600_000,
        initialValue: 'keep',
        processStartNs: 0n,
      });

    it('a non-finite quantile', () => {
      const quantileValues = [
        { quantile: 0.5, value: NaN },
        { quantile: 0.9, value: 3 },
      ];
      const out = lines([rm([summary({ quantileValues })])], {}, mapping());
      assert.deepEqual(out.lines, [
        'm.count:4|c|T1700000010',
        'm.sum:8|c|T1700000010',
        'm.quantile:3|g|#quantile:0.9|T1700000010',
      ]);
      assert.deepEqual(out.unmapped, ['quantile 0.5 is not a finite number']);
    });

    it('a non-finite sum, kept out of the cumulative state', () => {
      const m = mapping();
      const out = lines([rm([summary({ sum: Infinity })])], {}, m);
      assert.deepEqual(out.lines, ['m.count:4|c|T1700000010']);
      assert.deepEqual(out.unmapped, ['.sum is not a finite number']);
      // The next point starts the .sum series afresh instead of a delta from Infinity.
      const next = lines([rm([summary({ count: 6, sum: 9 }, T0, T2)])], {}, m);
      assert.deepEqual(next.lines, ['m.count:2|c|T1700000020', 'm.sum:9|c|T1700000020']);
    });

    it('a .sum series refused by maxCumulativeSeries', () => {
      const out = lines([rm([summary({})])], {}, mapping(1));
      assert.deepEqual(out.lines, ['m.count:4|c|T1700000010']);
      assert.deepEqual(out.unmapped, ['.sum: too many cumulative series (maxCumulativeSeries)']);
    });

    it('a stale point: counted once, not once per series', () => {
      const m = mapping();
      lines([rm([summary({})])], {}, m);
      const out = lines([rm([summary({ count: 5, sum: 9 })])], {}, m);
      assert.deepEqual(out.lines, []);
      assert.deepEqual(out.unmapped, [
        '.count: not newer than the previous point of its cumulative series',
      ]);
    });
  });

  it('timestamps off: no |T (for plain StatsD servers)', () => {
    const m = metric({
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      dataPoints: [point(1)],
    });
    assert.deepEqual(lines([rm([m])], { timestamps: false }).lines, ['m:1|c']);
  });
});

describe('cumulative monotonic sums → deltas (translator to_delta mode)', () => {
  const cumulative = (value: number, start: [number, number], end: [number, number]) =>
    rm([
      metric({
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPoints: [point(value, {}, start, end)],
      }),
    ]);
  const make = (initialValue: 'auto' | 'keep' | 'drop', processStartNs = 0n) =>
    new DogStatsDMapping(OPTIONS, {
      maxSeries: 2,
      idleMs: 3_600_000,
      initialValue,
      processStartNs,
    });

  it('first point: auto sends it when the series started after the process; then differences', () => {
    const mapping = make('auto');
    assert.deepEqual(lines([cumulative(5, T0, T1)], {}, mapping).lines, ['m:5|c|T1700000010']);
    assert.deepEqual(lines([cumulative(8, T0, T2)], {}, mapping).lines, ['m:3|c|T1700000020']);
  });

  it('auto keeps a series that started before the process as the baseline; drop never sends it', () => {
    const before = make('auto', BigInt(T1[0]) * 1_000_000_000n);
    assert.deepEqual(lines([cumulative(5, T0, T1)], {}, before).lines, []);
    assert.equal(before.stats().baselines, 1);
    const drop = make('drop');
    assert.deepEqual(lines([cumulative(5, T0, T1)], {}, drop).lines, []);
    assert.deepEqual(lines([cumulative(9, T0, T2)], {}, drop).lines, ['m:4|c|T1700000020']);
  });

  // pkg/otlp/metrics/dimensions.go keys the translator's delta state on the raw attributes
  // (getTags / String()): series that sanitise to the same tags keep their own state.
  it('series whose tags sanitise alike (`a,b` and `a|b`, values cut alike) keep their own state', () => {
    const long = 'x'.repeat(250);
    const series = (value: number, end: [number, number]) =>
      rm([
        metric({
          dataPointType: DataPointType.SUM,
          isMonotonic: true,
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPoints: [
            point(1000 + value, { route: 'a,b' }, T0, end),
            point(5 + value, { route: 'a|b' }, T0, end),
            point(70 + value, { id: `${long}1` }, T0, end),
            point(20 + value, { id: `${long}2` }, T0, end),
          ],
        }),
      ]);
    const mapping = new DogStatsDMapping(OPTIONS, {
      maxSeries: 100,
      idleMs: 3_600_000,
      initialValue: 'keep',
      processStartNs: 0n,
    });
    const total = (value: number, end: [number, number]) =>
      lines([series(value, end)], {}, mapping)
        .lines.map((line) => Number(line.split(':')[1].split('|')[0]))
        .reduce((a, b) => a + b, 0);
    assert.equal(total(0, T1), 1000 + 5 + 70 + 20, 'the first points, kept');
    assert.equal(total(1, T2), 4, 'each series grew by 1');
    assert.equal(total(3, [T2[0] + 10, 0]), 8, 'and by 2');
    assert.equal(mapping.stats().cumulativeSeries, 4);
  });

  it('a point no newer than the last is dropped, counted; a lower value is a reset', () => {
    const mapping = make('keep');
    lines([cumulative(5, T0, T2)], {}, mapping);
    assert.deepEqual(lines([cumulative(6, T0, T1)], {}, mapping).unmapped, [
      'not newer than the previous point of its cumulative series',
    ]);
    assert.deepEqual(lines([cumulative(2, T0, [T2[0] + 10, 0])], {}, mapping).lines, [
      'm:2|c|T1700000030',
    ]);
  });
});

describe('histograms', () => {
  const histogram = metric({
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [
      point({
        buckets: { boundaries: [0, 10], counts: [1, 3, 2] },
        count: 6,
        sum: 50,
        min: -1,
        max: 30,
      }),
    ],
  });

  it('distributions: one value per non-empty bucket, weighted by its count (|@1/count)', () => {
    const out = lines([rm([histogram])]).lines;
    assert.equal(out.length, 3);
    assert.equal(out[0], 'm:-1|d');
    assert.match(out[1], /^m:5\|d\|@0\.333333333333333/);
    assert.equal(out[2], 'm:30|d|@0.5');
  });

  it('counters: a .bucket count per bucket with lower_bound / upper_bound (translator getLegacyBuckets)', () => {
    assert.deepEqual(lines([rm([histogram])], { histograms: 'counters' }).lines, [
      'm.bucket:1|c|#lower_bound:-inf,upper_bound:0|T1700000010',
      'm.bucket:3|c|#lower_bound:0,upper_bound:10.0|T1700000010',
      'm.bucket:2|c|#lower_bound:10.0,upper_bound:inf|T1700000010',
    ]);
  });

  it('aggregations: .count and .sum counts, .min and .max gauges for delta points', () => {
    assert.deepEqual(lines([rm([histogram])], { histograms: 'nobuckets' }).lines, [
      'm.count:6|c|T1700000010',
      'm.sum:50|c|T1700000010',
      'm.min:-1|g|T1700000010',
      'm.max:30|g|T1700000010',
    ]);
  });

  it('exponential histograms: delta only, as in the translator', () => {
    const exp = (temporality: AggregationTemporality) =>
      metric({
        dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
        aggregationTemporality: temporality,
        dataPoints: [
          point({
            count: 3,
            sum: 6,
            scale: 0,
            zeroCount: 1,
            positive: { offset: 1, bucketCounts: [2] },
            negative: { offset: 0, bucketCounts: [] },
          }),
        ],
      });
    // scale 0: bucket index 1 is (2, 4], midpoint 3.
    assert.deepEqual(lines([rm([exp(AggregationTemporality.DELTA)])]).lines, [
      'm:0|d',
      'm:3|d|@0.5',
    ]);
    const cumulative = lines([rm([exp(AggregationTemporality.CUMULATIVE)])]);
    assert.deepEqual(cumulative.lines, []);
    assert.match(cumulative.unmapped[0], /cumulative exponential histograms/);
  });
});

describe('resource attributes → tags', () => {
  // opentelemetry-mapping-go pkg/otlp/attributes/attributes_test.go TestTagsFromAttributes.
  it('maps the translator set and nothing else (attributes_test.go TestTagsFromAttributes)', () => {
    const tags = tagsFromResource({
      'process.executable.name': 'otelcol',
      'process.executable.path': '/usr/bin/cmd/otelcol',
      'process.command': 'cmd/otelcol',
      'process.command_line': 'cmd/otelcol --config="/path/to/config.yaml"',
      'process.pid': 1,
      'process.owner': 'root',
      'os.type': 'linux',
      'k8s.daemonset.name': 'daemon_set_name',
      'aws.ecs.cluster.arn': 'cluster_arn',
      'container.runtime': 'cro',
      'tags.datadoghq.com/service': 'service_name',
      'deployment.environment': 'prod',
      'container.name': 'custom',
      'datadog.container.tag.custom.team': 'otel',
      kube_cronjob: 'cron',
    });
    assert.deepEqual(
      new Set(tags),
      new Set([
        'process.executable.name:otelcol',
        'os.type:linux',
        'kube_daemon_set:daemon_set_name',
        'ecs_cluster_name:cluster_arn',
        'service:service_name',
        'runtime:cro',
        'env:prod',
        'container_name:custom',
        'custom.team:otel',
        'kube_cronjob:cron',
      ]),
    );
  });

  // attributes.go kubernetesDDTags: only the Agent's own tag names pass through unchanged.
  it('passes through attributes named as Agent tags, and no others (attributes.go kubernetesDDTags)', () => {
    const tags = tagsFromResource({
      kube_cronjob: 'cron',
      pod_name: 'pod-1',
      'git.commit.sha': 'abc123',
      kube_not_a_tag: 'x',
      cronjob: 'y',
    });
    assert.deepEqual(
      new Set(tags),
      new Set(['kube_cronjob:cron', 'pod_name:pod-1', 'git.commit.sha:abc123']),
    );
  });

  it('a key named like an Object.prototype member is an ordinary key, not a mapping', () => {
    // JSON.parse makes `__proto__` an own key, as a decoded attribute map would have it.
    const attributes = JSON.parse(
      '{"constructor":"c","toString":"t","__proto__":"p","k8s.pod.name":"pod-1"}',
    ) as Record<string, string>;
    assert.deepEqual(tagsFromResource(attributes), ['pod_name:pod-1']);
    assert.deepEqual(
      new Set(tagsFromResource(attributes, { allAttributes: true })),
      new Set([
        'pod_name:pod-1',
        'constructor:c',
        'toString:t',
        '__proto__:p',
        'k8s.pod.name:pod-1',
      ]),
    );
  });

  // attributes_test.go TestContainerTagFromResourceAttributes: empty keys and values make no tag.
  it('skips empty values and the bare datadog.container.tag. prefix (TestContainerTagFromResourceAttributes)', () => {
    const tags = tagsFromResource({
      'datadog.container.tag.': 'otel',
      'datadog.container.tag.custom': '',
      empty_string_val: '',
      custom_tag: 'example_custom_tag',
      'k8s.pod.name': 'sample_pod_name',
    });
    assert.deepEqual(tags, ['pod_name:sample_pod_name']);
  });

  it('unified service tagging: resource first, configured values as fallback, host tag', () => {
    const m = metric({ dataPointType: DataPointType.GAUGE, dataPoints: [point(1)] });
    const out = lines(
      [
        rm([m], {
          'service.name': 'api',
          'deployment.environment.name': 'prod',
          'host.name': 'web-1',
        }),
      ],
      { fallback: { service: 'ignored', version: '1.2' }, globalTags: ['team:core', 'solo'] },
    ).lines;
    assert.deepEqual(out, [
      'm:1|g|#service:api,env:prod,version:1.2,host:web-1,team:core,solo|T1700000010',
    ]);
  });
});

// The host a resource names: the rows of opentelemetry-mapping-go pkg/otlp/attributes
// source_test.go (TestSourceFromAttrs, TestLiteralHostNonString, TestHostnameKubernetes,
// TestGetClusterName), with `fallback` the exporter's `hostname` option.
describe('the host a resource names (attributes/source_test.go)', () => {
  const ALL = {
    'k8s.node.name': 'nodeName',
    'k8s.cluster.name': 'clusterName',
    'container.id': 'example-container-id',
    'host.id': 'example-host-id',
    'host.name': 'example-host-name',
  };
  const ROWS: [string, Record<string, unknown>, string | undefined][] = [
    [
      "literal 'host' tag",
      { host: 'literal-host', 'datadog.host.name': 'custom', ...ALL },
      'literal-host',
    ],
    [
      'custom hostname',
      { 'datadog.host.name': 'example-custom-host-name', ...ALL },
      'example-custom-host-name',
    ],
    ['container ID', { 'container.id': 'example-container-id' }, 'fallback'],
    [
      'AWS EC2',
      { 'cloud.provider': 'aws', 'host.id': 'example-host-id', 'host.name': 'example-host-name' },
      'example-host-id',
    ],
    [
      'ECS Fargate',
      {
        'cloud.provider': 'aws',
        'cloud.platform': 'aws_ecs',
        'aws.ecs.task.arn': 'example-task-ARN',
        'aws.ecs.task.family': 'example-task-family',
        'aws.ecs.task.revision': 'example-task-revision',
        'aws.ecs.launchtype': 'fargate',
        'host.name': 'ip-10-0-1-2.ec2.internal',
      },
      undefined,
    ],
    [
      'GCP',
      {
        'cloud.provider': 'gcp',
        'host.id': 'example-host-id',
        'host.name': 'example-host-name.c.projectID.internal',
        'cloud.account.id': 'projectID',
      },
      'example-host-name.projectID',
    ],
    [
      'GCP, no account id',
      {
        'cloud.provider': 'gcp',
        'host.id': 'example-host-id',
        'host.name': 'example-host-name.c.projectID.internal',
      },
      'fallback',
    ],
    [
      'azure',
      { 'cloud.provider': 'azure', 'host.id': 'example-host-id', 'host.name': 'example-host-name' },
      'example-host-id',
    ],
    [
      'host id v. hostname',
      { 'host.id': 'example-host-id', 'host.name': 'example-host-name' },
      'example-host-id',
    ],
    ['no hostname', {}, 'fallback'],
    ['localhost', { 'datadog.host.name': '127.0.0.1' }, 'fallback'],
    ['TestLiteralHostNonString', { host: 1000 }, '1000'],
    ['Kubernetes: node name and cluster name', ALL, 'nodeName-clusterName'],
    [
      'Kubernetes: node name, no cluster name',
      { ...ALL, 'k8s.cluster.name': undefined },
      'nodeName',
    ],
    [
      'Kubernetes: node name, no cluster name, AWS EC2',
      { ...ALL, 'k8s.cluster.name': undefined, 'cloud.provider': 'aws' },
      'example-host-id',
    ],
    [
      'Kubernetes: no node name, cluster name',
      { ...ALL, 'k8s.node.name': undefined },
      'example-host-id',
    ],
    [
      'TestGetClusterName: Azure',
      {
        'k8s.node.name': 'nodeName',
        'cloud.provider': 'azure',
        'azure.resourcegroup.name': 'MC_aks-kenafeh_aks-kenafeh-eu_westeurope',
      },
      // Azure names its own host first (host.id, host.name): none here, so no host.
      'fallback',
    ],
    [
      'TestGetClusterName: AWS (through the Kubernetes branch, no cloud provider branch taken)',
      { 'k8s.node.name': 'nodeName', 'ec2.tag.kubernetes.io/cluster/clustername': 'dummy_value' },
      'nodeName',
    ],
  ];
  for (const [name, attributes, host] of ROWS) {
    it(name, () => {
      const defined = Object.fromEntries(
        Object.entries(attributes).filter(([, value]) => value !== undefined),
      );
      assert.equal(hostnameFromResource(defined as never, 'fallback'), host);
    });
  }
});

describe("the SDK's unknown_service placeholder", () => {
  it('gives way to the configured service (DD_SERVICE) in metric tags, spans and logs', async () => {
    const attrs = { 'service.name': 'unknown_service:node' };
    assert.deepEqual(tagsFromResource(attrs, { fallback: { service: 'cart' } }), ['service:cart']);
    assert.deepEqual(tagsFromResource(attrs), ['service:unknown_service:node']);
    const span = mapSpan(
      {
        name: 'x',
        kind: 0,
        spanContext: () => ({
          traceId: '1'.padStart(32, '0'),
          spanId: '1'.padStart(16, '0'),
          traceFlags: 1,
        }),
        startTime: [1, 0],
        endTime: [1, 0],
        duration: [0, 0],
        status: { code: 0 },
        attributes: {},
        links: [],
        events: [],
        ended: true,
        resource: { attributes: attrs },
        instrumentationScope: { name: 's' },
        droppedAttributesCount: 0,
        droppedEventsCount: 0,
        droppedLinksCount: 0,
      } as never,
      { service: 'cart' },
    ).span;
    assert.equal(span.service, 'cart');
    const log = mapLog(
      {
        hrTime: [1, 0],
        hrTimeObserved: [1, 0],
        resource: { attributes: attrs },
        instrumentationScope: { name: 's' },
        attributes: {},
        droppedAttributesCount: 0,
      } as never,
      { source: 's', globalTags: [], fallback: { service: 'cart' }, now: () => 1_000 },
    ).entry;
    assert.equal(log.service, 'cart');
  });
});
