/**
 * CPU per record against the official OTLP exporter (issue 11): the SDK with its batch
 * processor and default options, exporter-otlp's workload (HTTP server and client spans with
 * the semantic-convention attributes, INFO logs; BENCH_SPAN_SHAPE=issue11 for issue 11's spans
 * of 10 attributes and 2 events), into exporter-otlp's loopback sink, each run a
 * fresh process whose CPU time is taken around the measured part; the variants alternate.
 * "exporter" subtracts the SDK's own cost (an exporter that does nothing). The anchor is the
 * official @opentelemetry/exporter-{trace,logs}-otlp-proto in the same run.
 *
 * Two loops (exporter-otlp's e2e-loop.ts, BENCH_E2E_LOOPS to pick): `steady`, the SDK's exports
 * of 512 handed over as its processor makes them, each chunk waiting for the exporter's
 * callbacks (the issue's reading: a service under steady load); and `flush`, the SDK's
 * forceFlush after every 1,024 items, which for log records makes this exporter send what it
 * holds each time (INSERTs of ~1,000 rows instead of up to `maxBatchItems`).
 */
import os from 'node:os';
import { join } from 'node:path';
import { median, round } from '../../batching-core/bench/lib/stats';
import { runVariants, startSink } from '../../exporter-otlp/bench/e2e-harness';
import { measureClientPerRequest } from './client-per-request';
import type { ClientPerRequest } from './client-per-request';
import type { CpuVariant } from './vs-otlp-child';

const ITEMS = Number(process.env.BENCH_E2E_ITEMS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_E2E_ROUNDS ?? 3);
const VARIANTS: CpuVariant[] = ['baseline', 'official', 'clickhouse'];
const LOOPS = (process.env.BENCH_E2E_LOOPS ?? 'steady,flush').split(',');

async function main(): Promise<void> {
  const sink = await startSink();
  const rows: string[] = [];
  const results: unknown[] = [];
  const inserts: Record<string, { rows: number; bytes: number }> = {};
  try {
    for (const [signal, loop] of (['traces', 'logs'] as const).flatMap((s) =>
      LOOPS.map((l) => [s, l] as const),
    )) {
      // The children read it (e2e-loop.ts).
      process.env.BENCH_E2E_LOOP = loop;
      const runs = await runVariants(
        sink,
        join(__dirname, 'vs-otlp-child.ts'),
        VARIANTS,
        signal,
        ITEMS,
        ROUNDS,
      );
      const cpu = (v: CpuVariant) => median(runs.get(v)?.cpuUsPerItem ?? []);
      const sdk = cpu('baseline');
      const official = cpu('official');
      const ours = cpu('clickhouse');
      const row = {
        signal,
        loop,
        sdkUsPerItem: round(sdk),
        officialUsPerItem: round(official),
        clickhouseUsPerItem: round(ours),
        ratioTotal: round(ours / official),
        ratioExporter: round((ours - sdk) / (official - sdk)),
        officialBytesPerItem: round(runs.get('official')?.wireBytesPerItem ?? 0, 1),
        clickhouseBytesPerItem: round(runs.get('clickhouse')?.wireBytesPerItem ?? 0, 1),
        // Instructions per record are about the official exporter's (README): these say where
        // the rest of the CPU time goes.
        officialSystemUsPerItem: round(median(runs.get('official')?.systemUsPerItem ?? [])),
        clickhouseSystemUsPerItem: round(median(runs.get('clickhouse')?.systemUsPerItem ?? [])),
        officialFaultsPerThousand: Math.round(
          median(runs.get('official')?.faultsPerThousand ?? []),
        ),
        clickhouseFaultsPerThousand: Math.round(
          median(runs.get('clickhouse')?.faultsPerThousand ?? []),
        ),
      };
      results.push(row);
      const ourRuns = runs.get('clickhouse');
      if (ourRuns && ourRuns.itemsPerRequest > 0) {
        inserts[`${signal} (${loop})`] = {
          rows: ourRuns.itemsPerRequest,
          bytes: ourRuns.itemsPerRequest * ourRuns.wireBytesPerItem,
        };
      }
      rows.push(
        `${signal.padEnd(7)} ${loop.padEnd(6)} ${String(row.sdkUsPerItem).padStart(8)} ${String(row.officialUsPerItem).padStart(9)} ${String(row.clickhouseUsPerItem).padStart(11)} ${String(row.ratioTotal).padStart(10)} ${String(row.ratioExporter).padStart(14)} ${`${row.officialSystemUsPerItem} / ${row.clickhouseSystemUsPerItem}`.padStart(19)} ${`${row.officialFaultsPerThousand} / ${row.clickhouseFaultsPerThousand}`.padStart(19)}`,
      );
    }
  } finally {
    sink.child.send({ type: 'close' });
  }
  // What an INSERT of each signal's average body costs in the client before any row, beyond a
  // node:http POST of the same bytes, spread over the rows of one.
  const perRequest: Record<string, ClientPerRequest> = {};
  const perRequestLines: string[] = [];
  for (const [signal, insert] of Object.entries(inserts)) {
    const measured = await measureClientPerRequest(insert.bytes);
    perRequest[signal] = measured;
    const extraUs = measured.clientUsPerRequest - measured.nodeHttpUsPerRequest;
    perRequestLines.push(
      `${signal}: @clickhouse/client exec ${round(measured.clientUsPerRequest, 0)} µs CPU per INSERT of ${Math.round(insert.bytes).toLocaleString('en-US')} bytes, node:http POST of the same ${round(measured.nodeHttpUsPerRequest, 0)} µs; the difference over ${Math.round(insert.rows)} rows per INSERT: ${round(extraUs / insert.rows)} µs per row`,
    );
  }
  process.stdout.write(
    [
      `CPU per record, ${ITEMS.toLocaleString('en-US')} items, median of ${ROUNDS} alternating rounds; anchor: the official OTLP/HTTP protobuf exporter`,
      'signal  loop   SDK µs/it official µs  clickhouse µs  total ratio  exporter ratio  system µs: off. / ch  faults/1,000: off. / ch',
      ...rows,
      ...perRequestLines,
      JSON.stringify({ node: process.version, cpus: os.cpus().length, results, perRequest }),
      '',
    ].join('\n'),
  );
}

void main();
