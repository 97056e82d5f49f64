/**
 * `npm run bench` for @otelpack/exporter-otlp, against the official OTLP/HTTP protobuf
 * exporters as the anchor, measured in the same run. Printed as tables and written to
 * bench/results/latest.json:
 *
 * 1. Encode throughput (items/s): the same SDK spans and log records, 512 per request, through
 *    the official serializer (@opentelemetry/otlp-transformer's ProtobufTraceSerializer /
 *    ProtobufLogsSerializer, what the official exporters call) and through this package's mapping
 *    and request encoder (what its exporter does to a record: encode it when handed over, then
 *    concatenate). Alternating rounds in one process; the ratio is the figure.
 * 2. Bytes on the wire per span / log record, gzip and not, from the loopback sink.
 * 3. End to end: the SDK's batch processor with each exporter, into one loopback sink (a process
 *    of its own), each run a fresh process whose CPU time (process.cpuUsage) is taken from the
 *    first item to the end of shutdown. A no-op exporter gives the SDK's own cost, so the
 *    exporter's share (run − baseline) is compared too. Runs alternate between variants.
 *
 * Nothing here gates anything: absolute figures say more about the machine than about the code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { renderTable } from '../../batching-core/bench/lib/table';
import { halfIqr, median, round, spread, throughput } from '../../batching-core/bench/lib/stats';
import { ProtobufCodec, logMapping, spanMapping } from '@otelpack/exporter-otlp';
import type { OtlpRecord } from '@otelpack/exporter-otlp';
import type { Variant } from './e2e-child';
import { runVariants, startSink } from './e2e-harness';
import type { Sink } from './e2e-harness';
import { emitLogs, emitSpans, resource } from './workload';

const BATCH = 512;
const ENCODE_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = 300;
const E2E_ITEMS = Number(process.env.BENCH_E2E_ITEMS ?? 160_000);
const E2E_ROUNDS = Number(process.env.BENCH_E2E_ROUNDS ?? 5);

function sdkSpans(count: number): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  emitSpans(provider, count);
  return exporter.getFinishedSpans();
}

function sdkLogs(count: number): ReadableLogRecord[] {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource,
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  emitLogs(provider, count);
  return exporter.getFinishedLogRecords();
}

interface EncodeResult {
  signal: string;
  officialPerSec: number;
  oursPerSec: number;
  ratio: number;
  spread: number;
  officialBytes: number;
  oursBytes: number;
}

function encodeBench(): EncodeResult[] {
  const cases = [
    {
      signal: 'traces',
      items: sdkSpans(BATCH),
      official: (items: unknown[]) =>
        ProtobufTraceSerializer.serializeRequest(items as ReadableSpan[]) as Uint8Array,
      mapping: () => spanMapping(new ProtobufCodec()),
    },
    {
      signal: 'logs',
      items: sdkLogs(BATCH),
      official: (items: unknown[]) =>
        ProtobufLogsSerializer.serializeRequest(items as ReadableLogRecord[]) as Uint8Array,
      mapping: () => logMapping(new ProtobufCodec()),
    },
  ];
  return cases.map(({ signal, items, official, mapping }) => {
    const codec = new ProtobufCodec();
    // One mapping for the whole run, as one exporter has: resource and scope are encoded once.
    const ours = mapping() as { map(items: unknown[]): { records: OtlpRecord[] } };
    const oursEncode = () => codec.request(ours.map(items).records);
    const theirs: number[] = [];
    const mine: number[] = [];
    for (let round = 0; round < ENCODE_ROUNDS; round++) {
      theirs.push(throughput(items.length, () => official(items), ROUND_MS));
      mine.push(throughput(items.length, oursEncode, ROUND_MS));
    }
    const ratios = mine.map((value, i) => value / theirs[i]);
    return {
      signal,
      officialPerSec: Math.round(median(theirs)),
      oursPerSec: Math.round(median(mine)),
      ratio: round(median(ratios)),
      spread: round(spread(ratios)),
      officialBytes: round(official(items).length / items.length, 1),
      oursBytes: round(oursEncode().length / items.length, 1),
    };
  });
}

interface E2eRow {
  signal: string;
  variant: Variant;
  cpuUsPerItem: number;
  exporterCpuUsPerItem: number;
  wireBytesPerItem: number;
  spread: number;
  /**
   * Ours only: the exporter share over the official exporter's (same compression), round by
   * round (processes minutes apart at most, so the machine's drift touches both alike); median
   * and IQR/2.
   */
  shareRatio?: number;
  shareRatioHalfIqr?: number;
}

async function e2eBench(sink: Sink): Promise<E2eRow[]> {
  const variants: Variant[] = [
    'baseline',
    'official-none',
    'ours-none',
    'official-gzip',
    'ours-gzip',
  ];
  const rows: E2eRow[] = [];
  for (const signal of ['traces', 'logs'] as const) {
    const runs = await runVariants(
      sink,
      join(__dirname, 'e2e-child.ts'),
      variants,
      signal,
      E2E_ITEMS,
      E2E_ROUNDS,
    );
    const cpu = new Map(variants.map((v) => [v, runs.get(v)?.cpuUsPerItem ?? []]));
    const bytes = new Map(variants.map((v) => [v, runs.get(v)?.wireBytesPerItem ?? 0]));
    const baseline = cpu.get('baseline') ?? [];
    const base = median(baseline);
    const shares = (variant: Variant) => (cpu.get(variant) ?? []).map((x, r) => x - baseline[r]);
    for (const variant of variants) {
      const values = cpu.get(variant) ?? [];
      const row: E2eRow = {
        signal,
        variant,
        cpuUsPerItem: round(median(values), 2),
        exporterCpuUsPerItem: round(median(values) - base, 2),
        wireBytesPerItem: round(bytes.get(variant) ?? 0, 1),
        spread: round(spread(values)),
      };
      if (variant.startsWith('ours')) {
        const official = shares(variant.replace('ours', 'official') as Variant);
        const ratios = shares(variant).map((share, r) => share / official[r]);
        row.shareRatio = round(median(ratios));
        row.shareRatioHalfIqr = round(halfIqr(ratios));
      }
      rows.push(row);
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const encode = encodeBench();
  process.stdout.write(
    `${renderTable(
      `Encode throughput, ${BATCH} items per request (median of ${ENCODE_ROUNDS} alternating rounds); anchor: the official serializer`,
      [
        'signal',
        'official items/s',
        'ours items/s',
        'ours / official',
        'ratio spread',
        'official B/item',
        'ours B/item',
      ],
      encode.map((r) => [
        r.signal,
        r.officialPerSec,
        r.oursPerSec,
        r.ratio,
        r.spread,
        r.officialBytes,
        r.oursBytes,
      ]),
    )}\n\n`,
  );
  // BENCH_ONLY=encode: the encode table alone (seconds, for trying an encoder change).
  if (process.env.BENCH_ONLY === 'encode') return;
  const sink = await startSink();
  let e2e: E2eRow[];
  try {
    e2e = await e2eBench(sink);
  } finally {
    sink.child.send({ type: 'close' });
  }
  const totalRatio = (row: E2eRow) => {
    if (!row.variant.startsWith('ours')) return '';
    const anchor = e2e.find(
      (r) => r.signal === row.signal && r.variant === row.variant.replace('ours', 'official'),
    );
    return anchor ? String(round(row.cpuUsPerItem / anchor.cpuUsPerItem)) : '';
  };
  process.stdout.write(
    `${renderTable(
      `End to end: SDK batch processor → exporter → loopback sink, ${E2E_ITEMS} items per run, CPU per item (median of ${E2E_ROUNDS} rounds, each run a fresh process); baseline = a no-op exporter (the SDK's own cost); "vs official (exporter)" = median over rounds of the round's share ratio ± IQR/2`,
      [
        'signal',
        'variant',
        'CPU µs/item',
        'exporter µs/item',
        'vs official (total)',
        'vs official (exporter)',
        'wire B/item',
        'spread',
      ],
      e2e.map((r) => [
        r.signal,
        r.variant,
        r.cpuUsPerItem,
        r.exporterCpuUsPerItem,
        totalRatio(r),
        r.shareRatio === undefined ? '' : `${r.shareRatio} ± ${r.shareRatioHalfIqr}`,
        r.wireBytesPerItem,
        r.spread,
      ]),
    )}\n`,
  );
  const results = join(__dirname, 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(
    join(results, 'latest.json'),
    `${JSON.stringify({ node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, encode, e2e }, null, 2)}\n`,
  );
}

void main();
