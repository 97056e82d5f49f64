import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import StatsD from 'hot-shots';
import { DogStatsDFake, parseMetricLine } from '../../src/fakes/dogstatsd-fake';

/*
 * FAKE conformance: the DogStatsD fake parses what the Agent parses and refuses what it refuses.
 * Every row is a case of DataDog/datadog-agent comp/dogstatsd/server/parse_metrics_test.go.
 */
const SOURCE = 'comp/dogstatsd/server/parse_metrics_test.go';

const ACCEPTED: {
  test: string;
  line: string;
  name: string;
  type: string;
  values?: number[];
  raw?: string;
  tags?: string[];
  rate?: number;
  ts?: number;
}[] = [
  { test: 'TestParseGauge', line: 'daemon:666|g', name: 'daemon', type: 'g', values: [666] },
  {
    test: 'TestParseGaugeMultiple',
    line: 'daemon:666:777|g',
    name: 'daemon',
    type: 'g',
    values: [666, 777],
  },
  { test: 'TestParseCounter', line: 'daemon:21|c', name: 'daemon', type: 'c', values: [21] },
  {
    test: 'TestParseCounterWithTags',
    line: 'custom_counter:1|c|#protocol:http,bench',
    name: 'custom_counter',
    type: 'c',
    values: [1],
    tags: ['protocol:http', 'bench'],
  },
  { test: 'TestParseHistogram', line: 'daemon:21|h', name: 'daemon', type: 'h', values: [21] },
  { test: 'TestParseTimer', line: 'daemon:21|ms', name: 'daemon', type: 'ms', values: [21] },
  { test: 'TestParseSet', line: 'daemon:abc|s', name: 'daemon', type: 's', raw: 'abc' },
  {
    test: 'TestParseSetMultiple',
    line: 'daemon:abc:def|s',
    name: 'daemon',
    type: 's',
    raw: 'abc:def',
  },
  {
    test: 'TestSampleDistribution',
    line: 'daemon:3.5|d',
    name: 'daemon',
    type: 'd',
    values: [3.5],
  },
  {
    test: 'TestParseDistributionMultiple',
    line: 'daemon:3.5:4.5|d',
    name: 'daemon',
    type: 'd',
    values: [3.5, 4.5],
  },
  {
    test: 'TestParseSetUnicode',
    line: 'daemon:♬†øU†øU¥ºuT0♪|s',
    name: 'daemon',
    type: 's',
    raw: '♬†øU†øU¥ºuT0♪',
  },
  {
    test: 'TestParseGaugeWithTags',
    line: 'daemon:666|g|#sometag1:somevalue1,sometag2:somevalue2',
    name: 'daemon',
    type: 'g',
    values: [666],
    tags: ['sometag1:somevalue1', 'sometag2:somevalue2'],
  },
  {
    test: 'TestParseGaugeWithSampleRate',
    line: 'daemon:666|g|@0.21',
    name: 'daemon',
    type: 'g',
    values: [666],
    rate: 0.21,
  },
  {
    test: 'TestParseGaugeWithPoundOnly',
    line: 'daemon:666|g|#',
    name: 'daemon',
    type: 'g',
    values: [666],
    tags: [],
  },
  {
    test: 'TestParseGaugeWithUnicode',
    line: '♬†øU†øU¥ºuT0♪:666|g|#intitulé:T0µ',
    name: '♬†øU†øU¥ºuT0♪',
    type: 'g',
    values: [666],
    tags: ['intitulé:T0µ'],
  },
  {
    test: 'TestParseMetricError (unknown metadata prefix)',
    line: 'daemon:666|g|m:test',
    name: 'daemon',
    type: 'g',
    values: [666],
  },
  {
    test: 'TestParseGaugeWithTimestamp',
    line: 'metric:1234|g|#onetag|T1657100430',
    name: 'metric',
    type: 'g',
    values: [1234],
    tags: ['onetag'],
    ts: 1657100430,
  },
  {
    test: 'TestParseGaugeWithTimestamp (#|T)',
    line: 'metric:1234|g|#|T1657100430',
    name: 'metric',
    type: 'g',
    values: [1234],
    tags: [],
    ts: 1657100430,
  },
  {
    test: 'TestParseGaugeWithTimestamp (@|T)',
    line: 'metric:1234|g|@0.21|T1657100440',
    name: 'metric',
    type: 'g',
    values: [1234],
    rate: 0.21,
    ts: 1657100440,
  },
  {
    test: 'TestParseGaugeWithTimestamp (#|@|T)',
    line: 'metric:1234|g|#thereisatag|@0.21|T1657100440',
    name: 'metric',
    type: 'g',
    values: [1234],
    tags: ['thereisatag'],
    rate: 0.21,
    ts: 1657100440,
  },
  {
    test: 'TestParseGaugeWithTimestamp (#|T|@)',
    line: 'metric:1234|g|#thereisatag|T1657100540|@0.21',
    name: 'metric',
    type: 'g',
    values: [1234],
    tags: ['thereisatag'],
    rate: 0.21,
    ts: 1657100540,
  },
  {
    test: 'TestParseGaugeWithTimestamp (T|@|#)',
    line: 'metric:1234|g|T1657100540|@0.25|#atag',
    name: 'metric',
    type: 'g',
    values: [1234],
    tags: ['atag'],
    rate: 0.25,
    ts: 1657100540,
  },
  {
    test: 'TestParseManyPipes (4 pipes)',
    line: 'example.metric:2.39283|d|@1.000000|#environment:dev|c:2a25f7fc8fbf573d62053d7263dd2d440c07b6ab4d2b107e50b0d4df1f2ee15f',
    name: 'example.metric',
    type: 'd',
    values: [2.39283],
    tags: ['environment:dev'],
    rate: 1,
  },
  {
    test: 'TestParseManyPipes (7 pipes)',
    line: 'example.metric:2.39283|d|T1657100540|@1.000000|#environment:dev|c:2a25f7fc8fbf573d62053d7263dd2d440c07b6ab4d2b107e50b0d4df1f2ee15f|f:wowthisisacoolfeature|f2:omgthisoneiscooler',
    name: 'example.metric',
    type: 'd',
    values: [2.39283],
    tags: ['environment:dev'],
    ts: 1657100540,
  },
];

const REFUSED: { test: string; line: string }[] = [
  { test: 'TestParseMetricError (no type)', line: 'daemon:666' },
  { test: 'TestParseMetricError (empty type)', line: 'daemon:666|' },
  { test: 'TestParseMetricError (no value)', line: 'daemon:|g' },
  { test: 'TestParseMetricError (no name)', line: ':666|g' },
  { test: 'TestParseMetricError (no colon)', line: 'abc666|g' },
  { test: 'TestParseMetricError (invalid value)', line: 'daemon:abc|g' },
  { test: 'TestParseMetricError (invalid type)', line: 'daemon:666|unknown' },
  { test: 'TestParseMetricError (invalid sample rate)', line: 'daemon:666|g|@abc' },
  { test: 'TestParseGaugeTimestampMalformed (bad value)', line: 'metric:1234|g|#onetag|TABCD' },
  { test: 'TestParseGaugeTimestampMalformed (no value)', line: 'metric:1234|g|#onetag|T' },
  {
    test: 'TestParseGaugeTimestampMalformed (negative)',
    line: 'metric:1234|g|#onetag|T-102348932',
  },
];

describe('DogStatsD fake: the Agent parser tests as a table (FAKE)', () => {
  for (const row of ACCEPTED) {
    it(`accepts ${row.line} (${SOURCE} ${row.test})`, () => {
      const sample = parseMetricLine(row.line);
      assert.equal(sample.name, row.name);
      assert.equal(sample.type, row.type);
      if (row.values) assert.deepEqual(sample.values, row.values);
      if (row.raw !== undefined) assert.equal(sample.rawValue, row.raw);
      assert.deepEqual(sample.tags, row.tags ?? []);
      assert.equal(sample.sampleRate, row.rate ?? 1);
      assert.equal(sample.timestampS, row.ts);
    });
  }
  for (const row of REFUSED) {
    it(`refuses ${row.line} (${SOURCE} ${row.test})`, () => {
      assert.throws(() => parseMetricLine(row.line));
    });
  }

  it("reads what hot-shots, Datadog's recommended Node client, sends (its own per-call API)", async () => {
    const fake = new DogStatsDFake();
    const { port } = await fake.listenUdp();
    const client = new StatsD({
      host: '127.0.0.1',
      port,
      datadog: false,
      includeDataDogTags: false,
    });
    const sent = (f: (done: () => void) => void) => new Promise<void>((resolve) => f(resolve));
    await sent((done) =>
      client.increment('hs.count', 3, { tags: ['a:b'], timestamp: 1657100430 }, done),
    );
    await sent((done) => client.gauge('hs.gauge', 1.25, ['x:y'], done));
    // (hot-shots samples a rate below 1 itself, at random: none here.)
    await sent((done) => client.distribution('hs.dist', 7, ['d:1'], done));
    try {
      await fake.waitForSamples(3);
    } finally {
      await new Promise<void>((resolve) => client.close(() => resolve()));
      await fake.close();
    }
    assert.deepEqual(fake.refused, []);
    const count = fake.context('hs.count', ['a:b']);
    assert.equal(count?.value, 3);
    assert.deepEqual(count?.timestamps, [1657100430]);
    assert.equal(fake.context('hs.gauge', ['x:y'])?.value, 1.25);
    assert.deepEqual(fake.context('hs.dist', ['d:1'])?.weighted, [{ value: 7, weight: 1 }]);
  });
});
