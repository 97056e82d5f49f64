import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import {
  ChdbNotInstalledError,
  ClickHouseLogRecordExporter,
  ClickHouseMetricExporter,
  ClickHouseSpanExporter,
  createEmbeddedClickHouseClient,
} from '@otelpack/exporter-clickhouse';
import type { ClickHouseExporterOptions } from '@otelpack/exporter-clickhouse';
import { generateLoad } from './load';
import { printTable, report } from './report';
import { startShop } from './shop';

/*
 * `npm start`: a small shop service, instrumented with the OpenTelemetry SDK, under generated
 * load for a few seconds; its traces, logs and metrics go through @otelpack/exporter-clickhouse
 * into ClickHouse — an engine inside this process (chdb) unless CLICKHOUSE_URL names a server —
 * and are then read back with SQL.
 */

const USAGE = `Usage: npm start [-- --help]

Runs a small shop service instrumented with the OpenTelemetry JS SDK under generated load, with
@otelpack/exporter-clickhouse writing its traces, logs and metrics into ClickHouse, then prints
what landed, read back with SQL, and the exporters' delivery ledger.

Where the telemetry goes (environment variables, as the exporter reads them):
  CLICKHOUSE_URL        a ClickHouse server, e.g. http://localhost:8123 (default: an embedded
                        ClickHouse engine in this process, from the chdb package)
  CLICKHOUSE_USER       user for CLICKHOUSE_URL (default: default)
  CLICKHOUSE_PASSWORD   password for CLICKHOUSE_URL
  CLICKHOUSE_DATABASE   database for the otel_* tables (default: otel)
  DEMO_SECONDS          how long the load runs (default: 10)
`;

/** `--help` prints the usage; any other argument is a mistake worth saying so. */
function handleArguments(args: readonly string[]): void {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE + otherBackendsLine() + '\n');
    process.exit(0);
  }
  if (args.length > 0) {
    process.stderr.write(`npm start: unknown argument ${args[0]}\n\n${USAGE}`);
    process.exit(2);
  }
}

/** The other exporters' READMEs, found in packages/, so a new backend is named without an edit. */
function otherBackendsLine(): string {
  const packages = join(__dirname, '..', '..', 'packages');
  const others = readdirSync(packages)
    .filter((folder) => folder.startsWith('exporter-') && folder !== 'exporter-clickhouse')
    .filter((folder) => existsSync(join(packages, folder, 'README.md')))
    .map((folder) => `packages/${folder}/README.md`);
  return `Other backends: ${others.join(', ')} (each README has its setup, for SDK 2.x and 3.x).`;
}

handleArguments(process.argv.slice(2));

const LOAD_SECONDS = Number(process.env.DEMO_SECONDS ?? 10);
const runId = randomUUID();
const database = process.env.CLICKHOUSE_DATABASE || 'otel';
const out = (line: string) => process.stdout.write(`${line}\n`);

function connect(): {
  client: ClickHouseClient;
  exporterOptions: ClickHouseExporterOptions;
  where: string;
} {
  const url = process.env.CLICKHOUSE_URL;
  if (url) {
    const first = new URL(url.split(',')[0].trim());
    const where = `the ClickHouse server at ${first.origin} (CLICKHOUSE_URL)`;
    first.username = '';
    first.password = '';
    const client = createClient({
      url: first.origin,
      username:
        process.env.CLICKHOUSE_USER ??
        decodeURIComponent(new URL(url.split(',')[0].trim()).username || 'default'),
      password:
        process.env.CLICKHOUSE_PASSWORD ??
        decodeURIComponent(new URL(url.split(',')[0].trim()).password),
    });
    // The exporters read CLICKHOUSE_URL, CLICKHOUSE_USER and CLICKHOUSE_PASSWORD themselves.
    return { client, exporterOptions: { database }, where };
  }
  const client = createEmbeddedClickHouseClient();
  return {
    client,
    exporterOptions: { client, database },
    where: 'an embedded ClickHouse engine (chdb, in this process)',
  };
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const { client, exporterOptions, where } = connect();
  out(
    `otelpack ClickHouse demo: a shop service under load for ${LOAD_SECONDS} s, telemetry into ${where}, database ${database}`,
  );

  const options: ClickHouseExporterOptions = {
    ...exporterOptions,
    flushIntervalMs: 1_000,
  };
  const spanExporter = new ClickHouseSpanExporter(options);
  const logExporter = new ClickHouseLogRecordExporter(options);
  const metricExporter = new ClickHouseMetricExporter(options);

  const resource = resourceFromAttributes({
    'service.name': 'demo-shop',
    'service.version': '1.0.0',
    'service.instance.id': runId,
    'deployment.environment.name': 'demo',
  });
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(spanExporter, { scheduledDelayMillis: 500 })],
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter: logExporter, scheduledDelayMillis: 500 })],
  });
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 2_000 }),
    ],
  });

  const shop = await startShop({ tracerProvider, loggerProvider, meterProvider });
  out(`shop listening on ${shop.url}; 8 simulated users browsing and checking out…`);
  const progress = (sent: number) => {
    const [spans, logs, metrics] = [spanExporter, logExporter, metricExporter].map((e) =>
      e.stats(),
    );
    out(
      `  ${String(Math.round((Date.now() - startedAt) / 1000)).padStart(3)} s  requests ${String(sent).padStart(5)}` +
        `  rows in ClickHouse: spans ${spans.delivered}, logs ${logs.delivered}, metric points ${metrics.delivered}` +
        `  (${spans.pending + logs.pending + metrics.pending} on the way)`,
    );
  };
  const load = await generateLoad(shop.url, {
    durationMs: LOAD_SECONDS * 1_000,
    users: 8,
    onProgress: progress,
  });
  await shop.close();
  out(
    `load done: ${load.sent} requests (${Object.entries(load.byStatus)
      .map(([s, n]) => `${n}× ${s}`)
      .join(', ')}); flushing…`,
  );

  await Promise.all([
    tracerProvider.forceFlush(),
    loggerProvider.forceFlush(),
    meterProvider.forceFlush(),
  ]);
  await Promise.all([
    spanExporter.forceFlush(),
    logExporter.forceFlush(),
    metricExporter.forceFlush(),
  ]);
  printTable(
    'Delivery ledger of the exporters (every record delivered, or dropped with a reason)',
    [spanExporter, logExporter, metricExporter].map((exporter) => {
      const s = exporter.stats();
      return {
        signal: s.signal,
        accepted: s.accepted,
        delivered: s.delivered,
        dropped: s.droppedTotal,
        pending: s.pending,
        inserts: s.requests,
        retries: s.retries,
      };
    }),
  );

  await report(client, database, runId);

  await Promise.all([
    tracerProvider.shutdown(),
    loggerProvider.shutdown(),
    meterProvider.shutdown(),
  ]);
  await client.close();
  out(
    `\ndone in ${((Date.now() - startedAt) / 1000).toFixed(1)} s. Query the same tables from Grafana's ClickHouse data source, or set CLICKHOUSE_URL to write to your own server.`,
  );
  out(otherBackendsLine());
}

main().catch((error: unknown) => {
  if (error instanceof ChdbNotInstalledError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
