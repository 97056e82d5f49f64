/**
 * `npm run bench` for @otelpack/exporter-victoriametrics. Three measurements, printed as tables
 * and written to bench/results/latest.json:
 *
 * 1. Encoding throughput (samples/s): this package's hand-written WriteRequest encoder against
 *    the same WriteRequest encoded by protobufjs from the remote-write .proto (the anchor), in the
 *    same process, alternating rounds; the figure that matters is the ratio.
 * 2. Bytes per sample: uncompressed protobuf and snappy-compressed, for the same requests, and
 *    the exporter's snappy compressor against snappyjs's (the anchor) on that request.
 * 3. End to end into a real VictoriaMetrics (the Debian package, started through the integration
 *    launcher): ResourceMetrics handed to the exporter's export() until every series is delivered
 *    and counted back in VictoriaMetrics, at concurrency 1 (the default) and 4; and the same run
 *    into a loopback sink that answers at once (what the exporter alone can send: on two cores
 *    VictoriaMetrics takes one of them, and its ceiling bounds the rate into it).
 * 4. Memory at the queue's byte bound with the backend down (bench/memory.ts, one process per
 *    run): RSS growth after GC and at its peak while filling, as ratios to maxQueueBytes.
 *
 * Nothing here gates anything: absolute figures say more about the machine than about the code.
 *
 * Scenarios run alone when named: `node --import tsx bench/run.ts encoding|e2e|memory ...`
 * (results/latest.json is written by a full run only). The end-to-end table also gives the CPU
 * time of this process and of VictoriaMetrics (from /proc) per sample, and VictoriaMetrics'
 * share of the CPU time both spent: on a 2-core machine the two compete for the cores.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { compress } from 'snappyjs';
import { SnappyCompressor } from 'snappyjs/snappy_compressor';
import { HttpTransport } from '@otelpack/batching-core';
import type { ResourceMetricsLike } from '@otelpack/batching-core';
import { atCapTable, runAtCap } from '../../batching-core/bench/lib/memory-at-cap';
// The loopback sink of exporter-otlp's benchmarks (its bench/sink.ts in a process of its own): it
// reads each body to its end and answers at once, so the exporter's rate into it is its own.
import { startSink } from '../../exporter-otlp/bench/e2e-harness';
import { victoriametrics } from '../../../integration/src/backends/victoriametrics';
import { startBackend, stopBackend } from '../../../integration/src/launcher';
import {
  DEFAULT_MAPPING_OPTIONS,
  REMOTE_WRITE_HEADERS,
  VictoriaMetricsExporter,
  WriteRequestEncoder,
  encodeWriteRequestV2,
  mapResourceMetrics,
} from '../src';
import type { TimeSeries } from '../src';
import { WriteRequestType, toProtobufObject } from '../test/helpers/proto';
import { SnappyBlockCompressor } from '../src/snappy';
import { SERIES_PER_REQUEST, syntheticExport } from './typical-request';
import { median, spread } from '../../batching-core/bench/lib/stats';

const ROUNDS = 7;
const ROUND_MS = 400;

function packageVersion(name: string): string {
  const manifest = resolve(require.resolve(name), '../package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

const protobufjsVersion = (): string => packageVersion('protobufjs');

/**
 * The snappy anchor: snappyjs's compressor as the exporter used it before src/snappy.ts, into a
 * scratch buffer reused from request to request and copied out (not snappyjs's compress(), which
 * zero-fills a new buffer of the worst-case size per call and so measures slower).
 */
class SnappyjsAsBefore {
  private scratch = Buffer.allocUnsafe(0);
  compress(raw: Uint8Array): Buffer {
    const compressor = new SnappyCompressor(raw);
    const maxLength = compressor.maxCompressedLength();
    if (this.scratch.length < maxLength) this.scratch = Buffer.allocUnsafe(maxLength);
    const length = compressor.compressToBuffer(this.scratch);
    return Buffer.from(this.scratch.subarray(0, length));
  }
}
const snappyjsVersion = (): string => packageVersion('snappyjs');

function table(title: string, headers: string[], rows: (string | number)[][]): string {
  const fmt = (v: string | number) =>
    typeof v === 'number'
      ? v.toLocaleString('en-US', { maximumFractionDigits: Number.isInteger(v) ? 0 : 2 })
      : v;
  const cells = rows.map((r) => r.map(fmt));
  const widths = headers.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    title,
    line(headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map(line),
  ].join('\n');
}

interface EncodingResult {
  seriesPerRequest: number;
  meanLabelsPerSeries: number;
  ours: { samplesPerSec: number; spread: number };
  protobufjs: { samplesPerSec: number; spread: number };
  ratio: number;
  sameBytes: boolean;
  /** Every label differs from the previous series' (no reuse possible): the encoder's floor. */
  unshared: { ours: number; protobufjs: number; ratio: number };
  uncompressedBytesPerSample: number;
  compressedBytesPerSample: number;
  compressionRatio: number;
  /** The exporter's snappy compressor against snappyjs's on the same request, alternating rounds. */
  snappy: {
    samplesPerSec: number;
    snappyjsSamplesPerSec: number;
    ratio: number;
    snappyjsBytesPerSample: number;
  };
  /** Remote write 2.0 (symbol table) of the same series, against 1.0 in the same rounds. */
  v2: {
    v1SamplesPerSec: number;
    samplesPerSec: number;
    ratioToV1: number;
    uncompressedBytesPerSample: number;
    compressedBytesPerSample: number;
  };
}

function measureEncoding(): EncodingResult {
  const all = mapResourceMetrics(
    syntheticExport(1_200, Date.now()),
    DEFAULT_MAPPING_OPTIONS,
  ).series;
  const series: TimeSeries[] = all.slice(0, SERIES_PER_REQUEST);
  const protoObject = toProtobufObject(series); // converted once, outside the timing
  const encoder = new WriteRequestEncoder();
  const ours = encoder.encode(series);
  const theirs = Buffer.from(WriteRequestType.encode(protoObject).finish());
  const sameBytes = ours.equals(theirs);

  const rate = (fn: () => unknown): number => {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ROUND_MS) {
      fn();
      n++;
      t = performance.now();
    }
    return (n * series.length) / ((t - t0) / 1000);
  };
  // Warm both up, then alternate rounds so drift hits both alike.
  rate(() => encoder.encode(series));
  rate(() => WriteRequestType.encode(protoObject).finish());
  const oursRates: number[] = [];
  const theirRates: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const a = rate(() => encoder.encode(series));
    const b = rate(() => WriteRequestType.encode(protoObject).finish());
    oursRates.push(a);
    theirRates.push(b);
    ratios.push(a / b);
  }
  // Worst case for the encoder: no label equals the one at its position in the previous series.
  const unsharedSeries: TimeSeries[] = series.map((x, i) => ({
    labels: x.labels.map((l) => ({ name: l.name, value: `${l.value}#${i}` })),
    samples: x.samples,
  }));
  const unsharedObject = toProtobufObject(unsharedSeries);
  const unsharedRatios: number[] = [];
  const unsharedOurs: number[] = [];
  const unsharedTheirs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const a = rate(() => encoder.encode(unsharedSeries));
    const b = rate(() => WriteRequestType.encode(unsharedObject).finish());
    unsharedOurs.push(a);
    unsharedTheirs.push(b);
    unsharedRatios.push(a / b);
  }
  const snappy = new SnappyBlockCompressor();
  const compressed = snappy.compress(ours);
  const snappyjs = new SnappyjsAsBefore();
  const snappyOurs: number[] = [];
  const snappyjsRates: number[] = [];
  const snappyRatios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const a = rate(() => snappy.compress(ours));
    const b = rate(() => snappyjs.compress(ours));
    snappyOurs.push(a);
    snappyjsRates.push(b);
    snappyRatios.push(a / b);
  }
  const v2Bytes = encodeWriteRequestV2(series);
  const v2Rates: number[] = [];
  const v1Rates: number[] = [];
  const v2Ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const a = rate(() => encodeWriteRequestV2(series));
    const b = rate(() => encoder.encode(series));
    v2Rates.push(a);
    v1Rates.push(b);
    v2Ratios.push(a / b);
  }
  return {
    seriesPerRequest: series.length,
    meanLabelsPerSeries: series.reduce((s, x) => s + x.labels.length, 0) / series.length,
    ours: { samplesPerSec: Math.round(median(oursRates)), spread: spread(oursRates) },
    protobufjs: { samplesPerSec: Math.round(median(theirRates)), spread: spread(theirRates) },
    ratio: median(ratios),
    sameBytes,
    unshared: {
      ours: Math.round(median(unsharedOurs)),
      protobufjs: Math.round(median(unsharedTheirs)),
      ratio: median(unsharedRatios),
    },
    uncompressedBytesPerSample: ours.length / series.length,
    compressedBytesPerSample: compressed.length / series.length,
    compressionRatio: ours.length / compressed.length,
    snappy: {
      samplesPerSec: Math.round(median(snappyOurs)),
      snappyjsSamplesPerSec: Math.round(median(snappyjsRates)),
      ratio: median(snappyRatios),
      snappyjsBytesPerSample: compress(ours).length / series.length,
    },
    v2: {
      v1SamplesPerSec: Math.round(median(v1Rates)),
      samplesPerSec: Math.round(median(v2Rates)),
      ratioToV1: median(v2Ratios),
      uncompressedBytesPerSample: v2Bytes.length / series.length,
      compressedBytesPerSample: snappy.compress(v2Bytes).length / series.length,
    },
  };
}

interface EndToEndResult {
  maxConcurrency: number;
  exports: number;
  samples: number;
  seconds: number;
  samplesPerSec: number;
  requests: number;
  compressedBytesPerSample: number;
  /** Counted back in VictoriaMetrics; undefined into the loopback sink. */
  storedSamples?: number;
  /** CPU time of this process (mapping, core, encoding, snappy, HTTP client) per sample, in µs. */
  exporterCpuUsPerSample: number;
  /** The same, of its main thread only (10 ms ticks): what bounds one exporter's rate. */
  mainThreadCpuUsPerSample?: number;
  /** CPU time of the VictoriaMetrics process per sample (none into the loopback sink). */
  vmCpuUsPerSample?: number;
  /** VictoriaMetrics' part of the CPU time both processes spent. */
  vmCpuShare?: number;
}

/** Runs at each concurrency (E2E_RUNS in the environment; default 3). */
const E2E_RUNS = Number(process.env.E2E_RUNS ?? 3);

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SEC = 100;

/** CPU time (user + system) a process has used, in ms, from /proc/<pid>/stat. */
function processCpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/**
 * CPU time of this process's main thread (the event loop, where the mapping, the encoder and
 * snappy run), without the garbage collector's and libuv's helper threads.
 */
function mainThreadCpuMs(): number {
  return statCpuMs(`/proc/${process.pid}/task/${process.pid}/stat`);
}

function statCpuMs(path: string): number {
  const stat = readFileSync(path, 'utf8');
  // Fields after the command name (which may hold spaces) start after its closing ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]); // field 14 of the whole line
  const stime = Number(fields[12]); // field 15
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SEC;
}

function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function countStored(url: string, job: string): Promise<number> {
  await (await fetch(`${url}/internal/force_flush`)).arrayBuffer();
  let stored = 0;
  for (let i = 0; i < 50; i++) {
    const params = new URLSearchParams({ query: `sum(count_over_time({job="${job}"}[1h]))` });
    const body = (await (await fetch(`${url}/api/v1/query?${params}`)).json()) as {
      data: { result: { value: [number, string] }[] };
    };
    stored = Number(body.data.result[0]?.value[1] ?? 0);
    if (stored > 0) {
      await new Promise((r) => setTimeout(r, 300));
      const again = (await (await fetch(`${url}/api/v1/query?${params}`)).json()) as typeof body;
      const now = Number(again.data.result[0]?.value[1] ?? 0);
      if (now === stored) return stored;
      stored = now;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return stored;
}

/** The end-to-end run's input: ten exports of 10,000 points each, for a job of its own. */
function endToEndInputs(job: string): ResourceMetricsLike[] {
  const exports = 10;
  const pointsPerExport = 10_000;
  const base = Date.now() - exports * 1_000;
  return Array.from({ length: exports }, (_, i) => {
    const rm = syntheticExport(pointsPerExport, base + i * 1_000, i);
    (rm.resource.attributes as Record<string, string>)['service.name'] = job;
    return rm;
  });
}

/**
 * VictoriaMetrics' ceiling on this machine, the anchor of the end-to-end rate: the same series as
 * the end-to-end run, mapped, encoded and compressed before the clock starts, posted as the
 * exporter's requests (2,000 series each) through the core's HttpTransport with `concurrency`
 * requests in flight. What it measures is VictoriaMetrics plus an HTTP client, nothing of ours.
 */
async function measureCeiling(
  url: string,
  vmPid: number,
  concurrency: number,
): Promise<EndToEndResult> {
  const job = `ceiling-${concurrency}-${Date.now()}`;
  const encoder = new WriteRequestEncoder();
  const snappy = new SnappyBlockCompressor();
  const bodies: Buffer[] = [];
  let samples = 0;
  for (const rm of endToEndInputs(job)) {
    const series = mapResourceMetrics(rm, DEFAULT_MAPPING_OPTIONS).series;
    for (let i = 0; i < series.length; i += SERIES_PER_REQUEST) {
      const batch = series.slice(i, i + SERIES_PER_REQUEST);
      bodies.push(snappy.compress(encoder.encode(batch)));
      samples += batch.length;
    }
  }
  const transport = new HttpTransport({
    url: `${url}/api/v1/write`,
    compression: 'none',
    headers: { ...REMOTE_WRITE_HEADERS },
  });
  let next = 0;
  let wireBytes = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const result = await transport.send({ body });
      if (result.kind !== 'delivered') throw new Error(`ceiling: ${JSON.stringify(result)}`);
      wireBytes += body.length;
    }
  };
  const t0 = performance.now();
  const ownCpu0 = ownCpuMs();
  const vmCpu0 = processCpuMs(vmPid);
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const ownCpu = ownCpuMs() - ownCpu0;
  const vmCpu = processCpuMs(vmPid) - vmCpu0;
  await transport.close();
  const storedSamples = await countStored(url, `shop/${job}`);
  return {
    maxConcurrency: concurrency,
    exports: 10,
    samples,
    seconds,
    samplesPerSec: Math.round(samples / seconds),
    requests: bodies.length,
    compressedBytesPerSample: wireBytes / samples,
    storedSamples,
    exporterCpuUsPerSample: (ownCpu * 1000) / samples,
    vmCpuUsPerSample: (vmCpu * 1000) / samples,
    vmCpuShare: vmCpu / (vmCpu + ownCpu),
  };
}

/**
 * ResourceMetrics handed to the exporter's export() until every series is delivered: into
 * VictoriaMetrics (its CPU read from /proc, every sample counted back), or with `vmPid` undefined
 * into the loopback sink, which measures what the exporter alone can send.
 */
async function measureEndToEnd(
  url: string,
  vmPid: number | undefined,
  maxConcurrency: number,
): Promise<EndToEndResult> {
  const job = `bench-${maxConcurrency}-${Date.now()}`;
  // Built before the clock starts: the SDK's collection is not the exporter's cost.
  const inputs = endToEndInputs(job);
  const exporter = new VictoriaMetricsExporter({
    url,
    maxConcurrency,
    maxQueueItems: 500_000,
    maxQueueBytes: 512 * 1024 * 1024,
  });
  const t0 = performance.now();
  const ownCpu0 = ownCpuMs();
  const mainCpu0 = mainThreadCpuMs();
  const vmCpu0 = vmPid === undefined ? 0 : processCpuMs(vmPid);
  for (const rm of inputs) {
    await new Promise<void>((resolveExport) => exporter.export(rm, () => resolveExport()));
  }
  await exporter.forceFlush();
  const seconds = (performance.now() - t0) / 1000;
  const ownCpu = ownCpuMs() - ownCpu0;
  const mainCpu = mainThreadCpuMs() - mainCpu0;
  const vmCpu = vmPid === undefined ? 0 : processCpuMs(vmPid) - vmCpu0;
  const stats = exporter.pipeline.stats();
  if (stats.delivered !== stats.accepted) {
    throw new Error(`end to end: delivered ${stats.delivered} of ${stats.accepted}`);
  }
  const compressedBytes = exporter.sender.compressedBytes;
  await exporter.shutdown();
  const storedSamples = vmPid === undefined ? undefined : await countStored(url, `shop/${job}`);
  return {
    maxConcurrency,
    exports: inputs.length,
    samples: stats.delivered,
    seconds,
    samplesPerSec: Math.round(stats.delivered / seconds),
    requests: stats.requests,
    compressedBytesPerSample: compressedBytes / stats.delivered,
    storedSamples,
    exporterCpuUsPerSample: (ownCpu * 1000) / stats.delivered,
    mainThreadCpuUsPerSample: (mainCpu * 1000) / stats.delivered,
    vmCpuUsPerSample: vmPid === undefined ? undefined : (vmCpu * 1000) / stats.delivered,
    vmCpuShare: vmPid === undefined ? undefined : vmCpu / (vmCpu + ownCpu),
  };
}

const SCENARIOS = ['encoding', 'e2e', 'memory'] as const;
type Scenario = (typeof SCENARIOS)[number];

function chosenScenarios(): Set<Scenario> {
  const named = process.argv.slice(2);
  for (const name of named) {
    if (!(SCENARIOS as readonly string[]).includes(name)) {
      throw new Error(`unknown scenario ${name}; known: ${SCENARIOS.join(', ')}`);
    }
  }
  return new Set(named.length > 0 ? (named as Scenario[]) : SCENARIOS);
}

function printEncoding(encoding: EncodingResult): void {
  process.stdout.write(
    `${table(
      `Encoding one WriteRequest of ${encoding.seriesPerRequest.toLocaleString('en-US')} series (1 sample each, ${encoding.meanLabelsPerSeries.toFixed(1)} labels on average; median of ${ROUNDS} alternating ${ROUND_MS} ms rounds)\nanchor: protobufjs ${protobufjsVersion()} encoding the same WriteRequest from the remote-write .proto (reflection, plain objects)`,
      ['encoder', 'samples/s', 'x anchor', 'spread'],
      [
        ['protobufjs (anchor)', encoding.protobufjs.samplesPerSec, 1, encoding.protobufjs.spread],
        [
          'otelpack hand-written',
          encoding.ours.samplesPerSec,
          encoding.ratio,
          encoding.ours.spread,
        ],
        ['protobufjs, no shared labels', encoding.unshared.protobufjs, 1, 0],
        ['otelpack, no shared labels', encoding.unshared.ours, encoding.unshared.ratio, 0],
      ],
    )}\nsame bytes as protobufjs: ${encoding.sameBytes ? 'yes' : 'NO'}; "no shared labels": every label value made unique per series, so nothing can be copied from the previous series (the encoder's floor)\n\n`,
  );
  process.stdout.write(
    `${table(
      'Bytes per sample (same request)',
      ['form', 'bytes/sample'],
      [
        ['protobuf, uncompressed', encoding.uncompressedBytesPerSample],
        ['snappy block (on the wire)', encoding.compressedBytesPerSample],
        ['snappy block by snappyjs', encoding.snappy.snappyjsBytesPerSample],
      ],
    )}\ncompression ratio ${encoding.compressionRatio.toFixed(2)}\n\n`,
  );
  process.stdout.write(
    `${table(
      `Snappy compression of the same request (median of ${ROUNDS} alternating ${ROUND_MS} ms rounds)\nanchor: snappyjs ${snappyjsVersion()}'s compressor as the exporter used it before src/snappy.ts (into a reused buffer)`,
      ['compressor', 'samples/s', 'x anchor'],
      [
        ['snappyjs (anchor)', encoding.snappy.snappyjsSamplesPerSec, 1],
        ['otelpack (src/snappy.ts)', encoding.snappy.samplesPerSec, encoding.snappy.ratio],
      ],
    )}\n\n`,
  );
  process.stdout.write(
    `${table(
      'Remote write 2.0 (remoteWriteVersion: 2.0) of the same series; anchor: our 1.0 encoder in the same rounds',
      ['form', 'samples/s', 'x 1.0 encoder', 'B/sample raw', 'B/sample snappy'],
      [
        [
          '1.0 (anchor)',
          encoding.v2.v1SamplesPerSec,
          1,
          encoding.uncompressedBytesPerSample,
          encoding.compressedBytesPerSample,
        ],
        [
          '2.0',
          encoding.v2.samplesPerSec,
          encoding.v2.ratioToV1,
          encoding.v2.uncompressedBytesPerSample,
          encoding.v2.compressedBytesPerSample,
        ],
      ],
    )}\n\n`,
  );
}

interface EndToEndRow extends EndToEndResult {
  /** `exporter alone`: the same run into the loopback sink (startSink). */
  client: 'ceiling' | 'exporter' | 'exporter alone';
  round: number;
  /** The exporter's rate over the ceiling's at the same concurrency in the same round. */
  ofCeiling?: number;
}

async function runEndToEnd(): Promise<{ endToEnd: EndToEndRow[]; endToEndNote?: string }> {
  const endToEnd: EndToEndRow[] = [];
  let endToEndNote: string | undefined;
  const availability = await victoriametrics.available();
  if (!availability.ok) {
    endToEndNote = `into VictoriaMetrics skipped: ${availability.reason} (install: ${availability.install})`;
    process.stdout.write(`End to end: ${endToEndNote}\n`);
  } else {
    const vm = await startBackend(victoriametrics);
    try {
      // Rounds of every measurement in turn, so that a change in the machine's load hits all alike.
      for (let round = 1; round <= E2E_RUNS; round++) {
        for (const concurrency of [1, 4]) {
          const ceiling = await measureCeiling(vm.url, vm.pid, concurrency);
          endToEnd.push({ client: 'ceiling', round, ...ceiling });
          const ours = await measureEndToEnd(vm.url, vm.pid, concurrency);
          const ofCeiling = ours.samplesPerSec / ceiling.samplesPerSec;
          endToEnd.push({ client: 'exporter', round, ...ours, ofCeiling });
        }
      }
    } finally {
      await stopBackend(vm);
    }
  }
  // The exporter alone, once VictoriaMetrics has stopped: only the sink shares the cores.
  const sink = await startSink();
  try {
    for (let round = 1; round <= E2E_RUNS; round++) {
      for (const concurrency of [1, 4]) {
        const requestsBefore = (await sink.call('stats')).requests;
        const alone = await measureEndToEnd(sink.url, undefined, concurrency);
        const received = (await sink.call('stats')).requests - requestsBefore;
        if (received !== alone.requests) {
          throw new Error(`the sink received ${received} requests of ${alone.requests}`);
        }
        endToEnd.push({ client: 'exporter alone', round, ...alone });
      }
    }
  } finally {
    sink.child.send({ type: 'close' });
  }
  process.stdout.write(
    `${table(
      "End to end into a real VictoriaMetrics 1.79 on this machine (export() of ResourceMetrics → mapping → core → encoder → snappy → HTTP; until every series is delivered)\nanchor: the ceiling, the same requests encoded beforehand and posted by the core's HttpTransport with as many in flight\nexporter alone: the same run into a loopback sink (a process of its own) that answers at once: what the exporter can send when the receiver costs it nothing (run after VictoriaMetrics has stopped)",
      [
        'client',
        'concurrency',
        'round',
        'samples',
        'seconds',
        'samples/s',
        'x ceiling',
        'requests',
        'wire B/sample',
        'stored in VM',
        'client CPU µs/sample',
        'main thread µs/sample',
        'VM CPU µs/sample',
        'VM share of CPU',
      ],
      endToEnd.map((r) => [
        r.client,
        String(r.maxConcurrency),
        String(r.round),
        r.samples,
        r.seconds,
        r.samplesPerSec,
        r.ofCeiling === undefined ? '' : r.ofCeiling.toFixed(2),
        r.requests,
        r.compressedBytesPerSample,
        r.storedSamples ?? '',
        r.exporterCpuUsPerSample,
        r.mainThreadCpuUsPerSample ?? '',
        r.vmCpuUsPerSample ?? '',
        r.vmCpuShare === undefined ? '' : `${Math.round(r.vmCpuShare * 100)}%`,
      ]),
    )}\n`,
  );
  return { endToEnd, ...(endToEndNote ? { endToEndNote } : {}) };
}

async function runMemory(): Promise<Awaited<ReturnType<typeof runAtCap>>> {
  const memory = await runAtCap(
    resolve(__dirname, 'memory.ts'),
    [64, 256].map((cap) => ({ label: 'metrics', args: { cap } })),
  );
  process.stdout.write(
    `\n${atCapTable('Memory at maxQueueBytes, backend down (collections of 120,000 series: counters, gauges, histograms)', memory)}\n`,
  );
  return memory;
}

async function main(): Promise<void> {
  const chosen = chosenScenarios();
  process.stdout.write(
    `load average at start: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n\n`,
  );
  const encoding = chosen.has('encoding') ? measureEncoding() : undefined;
  if (encoding) printEncoding(encoding);
  const e2e = chosen.has('e2e') ? await runEndToEnd() : undefined;
  const memory = chosen.has('memory') ? await runMemory() : undefined;
  process.stdout.write(
    `\nload average at end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  if (chosen.size < SCENARIOS.length) return;

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    encoding,
    ...e2e,
    memoryAtCap: memory,
  };
  const dir = resolve(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nwritten: bench/results/latest.json\n`);
}

main().catch((error) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
