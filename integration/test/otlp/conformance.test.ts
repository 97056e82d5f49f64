import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  OtlpLogRecordExporter,
  OtlpMetricExporter,
  OtlpSpanExporter,
} from '@otelpack/exporter-otlp';
import { SCOPE_HEADER } from '../../src/fakes/otlp-fake';
import type { OtlpSignal } from '../../src/protocols/otlp';
import {
  sdkLogs,
  sdkMetrics,
  sdkSpans,
} from '../../../packages/exporter-otlp/test/helpers/sdk-data';
import { newScope, receiverUrl, storedRequests } from './helpers';

/*
 * FAKE only (it reads back what was decoded): the same SDK data through the official OTLP
 * exporters (@opentelemetry/exporter-{trace,logs,metrics}-otlp-proto) and through ours, over
 * HTTP into otelpack's OTLP receiver fake, which decodes both with the official .proto files:
 * the decoded requests must be equal. The data has every attribute type, events, links,
 * statuses, dropped counts, trace state, remote parents, every log body kind and event names,
 * and every metric point kind the JS SDK makes (exporter-otlp's test/helpers/sdk-data.ts).
 */

interface AnyExporter {
  export(items: never, done: (result: { code: number; error?: Error }) => void): void;
  shutdown(): Promise<void>;
}

async function exportOnce(exporter: AnyExporter, items: unknown): Promise<void> {
  const result = await new Promise<{ code: number; error?: Error }>((resolve) =>
    exporter.export(items as never, resolve),
  );
  assert.equal(result.code, 0, String(result.error));
  await exporter.shutdown();
}

const OFFICIAL = {
  traces: (url: string, headers: Record<string, string>) =>
    new OTLPTraceExporter({ url: `${url}/v1/traces`, headers }),
  logs: (url: string, headers: Record<string, string>) =>
    new OTLPLogExporter({ url: `${url}/v1/logs`, headers }),
  metrics: (url: string, headers: Record<string, string>) =>
    new OTLPMetricExporter({ url: `${url}/v1/metrics`, headers }),
};
const OURS = {
  traces: (url: string, headers: Record<string, string>) => new OtlpSpanExporter({ url, headers }),
  logs: (url: string, headers: Record<string, string>) =>
    new OtlpLogRecordExporter({ url, headers }),
  metrics: (url: string, headers: Record<string, string>) =>
    new OtlpMetricExporter({ url, headers }),
};

describe('conformance: our exporter and the official one, into the same receiver', () => {
  for (const signal of ['traces', 'logs', 'metrics'] as const) {
    it(`${signal}: the receiver decodes the same messages`, async (t) => {
      const receiver = await receiverUrl(t, true);
      if (!receiver) return;
      const items: unknown =
        signal === 'traces' ? sdkSpans() : signal === 'logs' ? sdkLogs() : await sdkMetrics();
      const decoded: Record<string, unknown>[] = [];
      for (const make of [OFFICIAL[signal], OURS[signal]]) {
        const scope = newScope();
        await exportOnce(make(receiver.url, { [SCOPE_HEADER]: scope }) as AnyExporter, items);
        const requests = await storedRequests(receiver.url, signal as OtlpSignal, scope);
        assert.equal(requests.length, 1, `${requests.length} requests for one export`);
        decoded.push(requests[0].request);
      }
      assert.deepEqual(decoded[1], decoded[0]);
    });
  }
});
