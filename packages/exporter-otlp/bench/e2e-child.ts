/**
 * One end-to-end run of this package's benchmark in a process of its own (see e2e-loop.ts).
 *
 *   node --import tsx bench/e2e-child.ts <variant> <traces|logs> <count> <sink url>
 *
 * Another package's exporter runs in the same harness as `module:<path>`: that module exports
 * `createExporter(signal, sinkUrl)` (exporter-elasticsearch's bench/otlp-sink-exporter.ts).
 */
import { otlpVariantExporter } from './e2e-exporters';
import { runE2eChild } from './e2e-loop';

export type { Variant } from './e2e-exporters';

// BENCH_E2E_DRAIN=1: every variant delivers each chunk before the next (e2e-loop.ts's
// drainEachChunk), as the official exporters do by themselves.
void runE2eChild(otlpVariantExporter, { drainEachChunk: process.env.BENCH_E2E_DRAIN === '1' });
