import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { InvalidConfigError } from '@otelpack/batching-core';
import { FaultSink } from '@otelpack/batching-core/testing';
import { decodeProtobufRequest } from '../../../integration/src/protocols/otlp';
import { LIGHTSTEP_OPTIONS, LightstepSpanExporter, lightstepConfig } from '../src';
import type { LightstepExporterOptions } from '../src';

const TOKEN = 'x'.repeat(32);
const VARIABLES = ['LS_ACCESS_TOKEN', 'LS_SERVICE_NAME', 'LS_SERVICE_VERSION'];

afterEach(() => {
  for (const name of VARIABLES) delete process.env[name];
});

function config(options: LightstepExporterOptions, signal: 'traces' | 'metrics' = 'traces') {
  return lightstepConfig(LIGHTSTEP_OPTIONS.resolve(options, signal));
}

/** diag's ERROR lines from now until diag.disable(). */
function captureErrors(): string[] {
  const errors: string[] = [];
  const ignore = () => undefined;
  diag.setLogger(
    {
      error: (message: string) => errors.push(message),
      warn: ignore,
      info: ignore,
      debug: ignore,
      verbose: ignore,
    },
    DiagLogLevel.ERROR,
  );
  return errors;
}

describe('Lightstep: the access token is checked at construction', () => {
  for (const length of [32, 84, 104]) {
    it(`a token of ${length} characters is taken, and sent as lightstep-access-token`, () => {
      const token = 'k'.repeat(length);
      assert.equal(config({ auth: { token } }).headers['lightstep-access-token'], token);
    });
  }

  for (const [what, token] of [
    ['31 characters', 'k'.repeat(31)],
    ['33 characters', 'k'.repeat(33)],
    ['a Bearer prefix', `Bearer ${'k'.repeat(25)}`],
    ['a trailing newline', `${'k'.repeat(31)}\n`],
  ] as const) {
    it(`refuses ${what}, naming the source and never echoing the token`, () => {
      for (const [options, source] of [
        [{ auth: { token } }, 'auth.token'],
        [{}, 'LS_ACCESS_TOKEN'],
      ] as const) {
        if (source === 'LS_ACCESS_TOKEN') process.env.LS_ACCESS_TOKEN = token;
        assert.throws(
          () => new LightstepSpanExporter(options),
          (error: unknown) =>
            error instanceof InvalidConfigError &&
            error.option === source &&
            /32, 84, 104 characters/.test(error.message) &&
            !error.message.includes(token.trim()),
        );
      }
    });
  }

  it('no token for the ingest: constructed, and said at ERROR; a receiver of your own (url) needs none', async () => {
    const errors = captureErrors();
    try {
      const exporter = new LightstepSpanExporter();
      await exporter.shutdown();
      assert.equal(
        errors.filter((e) => /no access token/.test(e) && /LS_ACCESS_TOKEN/.test(e)).length,
        1,
      );
      assert.equal(
        config({ url: 'http://collector:4318' }).headers['lightstep-access-token'],
        undefined,
      );
      assert.equal(errors.length, 1, errors.join('\n'));
    } finally {
      diag.disable();
    }
  });
});

describe('Lightstep: the token given as its header', () => {
  it('a lightstep-access-token header given in code is the token: LS_ACCESS_TOKEN does not replace it', () => {
    process.env.LS_ACCESS_TOKEN = `ENV-${'e'.repeat(80)}`;
    const code = `CODE-${'c'.repeat(80)}`;
    for (const name of ['lightstep-access-token', 'Lightstep-Access-Token']) {
      assert.deepEqual(config({ headers: { [name]: code } }).headers, {
        'lightstep-access-token': code,
      });
    }
    // An Authorization header of a gateway of yours keeps it out too.
    assert.deepEqual(
      config({ url: 'https://gateway.example.com', headers: { authorization: 'Bearer g' } })
        .headers,
      { authorization: 'Bearer g' },
    );
  });
});

describe('Lightstep: endpoints', () => {
  const table: [LightstepExporterOptions, 'traces' | 'metrics', string][] = [
    [{ auth: { token: TOKEN } }, 'traces', 'https://ingest.lightstep.com/traces/otlp/v0.9'],
    [{ auth: { token: TOKEN } }, 'metrics', 'https://ingest.lightstep.com/metrics/otlp/v0.9'],
    [
      { auth: { token: TOKEN }, region: 'eu' },
      'traces',
      'https://ingest.eu.lightstep.com/traces/otlp/v0.9',
    ],
    [
      { auth: { token: TOKEN }, region: 'eu' },
      'metrics',
      'https://ingest.eu.lightstep.com/metrics/otlp/v0.9',
    ],
    [{ url: 'http://satellite:8080' }, 'traces', 'http://satellite:8080/traces/otlp/v0.9'],
    [{ url: 'http://collector:4318/v1/traces' }, 'traces', 'http://collector:4318/v1/traces'],
  ];
  for (const [options, signal, expected] of table) {
    it(`${JSON.stringify(options.url ?? options.region ?? 'us')} ${signal} → ${expected}`, () => {
      assert.deepEqual(
        config(options as LightstepExporterOptions, signal).endpoints.map((e) => e.url.href),
        [expected],
      );
    });
  }
});

/** Spans through the exporter into a FaultSink that keeps the decoded requests. */
async function sendTo(
  sink: FaultSink,
  options: LightstepExporterOptions,
  resource: Record<string, string>,
) {
  const exporter = new LightstepSpanExporter({ url: sink.url, flushIntervalMs: 10, ...options });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.getTracer('t').startSpan('s').end();
  await provider.shutdown();
  return exporter;
}

describe('Lightstep: LS_SERVICE_NAME and LS_SERVICE_VERSION, only where the resource lacks them', () => {
  it('fills a missing or default service.name and a missing version; keeps those the resource has', async () => {
    const sink = await FaultSink.start({
      decodeRecords: (body) => [decodeProtobufRequest('traces', body)],
    });
    try {
      process.env.LS_SERVICE_NAME = 'from-env';
      process.env.LS_SERVICE_VERSION = '9.9.9';
      await sendTo(sink, {}, { 'service.name': 'unknown_service:node' });
      await sendTo(sink, {}, { 'service.name': 'checkout', 'service.version': '1.0.0' });
      const resources = sink.records.map((request) => {
        const attributes = (
          request as {
            resourceSpans: {
              resource: { attributes: { key: string; value: { stringValue: string } }[] };
            }[];
          }
        ).resourceSpans[0].resource.attributes;
        return Object.fromEntries(attributes.map((a) => [a.key, a.value.stringValue]));
      });
      assert.deepEqual(resources, [
        { 'service.name': 'from-env', 'service.version': '9.9.9' },
        { 'service.name': 'checkout', 'service.version': '1.0.0' },
      ]);
    } finally {
      await sink.close();
    }
  });
});

describe('Lightstep: a refused token', () => {
  it('a 403 is reported once at ERROR with what to check; the batches count as rejected', async () => {
    const errors = captureErrors();
    const sink = await FaultSink.start({ decodeRecords: () => [] });
    sink.setFaults({ fault: { kind: 'status', status: 403, body: 'forbidden' } });
    try {
      const token = 'z'.repeat(32);
      const exporter = new LightstepSpanExporter({
        url: sink.url,
        auth: { token },
        flushIntervalMs: 10,
      });
      const provider = new BasicTracerProvider({
        spanProcessors: [new BatchSpanProcessor(exporter)],
      });
      for (const name of ['first', 'second']) {
        provider.getTracer('t').startSpan(name).end();
        await provider.forceFlush();
        await exporter.forceFlush();
      }
      assert.equal(exporter.stats().dropped.rejected, 2);
      assert.equal(sink.requests.length, 2);
      await provider.shutdown();
      const reports = errors.filter((e) => /refused the access token/.test(e));
      assert.equal(reports.length, 1, errors.join('\n'));
      assert.match(reports[0], /HTTP 403/);
      assert.match(reports[0], /LS_ACCESS_TOKEN/);
      assert.match(reports[0], /region/);
      assert.ok(!reports[0].includes(token), 'the token is in the report');
      assert.equal(sink.requests[0].headers['lightstep-access-token'], token);
    } finally {
      diag.disable();
      await sink.close();
    }
  });
});
