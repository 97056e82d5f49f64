/**
 * The exporter each variant of this package's end-to-end benchmarks names (e2e-child.ts runs
 * one per process, paired-e2e.ts three side by side): the official exporter or ours, with or
 * without gzip, the no-op baseline, or another package's exporter as `module:<path>` (a module
 * exporting `createExporter(signal, sinkUrl)`, e.g. exporter-elasticsearch's
 * bench/otlp-sink-exporter.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { FsyncPolicy } from '@otelpack/batching-core';
import { OtlpLogRecordExporter, OtlpSpanExporter } from '@otelpack/exporter-otlp';
import { noopExporter } from './e2e-loop';
import type { E2eSignal } from './e2e-loop';

export type Variant =
  | 'baseline'
  | 'ours-gzip'
  | 'ours-none'
  | 'official-gzip'
  | 'official-none'
  | `ours-none-spool-${FsyncPolicy}`
  | `module:${string}`;

/**
 * `ours-none-spool-<fsync>`: ours with the core's disk spool in a fresh directory under the
 * system's temporary one, removed when the process exits (spool-e2e.ts).
 */
function spoolOption(variant: string): { directory: string; fsync: FsyncPolicy } | undefined {
  const match = /-spool-(always|interval|never)$/.exec(variant);
  if (!match) return undefined;
  const directory = mkdtempSync(join(tmpdir(), 'otelpack-bench-spool-e2e-'));
  process.once('exit', () => rmSync(directory, { recursive: true, force: true }));
  return { directory, fsync: match[1] as FsyncPolicy };
}

type ExternalFactory = (signal: E2eSignal, url: string) => SpanExporter | LogRecordExporter;

export function otlpVariantExporter(
  variant: string,
  kind: E2eSignal,
  url: string,
): SpanExporter | LogRecordExporter {
  if (variant.startsWith('module:')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createExporter } = require(variant.slice('module:'.length)) as {
      createExporter: ExternalFactory;
    };
    return createExporter(kind, url);
  }
  const compression = variant.includes('gzip') ? 'gzip' : 'none';
  if (variant === 'baseline') return noopExporter as never;
  if (variant.startsWith('ours')) {
    const spool = spoolOption(variant);
    const options = { url, compression, ...(spool ? { spool } : {}) } as const;
    return kind === 'traces' ? new OtlpSpanExporter(options) : new OtlpLogRecordExporter(options);
  }
  const options = { url: `${url}/v1/${kind}`, compression } as never;
  return kind === 'traces' ? new OTLPTraceExporter(options) : new OTLPLogExporter(options);
}
