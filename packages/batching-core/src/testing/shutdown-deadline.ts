import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import assert from 'node:assert/strict';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { PipelineStats } from '../pipeline';
import type { Signal } from '../types';
import { assertLedgerBalances } from './ledger-assert';

/*
 * What a shutdown-deadline test needs, whatever the SDK version: a backend that is down, one
 * that accepts connections and never answers, and the WARN lines the exporters say meanwhile.
 * The SDK's providers are the caller's (SDK 2.x and 3.x differ in their constructors).
 */

/** A backend that accepts connections, reads what it is sent, and never answers. */
export interface StalledBackend {
  url: string;
  /** Connections accepted so far (a test can check the exporter did reach it). */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startStalledBackend(): Promise<StalledBackend> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The URL of a port that was just free: connecting to it is refused (a backend that is down). */
export async function downBackendUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Collects every WARN (and ERROR) line said through `diag` until `stop()`. */
export function captureDiagWarnings(): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  const keep = (message: string, ...args: unknown[]) =>
    lines.push([message, ...args.map(String)].join(' '));
  diag.setLogger(
    { error: keep, warn: keep, info: () => {}, debug: () => {}, verbose: () => {} },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return { lines, stop: () => diag.disable() };
}

/** How long `shutdown` took, in milliseconds. */
export async function timeShutdown(shutdown: () => Promise<unknown>): Promise<number> {
  const startedMs = Date.now();
  await shutdown();
  return Date.now() - startedMs;
}

/** One exporter and signal under a shutdown-deadline test. */
export interface ShutdownDeadlineCase<E extends { stats(): PipelineStats }> {
  /** The exporter's `name` (its log lines start `otelpack <name> <signal>:`). */
  name: string;
  signal: Signal;
  make(url: string): E;
}

export interface ShutdownDeadlineCheck<E extends { stats(): PipelineStats }> {
  state: 'down' | 'stalled';
  cases: readonly ShutdownDeadlineCase<E>[];
  /** Registers the exporter in the SDK's provider, makes telemetry, and returns `timeShutdown(...)`. */
  exportThenShutDown(c: ShutdownDeadlineCase<E>, exporter: E): Promise<number>;
  deadlineMs: number;
  marginMs: number;
  /** Where the measured times go (the test's `diagnostic`). */
  report?(text: string): void;
}

/**
 * Every case at once against one backend state: each provider's shutdown must end within the
 * deadline + margin, leave nothing pending, drop as `shutdown` what it could not send, and say
 * so in exactly one WARN line with that count. The SDK 2.x and 3.x suites share it.
 */
export async function checkShutdownDeadline<E extends { stats(): PipelineStats }>(
  check: ShutdownDeadlineCheck<E>,
): Promise<void> {
  const stalled = check.state === 'stalled' ? await startStalledBackend() : undefined;
  const url = stalled?.url ?? (await downBackendUrl());
  const warnings = captureDiagWarnings();
  try {
    const runs = await Promise.all(
      check.cases.map(async (c) => {
        const exporter = c.make(url);
        return { c, exporter, elapsedMs: await check.exportThenShutDown(c, exporter) };
      }),
    );
    check.report?.(runs.map((r) => `${r.c.name} ${r.c.signal}: ${r.elapsedMs} ms`).join(', '));
    for (const { c, exporter, elapsedMs } of runs) {
      const label = `${c.name} ${c.signal}`;
      assert.ok(
        elapsedMs <= check.deadlineMs + check.marginMs,
        `${label}: provider.shutdown() took ${elapsedMs} ms`,
      );
      const stats = exporter.stats();
      assertLedgerBalances(stats, label);
      assert.equal(stats.pending, 0, `${label}: nothing left pending after shutdown`);
      assert.ok(stats.dropped.shutdown > 0, `${label}: ${JSON.stringify(stats.dropped)}`);
      const said = warnings.lines.filter((line) =>
        line.startsWith(`otelpack ${c.name} ${c.signal}: shut down:`),
      );
      assert.equal(said.length, 1, `${label}: WARN lines:\n${warnings.lines.join('\n')}`);
      assert.match(said[0], new RegExp(`shutdown: ${stats.dropped.shutdown}\\)`));
    }
    if (stalled) assert.ok(stalled.connections > 0, 'the exporters reached the stalled backend');
  } finally {
    warnings.stop();
    await stalled?.close();
  }
}
