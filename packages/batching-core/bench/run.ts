/**
 * Runs every scenario, each in its own process, prints the tables and writes
 * bench/results/latest.json. Figures are ratios to an anchor measured in the same run: absolute
 * times say more about the machine than about the code, so nothing here gates anything.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import type { HttpResult } from './http-transport';
import { runInChild } from './lib/child';
import { chooseCoreBuild } from './lib/core-build';
import { renderTable } from './lib/table';
import type { MemoryResult } from './memory';
import type { ThroughputResult } from './pipeline-throughput';
import type { SpoolBenchResult } from './spool';
import type { SpoolStoresResult } from './spool-stores';
import type { TransformResult } from './transform';

interface Scenario<T> {
  key: string;
  title: string;
  module: string;
  timeoutMs: number;
  table: (result: T) => string;
}

/** Issue 17's goal read on this scenario (the queue alone, its sender doing nothing). */
function spoolGoal(r: SpoolBenchResult): string {
  const interval = r.variants.find((v) => v.name === "spool, fsync 'interval' (default)");
  if (!interval) return '';
  const verdict = (ratio: number) => (ratio >= 0.5 ? 'holds' : 'does not hold');
  return (
    `issue 17's goal, 'interval' >= 0.5x the in-memory queue's records/s, the queue alone: ` +
    `${interval.ratioToAnchor}x wall (${verdict(interval.ratioToAnchor)}), ${interval.cpuRatioToAnchor}x CPU (${verdict(interval.cpuRatioToAnchor)}); ` +
    `at the exporter: exporter-otlp's bench/spool-e2e.ts`
  );
}

const scenarios = [
  {
    key: 'pipelineThroughput',
    title: 'Pipeline throughput',
    module: 'pipeline-throughput.ts',
    timeoutMs: 45_000,
    table: (r: ThroughputResult) =>
      renderTable(
        `Pipeline throughput (in-memory sender that delivers at once; ${r.records.distinct.toLocaleString('en-US')} distinct records of ~${Math.round(r.records.meanJsonBytes)} B JSON, exports of ${r.records.exportSize})\n` +
          `anchor: ${r.anchor.name}`,
        ['setting', 'records/s', 'x anchor', 'ns/record over anchor', 'spread'],
        [
          ['anchor', r.anchor.recordsPerSec, 1, 0, r.anchor.spread],
          ...r.variants.map((v) => [
            v.name,
            v.recordsPerSec,
            v.ratioToAnchor,
            v.nsPerRecordOverAnchor,
            v.spread,
          ]),
        ],
      ) +
      `\n${r.directSmallExports.name}: ${r.directSmallExports.recordsPerSec} records/s, ` +
      `${r.directSmallExports.meanExportLatencyMs} ms per export (flushIntervalMs ${r.directSmallExports.flushIntervalMs})` +
      `\nx anchor: median over rounds of the ratio within a round; spread: (max - min) / median of the runs`,
  } satisfies Scenario<ThroughputResult>,
  {
    key: 'memory',
    title: 'Memory per queued record',
    module: 'memory.ts',
    timeoutMs: 30_000,
    table: (r: MemoryResult) =>
      renderTable(
        `Memory at capacity (${r.records.toLocaleString('en-US')} records of ~${Math.round(r.meanJsonBytes)} B JSON; sender never answers; heapUsed after gc)\n` +
          `anchor: ${r.anchor.name}`,
        ['held by', 'heap B/record', 'overhead B/record', 'x anchor'],
        [
          ['plain array (anchor)', r.anchor.bytesPerRecord, 0, 1],
          [
            `Pipeline (${r.pipeline.queuedItems - r.pipeline.inFlightItems} queued + ${r.pipeline.inFlightItems} in flight)`,
            r.pipeline.bytesPerRecord,
            r.pipeline.overheadBytesPerRecord,
            r.pipeline.ratioToAnchor,
          ],
        ],
      ),
  } satisfies Scenario<MemoryResult>,
  {
    key: 'httpTransport',
    title: 'HTTP transport',
    module: 'http-transport.ts',
    timeoutMs: 60_000,
    table: (r: HttpResult) =>
      renderTable(
        `HTTP POST to a local node:http sink in another process (${r.concurrency} in flight, ${r.measuredMsPerCase} ms measured per case, keep-alive)\n` +
          `anchor: ${r.anchor}`,
        ['body', 'client', 'req/s', 'MB/s', 'x anchor', 'client CPU µs/req', 'new sockets'],
        r.cases.map((c) => [
          c.size,
          c.client,
          c.requestsPerSec,
          c.mbPerSec,
          c.ratioToAnchor,
          c.clientCpuUsPerRequest,
          c.newConnections,
        ]),
      ),
  } satisfies Scenario<HttpResult>,
  {
    key: 'spool',
    title: 'Disk spool',
    module: 'spool.ts',
    timeoutMs: 120_000,
    table: (r: SpoolBenchResult) =>
      renderTable(
        `Disk spool (${r.records.count.toLocaleString('en-US')} records of ~${Math.round(r.records.meanJsonBytes)} B JSON, exports of ${r.records.exportSize}, sender delivers at once; spool on ${r.fileSystem}; ${r.rounds} rounds, order rotated)\n` +
          `anchor: ${r.anchor}`,
        [
          'queue',
          'records/s',
          'x anchor (wall)',
          'spread',
          'CPU ns/record',
          'x anchor (CPU)',
          'CPU spread',
          'export p50 ms',
          'export p99 ms',
        ],
        r.variants.map((v) => [
          v.name,
          v.recordsPerSec,
          v.ratioToAnchor,
          v.spread,
          v.cpuNsPerRecord,
          v.cpuRatioToAnchor,
          v.cpuSpread,
          v.exportP50Ms,
          v.exportP99Ms,
        ]),
      ) +
      `\nspool bytes on disk per record: ${r.diskBytesPerRecord} (the exporter's codec: ${r.diskBytesPerRecordExporterCodec}; the records' JSON: ${r.payloadBytesPerRecord})` +
      `\nx anchor: median over rounds of the ratio to the anchor's run in the same round; spread: (max - min) / median of those ratios` +
      `\nexport ms: how long submit() takes to answer, the wait of the SDK's export callback` +
      `\n${spoolGoal(r)}`,
  } satisfies Scenario<SpoolBenchResult>,
  {
    key: 'spoolStores',
    title: 'Spool storage against embedded stores',
    module: 'spool-stores.ts',
    timeoutMs: 120_000,
    table: (r: SpoolStoresResult) =>
      renderTable(
        `Spool storage against embedded stores from npm (${r.records.toLocaleString('en-US')} records, exports of ${r.exportSize}, each kept safe from a process crash before the next, the one before forgotten; the same codec; ${r.rounds} rounds, order rotated)\n` +
          `anchor: ${r.anchor}`,
        [
          'store',
          'records/s',
          'x anchor (wall)',
          'spread',
          'CPU ns/record',
          'x anchor (CPU)',
          'system ns/record',
        ],
        r.variants.map((v) => [
          v.name,
          v.recordsPerSec,
          v.ratioToAnchor,
          v.spread,
          v.cpuNsPerRecord,
          v.cpuRatioToAnchor,
          v.systemNsPerRecord,
        ]),
      ) +
      (r.leftOut.length > 0 ? `\nleft out: ${r.leftOut.join('; ')}` : '') +
      `\nwhat each store promises after a power cut differs: see the README's "Storage"`,
  } satisfies Scenario<SpoolStoresResult>,
  {
    key: 'transform',
    title: 'Transform stage',
    module: 'transform.ts',
    timeoutMs: 480_000,
    table: (r: TransformResult) =>
      renderTable(
        `Transform stage (${r.exports} exports of ${r.spansPerExport} SDK HTTP server spans, 10 attributes, 2 events; ${r.rounds} rounds of a fresh process per variant, each timing the variant and the anchor in ${r.pairsPerProcess} adjacent pairs; CPU time of the process, ns)\n` +
          `anchor: ${r.anchor.name}, ${r.anchor.nsPerSpan} ns/span`,
        [
          'transform',
          'ns/span',
          'x anchor',
          'spread',
          'anchor in its processes',
          'own ns/span',
          '± (IQR/2)',
          'own ns/span/statement',
          'stage alone ns/span',
          'alone ns/span/statement',
          'alone spread',
        ],
        r.variants.map((v) => [
          v.name,
          v.nsPerSpan,
          v.ratioToAnchor,
          v.spread,
          v.anchorNsPerSpan,
          v.nsPerSpanOverAnchor,
          v.overAnchorHalfIqrNs,
          v.nsPerSpanPerStatementOverAnchor ?? '',
          v.stageNsPerSpan,
          v.stageNsPerSpanPerStatement ?? '',
          v.stageSpread,
        ]),
      ) +
      `\nown: the variant's export less the anchor's timed next to it in the same process (median of every such pair of every round, ± half the interquartile range of those differences); anchor in its processes: the anchor's median in that variant's processes; the control is the anchor timed again (its own cost is the bench's bias); stage alone: apply() on the same items, timed after the pairs; goal ≤ 1000 ns per span per simple statement`,
  } satisfies Scenario<TransformResult>,
];

async function main(): Promise<void> {
  const startedMs = performance.now();
  const core = chooseCoreBuild();
  // Decided once here; every scenario process inherits it, so all measure the same code.
  process.env.BENCH_CORE = core.build;
  process.stderr.write(`bench: measuring ${core.build}/ (${core.why})\n`);
  const results: Record<string, unknown> = {};
  const tables: string[] = [];
  for (const scenario of scenarios) {
    const scenarioStart = performance.now();
    process.stderr.write(`bench: ${scenario.title} ...`);
    try {
      const result = await runInChild<unknown>(
        resolve(__dirname, scenario.module),
        scenario.timeoutMs,
      );
      results[scenario.key] = result;
      tables.push((scenario.table as (r: unknown) => string)(result));
      process.stderr.write(` ${((performance.now() - scenarioStart) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results[scenario.key] = { error: message };
      tables.push(`${scenario.title}: FAILED\n${message}`);
      process.stderr.write(` failed\n`);
      process.exitCode = 1;
    }
  }

  const report = {
    generatedAt: new Date().toISOString(),
    durationSec: Math.round((performance.now() - startedMs) / 100) / 10,
    machine: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      loadAverage1m: os.loadavg()[0],
    },
    core: { measured: `${core.build}/`, why: core.why },
    note: 'Compare ratios to the named anchor of the same run; absolute figures vary by machine and load.',
    ...results,
  };
  const dir = resolve(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, 'latest.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);

  process.stdout.write(`\n${tables.join('\n\n')}\n\n`);
  process.stdout.write(
    `${report.machine.node}, ${report.machine.cpus} CPUs (${report.machine.cpuModel}), load ${report.machine.loadAverage1m.toFixed(2)}; ` +
      `core measured: ${core.build}/ (${core.why}); ${report.durationSec} s; results in ${file}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
