/**
 * `npm run bench`: each scenario in its own process, tables printed, results written to
 * bench/results/latest.json. Every throughput figure has its anchor, the official client's
 * `helpers.bulk`, measured in the same run; the memory figures (bench/memory.ts) are ratios to
 * maxQueueBytes. Absolute rates describe the machine more than the code, so nothing here gates
 * anything.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { atCapTable, runAtCap } from '../../batching-core/bench/lib/memory-at-cap';
import type { AnswerParseResult } from './answer-parse';
import type { BodyBuildResult } from './body-build';
import type { CpuResult } from './cpu-vs-otlp';
import type { EndToEndResult } from './end-to-end';
import { PACKAGE_DIR, runInChild } from './lib/child';

function table(title: string, header: string[], rows: (string | number)[][]): string {
  const cells = [
    header,
    ...rows.map((row) => row.map((c) => (typeof c === 'number' ? c.toLocaleString('en-US') : c))),
  ];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => String(row[i]).length)));
  const line = (row: (string | number)[]) =>
    row
      .map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
      .join('  ');
  return [
    title,
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  const build = await runInChild<BodyBuildResult>(resolve(__dirname, 'body-build.ts'), 180_000);
  process.stdout.write(
    `${table(
      `Bulk body build (${build.rounds} rounds, medians; x anchor = anchor time / otelpack time)\nanchor: ${build.anchor}`,
      [
        'signal, input',
        'docs',
        'B/doc',
        'anchor docs/s',
        'anchor MB/s',
        'otelpack docs/s',
        'otelpack MB/s',
        'x anchor',
        'spread',
      ],
      build.cases.map((c) => [
        `${c.signal}, from ${c.input}`,
        c.documents,
        c.meanDocumentBytes,
        c.anchor.docsPerSec,
        c.anchor.mbPerSec,
        c.otelpack.docsPerSec,
        c.otelpack.mbPerSec,
        c.ratio,
        `${c.anchor.spread} / ${c.otelpack.spread}`,
      ]),
    )}\n\n`,
  );

  const answers = await runInChild<AnswerParseResult>(
    resolve(__dirname, 'answer-parse.ts'),
    60_000,
  );
  process.stdout.write(
    `${table(
      `Reading _bulk answers (${answers.rounds} rounds, medians; x anchor = anchor time / otelpack time)\nanchor: ${answers.anchor}`,
      ['answer', 'docs', 'anchor ns/doc', 'otelpack ns/doc', 'x anchor', 'spread'],
      answers.cases.map((c) => [
        c.name,
        c.documents,
        c.anchorNsPerDocument,
        c.otelpackNsPerDocument,
        c.ratio,
        c.spread,
      ]),
    )}\n\n`,
  );

  const e2e = await runInChild<EndToEndResult>(resolve(__dirname, 'end-to-end.ts'), 300_000);
  process.stdout.write(
    `${table(
      `End to end over loopback into the Elasticsearch fake (${e2e.rounds} rounds, medians; exports of ${e2e.exportSize})\nanchor: ${e2e.anchor}`,
      ['signal', 'docs', 'anchor docs/s', 'otelpack docs/s', 'x anchor', 'spread'],
      e2e.cases.map((c) => [
        c.signal,
        c.documents,
        c.anchor.docsPerSec,
        c.otelpack.docsPerSec,
        c.ratio,
        `${c.anchor.spread} / ${c.otelpack.spread}`,
      ]),
    )}\nspread: (max - min) / median of the runs, anchor / otelpack\n`,
  );

  const cpu = await runInChild<CpuResult>(resolve(__dirname, 'cpu-vs-otlp.ts'), 1_800_000);
  process.stdout.write(
    `\n${table(
      `CPU per record against the official OTLP/HTTP protobuf exporter (${cpu.rounds} rounds of ${cpu.items.toLocaleString('en-US')}, medians; µs of process CPU)\nanchor: @opentelemetry/exporter-{trace,logs}-otlp-proto, same SDK, workload and loopback sink`,
      [
        'signal',
        'SDK alone',
        'official OTLP',
        'elasticsearch',
        'compare build',
        'x official',
        'x official, paired',
        'x official, exporter only',
        'spread',
      ],
      cpu.rows.map((r) => [
        r.signal,
        r.cpuUs.baseline ?? '-',
        r.cpuUs.official ?? '-',
        r.cpuUs.elasticsearch ?? '-',
        r.cpuUs.compare ?? '-',
        r.ratio,
        r.pairedRatio,
        r.exporterRatio,
        r.spread,
      ]),
    )}\n${table(
      'Of it in the kernel (µs of system CPU per record) and minor page faults per 1,000 records, medians',
      ['signal', 'system: official / elasticsearch', 'faults: official / elasticsearch'],
      cpu.rows.map((r) => [
        r.signal,
        `${r.systemUs.official ?? '-'} / ${r.systemUs.elasticsearch ?? '-'}`,
        `${r.faultsPerThousand.official ?? '-'} / ${r.faultsPerThousand.elasticsearch ?? '-'}`,
      ]),
    )}\n`,
  );

  // Memory at the queue's byte bound with the backend down, one process per run (bench/memory.ts).
  // BENCH_SKIP_MEMORY=1 leaves it out (mapping changes do not move it; it takes longest).
  const memory = process.env.BENCH_SKIP_MEMORY
    ? undefined
    : await runAtCap(
        resolve(__dirname, 'memory.ts'),
        ['traces', 'logs'].flatMap((signal) =>
          [64, 256].map((cap) => ({ label: signal, args: { signal, cap } })),
        ),
      );
  if (memory) {
    process.stdout.write(
      `\n${atCapTable('Memory at maxQueueBytes, backend down (spans: 10 attributes, 2 events; logs: 200-character bodies; exports of 512)', memory)}\n`,
    );
  }

  const dir = resolve(PACKAGE_DIR, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    resolve(dir, 'latest.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        bodyBuild: build,
        answerParse: answers,
        endToEnd: e2e,
        cpuVsOtlp: cpu,
        memoryAtCap: memory,
      },
      null,
      2,
    )}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
