/**
 * One end-to-end run, in a process of its own: the SDK (BatchSpanProcessor or
 * BatchLogRecordProcessor, default settings) with one exporter variant, `count` items, then
 * shutdown (everything delivered), after a warm-up of the same kind. Prints the process's CPU
 * time for the measured part as JSON.
 *
 *   node --import tsx bench/e2e-child.ts <variant> <traces|logs> <count> <sink url>
 */
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OtlpLogRecordExporter, OtlpSpanExporter } from '@otelpack/exporter-otlp';
import { emitLogs, emitSpans, resource } from './workload';

export type Variant = 'baseline' | 'ours-gzip' | 'ours-none' | 'official-gzip' | 'official-none';

const [variant, signal, countText, url] = process.argv.slice(2) as [
  Variant,
  'traces' | 'logs',
  string,
  string,
];
const count = Number(countText);
/** Items handed to the SDK between two flushes: the processor's queue (2,048) never overflows. */
const CHUNK = 1_024;
const WARM_UP = 8 * CHUNK;

/** The SDK's own cost: an exporter that takes everything and does nothing. */
const noop = {
  export: (_items: unknown[], done: (result: { code: number }) => void) => done({ code: 0 }),
  shutdown: async () => undefined,
  forceFlush: async () => undefined,
};

function exporterFor(kind: 'traces' | 'logs'): SpanExporter | LogRecordExporter {
  const compression = variant.endsWith('gzip') ? 'gzip' : 'none';
  if (variant === 'baseline') return noop as never;
  if (variant.startsWith('ours')) {
    const options = { url, compression, maxQueueItems: 200_000 } as const;
    return kind === 'traces' ? new OtlpSpanExporter(options) : new OtlpLogRecordExporter(options);
  }
  const options = { url: `${url}/v1/${kind}`, compression } as never;
  return kind === 'traces' ? new OTLPTraceExporter(options) : new OTLPLogExporter(options);
}

async function main(): Promise<void> {
  const exporter = exporterFor(signal);
  let ownStats: (() => unknown) | undefined;
  if ('stats' in exporter) ownStats = () => (exporter as OtlpSpanExporter).stats();
  const provider =
    signal === 'traces'
      ? new BasicTracerProvider({
          resource,
          spanProcessors: [new BatchSpanProcessor(exporter as SpanExporter)],
        })
      : new LoggerProvider({
          resource,
          processors: [new BatchLogRecordProcessor({ exporter: exporter as LogRecordExporter })],
        });
  const emit = (n: number, offset: number) =>
    signal === 'traces'
      ? emitSpans(provider as BasicTracerProvider, n, offset)
      : emitLogs(provider as LoggerProvider, n, offset);
  // Warm-up, not measured: modules loaded on first use, the JIT, the first connection. The
  // steady state is what a long-running service pays per item.
  for (let done = 0; done < WARM_UP; done += CHUNK) {
    emit(CHUNK, done);
    await provider.forceFlush();
  }
  await exporter.forceFlush?.();
  const before = process.cpuUsage();
  const started = performance.now();
  for (let done = 0; done < count; done += CHUNK) {
    emit(Math.min(CHUNK, count - done), WARM_UP + done);
    await provider.forceFlush();
    // A service returns to its event loop between requests; a loop that never did would let
    // no response in, and an exporter that does not wait for its responses (ours: the core's
    // queue) would be measured holding the whole run in a backlog, which no service does.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await provider.shutdown();
  const cpu = process.cpuUsage(before);
  process.stdout.write(
    `${JSON.stringify({
      cpuUs: cpu.user + cpu.system,
      wallMs: performance.now() - started,
      stats: ownStats?.(),
    })}\n`,
  );
}

void main();
