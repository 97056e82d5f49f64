import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { FaultSink } from '@otelpack/batching-core/testing';
import type { SinkFault } from '@otelpack/batching-core/testing';
import { NewRelicSpanExporter } from '../src';

/*
 * New Relic's answers as its ingest documentation gives them (docs.newrelic.com "Metric API",
 * "Log API", "Trace API": 202 accepted; 400 bad payload, 403 bad key, 404 wrong path, 413 over
 * 10^6 bytes, 429 with Retry-After; OTLP troubleshooting: 401 or 403 for a missing or bad key),
 * and what the preset makes of each: one span per row, through the SDK.
 */
const KEY = `${'0123456789abcdef'.repeat(2)}0123NRAL`;

async function oneSpan(faults: SinkFault[]) {
  const sink = await FaultSink.start({ decodeRecords: () => [{}] });
  sink.setFaults(...faults.map((fault) => ({ fault, times: 1 })));
  try {
    const exporter = new NewRelicSpanExporter({
      url: sink.url,
      auth: { apiKey: KEY },
      flushIntervalMs: 10,
      initialBackoffMs: 10,
      maxBackoffMs: 50,
    });
    const provider = new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    provider.getTracer('t').startSpan('s').end();
    await provider.shutdown();
    return { stats: exporter.stats(), requests: sink.requests.length };
  } finally {
    await sink.close();
  }
}

describe('New Relic: each documented answer', () => {
  const table: [string, SinkFault[], 'delivered' | 'rejected', number][] = [
    [
      '202 with no body (the native APIs’ accepted): delivered',
      [{ kind: 'status', status: 202, body: '' }],
      'delivered',
      1,
    ],
    [
      '400: rejected, not retried',
      [{ kind: 'status', status: 400, body: 'bad payload' }],
      'rejected',
      1,
    ],
    ['401: rejected, not retried', [{ kind: 'status', status: 401, body: '' }], 'rejected', 1],
    [
      '403: rejected, not retried',
      [{ kind: 'status', status: 403, body: 'invalid license key' }],
      'rejected',
      1,
    ],
    ['404: rejected, not retried', [{ kind: 'status', status: 404, body: '' }], 'rejected', 1],
    [
      '429 with Retry-After, then 200: delivered on the retry',
      [{ kind: 'status', status: 429, retryAfter: '0' }],
      'delivered',
      2,
    ],
    ['503, then 200: delivered on the retry', [{ kind: 'status', status: 503 }], 'delivered', 2],
    // Trace API general requirements and limits: "408 The request took too long to reach the
    // endpoint", "5xx There was a server error (please retry)"; OTLP best practices: retry
    // transient errors. OTLP alone retries neither 408 nor 500.
    ['408, then 200: delivered on the retry', [{ kind: 'status', status: 408 }], 'delivered', 2],
    ['500, then 200: delivered on the retry', [{ kind: 'status', status: 500 }], 'delivered', 2],
    ['501: rejected, not retried', [{ kind: 'status', status: 501 }], 'rejected', 1],
  ];
  for (const [what, faults, outcome, requests] of table) {
    it(what, async () => {
      const result = await oneSpan(faults);
      assert.equal(result.requests, requests);
      if (outcome === 'delivered')
        assert.equal(result.stats.delivered, 1, JSON.stringify(result.stats));
      else assert.equal(result.stats.dropped.rejected, 1, JSON.stringify(result.stats));
    });
  }

  it('413 for a single span: dropped as too_large with the reason, not retried forever', async () => {
    const result = await oneSpan([{ kind: 'status', status: 413, body: 'payload too large' }]);
    assert.equal(result.stats.dropped.too_large, 1, JSON.stringify(result.stats));
    assert.equal(result.requests, 1);
  });
});
