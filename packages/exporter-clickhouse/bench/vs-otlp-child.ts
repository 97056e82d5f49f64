/**
 * One end-to-end run of the CPU-per-record benchmark (vs-otlp.ts) in a process of its own:
 * exporter-otlp's loop and workload, with the official OTLP/HTTP protobuf exporter or this
 * package's exporter, both with their default options, into the same loopback sink.
 *
 *   node --import tsx bench/vs-otlp-child.ts <baseline|official|clickhouse> <traces|logs> <count> <sink url>
 */
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { noopExporter, runE2eChild } from '../../exporter-otlp/bench/e2e-loop';
import { ClickHouseLogRecordExporter, ClickHouseSpanExporter } from '../src/index';

export type CpuVariant = 'baseline' | 'official' | 'clickhouse';

void runE2eChild(
  (variant, signal, url) => {
    if (variant === 'baseline') return noopExporter as never;
    if (variant === 'official') {
      const options = { url: `${url}/v1/${signal}` };
      return signal === 'traces' ? new OTLPTraceExporter(options) : new OTLPLogExporter(options);
    }
    // The sink answers every request 200 with no body, as ClickHouse answers an INSERT (and an
    // empty system.columns read: the exporter's own types).
    return signal === 'traces'
      ? new ClickHouseSpanExporter({ url })
      : new ClickHouseLogRecordExporter({ url });
  },
  // With the SDK's flush between chunks (the loop's default) the exporter is drained too, so
  // that it is measured delivering, not queueing (e2e-loop.ts); with BENCH_E2E_LOOP=steady it
  // batches by its own options, as under a service's steady load.
  { drainEachChunk: process.env.BENCH_E2E_LOOP !== 'steady' },
);
