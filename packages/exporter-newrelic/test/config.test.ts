import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { AggregationTemporality, InvalidConfigError } from '@otelpack/batching-core';
import type { InstrumentType } from '@otelpack/batching-core';
import { captureDiagWarnings } from '@otelpack/batching-core/testing';
import {
  NEW_RELIC_OPTIONS,
  NewRelicMetricExporter,
  NewRelicSpanExporter,
  newRelicConfig,
  newRelicTemporality,
  regionOfKey,
} from '../src';
import type { NewRelicExporterOptions } from '../src';

/*
 * Key shapes from docs.newrelic.com "New Relic API keys" (license keys are 40 characters, the
 * newer ones ending in NRAL; user keys NRAK-, browser keys NRJS-, Insights insert keys NRII-)
 * and the EU prefix New Relic's agents read (`eu01xx…`, as in the Node agent's
 * lib/collector/facts and config handling of license_key regions).
 */
const US_KEY = `${'0123456789abcdef'.repeat(2)}0123NRAL`;
const EU_KEY = `eu01xx${'a1b2c3d4e5'.repeat(3)}NRAL`;
const LEGACY_KEY = 'f'.repeat(40);
const VARIABLES = ['NEW_RELIC_LICENSE_KEY', 'NEW_RELIC_REGION'];

afterEach(() => {
  for (const name of VARIABLES) delete process.env[name];
});

/** No run of 4 or more of the key's characters in the text, in any case. */
function assertNoKeyText(text: string, key: string): void {
  const lower = text.toLowerCase();
  for (let i = 0; i + 4 <= key.length; i++) {
    const part = key.slice(i, i + 4).toLowerCase();
    assert.ok(!lower.includes(part), `"${part}", from the key, is in: ${text}`);
  }
}

function config(
  options: NewRelicExporterOptions,
  signal: 'traces' | 'logs' | 'metrics' = 'traces',
) {
  return newRelicConfig(NEW_RELIC_OPTIONS.resolve(options, signal));
}

describe('New Relic: the license key is checked at construction', () => {
  for (const [what, key] of [
    ['a key ending in NRAL', US_KEY],
    ['an EU key', EU_KEY],
    ['an older 40-hex key', LEGACY_KEY],
  ] as const) {
    it(`takes ${what}, sent as the api-key header`, () => {
      assert.equal(key.length, 40);
      assert.equal(config({ auth: { apiKey: key } }).headers['api-key'], key);
    });
  }

  const refused: [string, string, RegExp][] = [
    ['an Insights insert key', `NRII-${'k'.repeat(32)}`, /Insights insert key.*Event API/],
    ['a user key', `NRAK-${'K'.repeat(27)}`, /user key.*NerdGraph/],
    ['a browser key', `NRJS-${'k'.repeat(19)}`, /browser key/],
    ['39 characters', US_KEY.slice(1), /40 letters and digits; this one has 39 characters/],
    ['41 characters', `${US_KEY}a`, /this one has 41 characters/],
    [
      'a space inside (a pasted line break is trimmed from variables)',
      `${US_KEY.slice(0, 20)} ${US_KEY.slice(21)}`,
      /whitespace/,
    ],
    ['punctuation', `${US_KEY.slice(1)}-`, /40 characters and others/],
  ];
  for (const [what, key, message] of refused) {
    it(`refuses ${what}, naming the source, never echoing the key`, () => {
      for (const [options, source] of [
        [{ auth: { apiKey: key } }, 'auth.apiKey'],
        [{}, 'NEW_RELIC_LICENSE_KEY'],
      ] as const) {
        if (source === 'NEW_RELIC_LICENSE_KEY') process.env.NEW_RELIC_LICENSE_KEY = key;
        assert.throws(
          () => new NewRelicSpanExporter(options),
          (error: unknown) => {
            assert.ok(error instanceof InvalidConfigError);
            assertNoKeyText(error.message, key);
            return error.option === source && message.test(error.message);
          },
        );
      }
    });
  }

  it('no key for New Relic: constructed, and said once at ERROR; a receiver of your own needs none', async () => {
    const log = captureDiagWarnings();
    const errors = log.lines;
    try {
      const exporter = new NewRelicSpanExporter();
      await exporter.shutdown();
      assert.equal(
        errors.filter((e) => /NEW_RELIC_LICENSE_KEY/.test(e)).length,
        1,
        errors.join('\n'),
      );
      assert.equal(config({ url: 'http://collector:4318' }).headers['api-key'], undefined);
      assert.equal(errors.length, 1, errors.join('\n'));
    } finally {
      log.stop();
    }
  });
});

// New Relic's OTLP page sets the key as an `api-key` header; NEW_RELIC_LICENSE_KEY is often set
// for the APM agent in the same process, possibly another account's key.
describe('New Relic: the key given as an api-key header', () => {
  const OTHER_US_KEY = `${'fedcba9876543210'.repeat(2)}9999NRAL`;

  it('a header given in code is the key: the variable does not replace it, whatever its case', () => {
    process.env.NEW_RELIC_LICENSE_KEY = OTHER_US_KEY;
    for (const name of ['api-key', 'Api-Key', 'API-KEY']) {
      const headers = config({ headers: { [name]: US_KEY } }).headers;
      const keys = Object.entries(headers).filter(([header]) => header.toLowerCase() === 'api-key');
      assert.deepEqual(keys, [['api-key', US_KEY]], name);
    }
  });

  it('a key in the header is checked and chooses the region like auth; no "no key" error', async () => {
    const log = captureDiagWarnings();
    try {
      await new NewRelicSpanExporter({ headers: { 'api-key': US_KEY } }).shutdown();
      assert.deepEqual(log.lines, []);
    } finally {
      log.stop();
    }
    assert.equal(
      config({ headers: { 'api-key': EU_KEY } }).endpoints[0].url.href,
      'https://otlp.eu01.nr-data.net/v1/traces',
    );
    assert.throws(
      () => config({ headers: { 'api-key': 'NRAK-ABCDEFGHIJKLMNOPQRSTUVWXYZ0' } }),
      (error: unknown) =>
        error instanceof InvalidConfigError &&
        /headers \(api-key\)/.test(error.message) &&
        !error.message.includes('NRAK-ABCDEFGHIJKLMNOPQRSTUVWXYZ0'),
    );
  });

  it('an Authorization header in code (a gateway of yours) still keeps the variable’s key out', () => {
    process.env.NEW_RELIC_LICENSE_KEY = OTHER_US_KEY;
    const headers = config({
      url: 'https://gateway.example.com',
      headers: { Authorization: 'Bearer gateway-token' },
    }).headers;
    assert.deepEqual(headers, { authorization: 'Bearer gateway-token' });
  });

  it('auth given with a header of the key: one header, auth’s key', () => {
    const headers = config({
      auth: { apiKey: US_KEY },
      headers: { 'Api-Key': OTHER_US_KEY },
    }).headers;
    assert.deepEqual(
      Object.entries(headers).filter(([header]) => header.toLowerCase() === 'api-key'),
      [['api-key', US_KEY]],
    );
  });
});

describe('New Relic: endpoints per region', () => {
  const table: [NewRelicExporterOptions, 'traces' | 'logs' | 'metrics', string][] = [
    [{ auth: { apiKey: US_KEY } }, 'traces', 'https://otlp.nr-data.net/v1/traces'],
    [{ auth: { apiKey: US_KEY } }, 'logs', 'https://otlp.nr-data.net/v1/logs'],
    [{ auth: { apiKey: US_KEY } }, 'metrics', 'https://otlp.nr-data.net/v1/metrics'],
    [
      { auth: { apiKey: US_KEY }, region: 'eu' },
      'traces',
      'https://otlp.eu01.nr-data.net/v1/traces',
    ],
    [{ auth: { apiKey: EU_KEY } }, 'logs', 'https://otlp.eu01.nr-data.net/v1/logs'],
    [
      { auth: { apiKey: EU_KEY }, region: 'eu' },
      'metrics',
      'https://otlp.eu01.nr-data.net/v1/metrics',
    ],
    [
      { auth: { apiKey: US_KEY }, region: 'fedramp' },
      'traces',
      'https://gov-otlp.nr-data.net/v1/traces',
    ],
    [{ url: 'http://collector:4318' }, 'logs', 'http://collector:4318/v1/logs'],
    [{ url: 'http://gateway:8080/custom/path' }, 'traces', 'http://gateway:8080/custom/path'],
  ];
  for (const [options, signal, expected] of table) {
    it(`${JSON.stringify(options.url ?? options.region ?? '(key)')} ${signal} → ${expected}`, () => {
      assert.deepEqual(
        config(options, signal).endpoints.map((e) => e.url.href),
        [expected],
      );
    });
  }

  it('NEW_RELIC_REGION is read, case-insensitively; a bad region names the variable', () => {
    process.env.NEW_RELIC_REGION = 'EU';
    assert.equal(
      config({ auth: { apiKey: US_KEY } }).endpoints[0].url.host,
      'otlp.eu01.nr-data.net',
    );
    process.env.NEW_RELIC_REGION = 'apac';
    assert.throws(
      () => config({ auth: { apiKey: US_KEY } }),
      (error: unknown) =>
        error instanceof InvalidConfigError && error.option === 'NEW_RELIC_REGION',
    );
  });

  it('an EU key with region us or fedramp is refused, naming the region, never echoing the key', () => {
    for (const [options, source] of [
      [{ auth: { apiKey: EU_KEY }, region: 'us' }, 'region'],
      [{ auth: { apiKey: EU_KEY }, region: 'fedramp' }, 'region'],
      [{ region: 'us' }, 'region'],
    ] as const) {
      process.env.NEW_RELIC_LICENSE_KEY = EU_KEY;
      assert.throws(
        () => config(options),
        (error: unknown) => {
          assert.ok(error instanceof InvalidConfigError);
          assertNoKeyText(error.message, EU_KEY);
          return error.option === source && /an EU account's key/.test(error.message);
        },
      );
    }
  });

  it('regionOfKey reads the eu01x prefix only', () => {
    assert.deepEqual(
      [EU_KEY, 'EU01XX' + EU_KEY.slice(6), US_KEY, LEGACY_KEY, 'eu1xx'.padEnd(40, 'a')].map(
        regionOfKey,
      ),
      ['eu', 'eu', undefined, undefined, undefined],
    );
  });
});

describe('New Relic: temporality', () => {
  // docs.newrelic.com "OpenTelemetry metrics in New Relic": delta preferred; a non-monotonic delta
  // sum is not supported. So up-down counters (and gauges) stay cumulative.
  const expected: [InstrumentType, AggregationTemporality][] = [
    ['COUNTER', AggregationTemporality.DELTA],
    ['OBSERVABLE_COUNTER', AggregationTemporality.DELTA],
    ['HISTOGRAM', AggregationTemporality.DELTA],
    ['UP_DOWN_COUNTER', AggregationTemporality.CUMULATIVE],
    ['OBSERVABLE_UP_DOWN_COUNTER', AggregationTemporality.CUMULATIVE],
    ['GAUGE', AggregationTemporality.CUMULATIVE],
    ['OBSERVABLE_GAUGE', AggregationTemporality.CUMULATIVE],
  ];
  it('the default: delta for counters and histograms, cumulative for up-down counters and gauges', async () => {
    const exporter = new NewRelicMetricExporter({ url: 'http://127.0.0.1:9' });
    try {
      for (const [type, temporality] of expected) {
        assert.equal(newRelicTemporality(type), temporality, type);
        assert.equal(exporter.selectAggregationTemporality(type as never), temporality, type);
      }
    } finally {
      await exporter.shutdown();
    }
  });

  it('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE still chooses', async () => {
    process.env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE = 'cumulative';
    const exporter = new NewRelicMetricExporter({ url: 'http://127.0.0.1:9' });
    try {
      assert.equal(
        exporter.selectAggregationTemporality('COUNTER' as never),
        AggregationTemporality.CUMULATIVE,
      );
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE;
      await exporter.shutdown();
    }
  });
});
