/**
 * One end-to-end run of this package's benchmark in a process of its own (see e2e-loop.ts).
 *
 *   node --import tsx bench/e2e-child.ts <variant> <traces|logs> <count> <sink url>
 */
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OtlpLogRecordExporter, OtlpSpanExporter } from '@otelpack/exporter-otlp';
import { noopExporter, runE2eChild } from './e2e-loop';

export type Variant = 'baseline' | 'ours-gzip' | 'ours-none' | 'official-gzip' | 'official-none';

void runE2eChild((variant, kind, url) => {
  const compression = variant.endsWith('gzip') ? 'gzip' : 'none';
  if (variant === 'baseline') return noopExporter as never;
  if (variant.startsWith('ours')) {
    const options = { url, compression, maxQueueItems: 200_000 } as const;
    return kind === 'traces' ? new OtlpSpanExporter(options) : new OtlpLogRecordExporter(options);
  }
  const options = { url: `${url}/v1/${kind}`, compression } as never;
  return kind === 'traces' ? new OTLPTraceExporter(options) : new OTLPLogExporter(options);
});
