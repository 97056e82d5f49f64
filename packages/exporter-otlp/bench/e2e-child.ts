/**
 * One end-to-end run of this package's benchmark in a process of its own (see e2e-loop.ts).
 *
 *   node --import tsx bench/e2e-child.ts <variant> <traces|logs> <count> <sink url>
 *
 * Another package's exporter runs in the same harness as `module:<path>`: that module exports
 * `createExporter(signal, sinkUrl)` (exporter-elasticsearch's bench/otlp-sink-exporter.ts).
 */
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OtlpLogRecordExporter, OtlpSpanExporter } from '@otelpack/exporter-otlp';
import { noopExporter, runE2eChild } from './e2e-loop';

export type Variant =
  'baseline' | 'ours-gzip' | 'ours-none' | 'official-gzip' | 'official-none' | `module:${string}`;

type ExternalFactory = (signal: 'traces' | 'logs', url: string) => SpanExporter | LogRecordExporter;

void runE2eChild((variant, kind, url) => {
  if (variant.startsWith('module:')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createExporter } = require(variant.slice('module:'.length)) as {
      createExporter: ExternalFactory;
    };
    return createExporter(kind, url);
  }
  const compression = variant.endsWith('gzip') ? 'gzip' : 'none';
  if (variant === 'baseline') return noopExporter as never;
  if (variant.startsWith('ours')) {
    const options = { url, compression, maxQueueItems: 200_000 } as const;
    return kind === 'traces' ? new OtlpSpanExporter(options) : new OtlpLogRecordExporter(options);
  }
  const options = { url: `${url}/v1/${kind}`, compression } as never;
  return kind === 'traces' ? new OTLPTraceExporter(options) : new OTLPLogExporter(options);
});
