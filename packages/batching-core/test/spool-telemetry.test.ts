import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import type * as NodeFs from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { DataPoint, Histogram, MetricData } from '@opentelemetry/sdk-metrics';
import { Pipeline } from '../src';
import type { SendResult, SpoolOptions } from '../src';
import { captureDiagWarnings } from '../src/testing';
import { ScriptedSender, eventually, range } from './helpers/scripted-sender';
import { spooledPipeline, tempSpoolDir } from './helpers/spool';

class TestReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

async function collect(reader: TestReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect();
  const byName = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics)
    for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
  return byName;
}

const value = (metrics: Map<string, MetricData>, name: string): unknown => {
  const metric = metrics.get(name);
  assert.ok(metric, `${name} is reported`);
  assert.equal(metric.dataPoints.length, 1, name);
  return (metric.dataPoints[0] as DataPoint<unknown>).value;
};

test('spool self-metrics: bytes on disk, segments, replayed records, fsync time', async () => {
  const { dir, cleanup } = tempSpoolDir('telemetry');
  const NEVER = (): Promise<SendResult> => new Promise(() => undefined);
  const options = {
    name: 'metered',
    signal: 'logs' as const,
    shutdownTimeoutMs: 20,
    spool: { directory: dir, fsync: 'always' as const, segmentBytes: 256 },
  };
  try {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const first = new Pipeline<number>({
      ...options,
      sender: new ScriptedSender<number>(NEVER),
      selfObsMeterProvider: provider,
    });
    for (let i = 0; i < 4; i++) await first.submit(range(10, i * 10));
    const spool = first.stats().spool as { diskBytes: number; segments: number; fsyncs: number };
    let metrics = await collect(reader);
    assert.ok(spool.diskBytes > 0 && spool.segments > 1, JSON.stringify(spool));
    assert.equal(value(metrics, 'otelpack.exporter.spool.bytes'), spool.diskBytes);
    assert.equal(value(metrics, 'otelpack.exporter.spool.segments'), spool.segments);
    assert.equal(value(metrics, 'otelpack.exporter.spool.unavailable'), 0, 'in use');
    const fsync = value(metrics, 'otelpack.exporter.spool.fsync.duration') as Histogram;
    assert.equal(fsync.count, spool.fsyncs);
    assert.ok(spool.fsyncs >= 4, 'one per accepted export at least');
    assert.equal(
      metrics.get('otelpack.exporter.spool.replayed'),
      undefined,
      'nothing replayed yet',
    );
    await first.shutdown();
    await provider.shutdown();

    const reader2 = new TestReader();
    const provider2 = new MeterProvider({ readers: [reader2] });
    const second = new Pipeline<number>({
      ...options,
      sender: new ScriptedSender<number>(NEVER),
      selfObsMeterProvider: provider2,
    });
    metrics = await collect(reader2);
    assert.equal(value(metrics, 'otelpack.exporter.spool.replayed'), 40);
    assert.equal(
      value(metrics, 'otel.sdk.exporter.log.inflight'),
      40,
      'replayed records are in flight',
    );
    await second.shutdown();
    await provider2.shutdown();
  } finally {
    cleanup();
  }
});

/** A spooled pipeline whose backend never answers: what it is given stays on disk. */
const unanswered = (name: string, spool: SpoolOptions, selfObsMeterProvider?: MeterProvider) =>
  spooledPipeline(spool.directory, new ScriptedSender<number>(() => new Promise(() => undefined)), {
    name,
    shutdownTimeoutMs: 20,
    spool,
    ...(selfObsMeterProvider ? { selfObsMeterProvider } : {}),
  });

test("a failed background fsync ('interval') is counted, in stats and as the fsync histogram's error.type, and said", async () => {
  const { dir, cleanup } = tempSpoolDir('fsync-failure');
  const fs = createRequire(__filename)('node:fs') as typeof NodeFs;
  const real = fs.fdatasync;
  let failing = true;
  // The disk answers the first fsync with EIO, as a failing device or a full thin volume does.
  fs.fdatasync = ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
    if (!failing) return real(fd, callback);
    failing = false;
    setImmediate(() =>
      callback(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })),
    );
  }) as typeof fs.fdatasync;
  const warnings = captureDiagWarnings();
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  const p = unanswered('eio', { directory: dir, fsync: 'interval', fsyncIntervalMs: 5 }, provider);
  try {
    await p.submit(range(10));
    await eventually(
      () => (p.stats().spool as { fsyncFailures: number }).fsyncFailures === 1,
      'the first fsync failed',
    );
    await p.submit(range(10, 10));
    await eventually(
      () => (p.stats().spool as { fsyncs: number }).fsyncs >= 1,
      'a later one passed',
    );
    const spool = p.stats().spool as { fsyncs: number; fsyncFailures: number };
    assert.equal(spool.fsyncFailures, 1);
    const metric = (await collect(reader)).get('otelpack.exporter.spool.fsync.duration');
    assert.ok(metric);
    const points = metric.dataPoints as DataPoint<Histogram>[];
    const failed = points.filter((point) => point.attributes['error.type'] !== undefined);
    assert.deepEqual(
      failed.map((point) => [point.attributes['error.type'], point.value.count]),
      [['EIO', 1]],
    );
    const succeeded = points.find((point) => point.attributes['error.type'] === undefined);
    assert.equal(succeeded?.value.count, spool.fsyncs, 'the good ones apart');
    assert.ok(
      warnings.lines.some((line) => /eio-logs: fsync failed \(EIO/.test(line)),
      warnings.lines.join('\n'),
    );
    // Accepted exports stay accepted: they were written (a process crash loses none of them);
    // only a power cut might, which the count and the warning are there to show.
    assert.equal(p.stats().dropped.queue_full ?? 0, 0);
  } finally {
    fs.fdatasync = real;
    warnings.stop();
    await p.shutdown();
    await provider.shutdown();
    cleanup();
  }
});

test('a failed fsync at a clean close is counted once', async () => {
  const { dir, cleanup } = tempSpoolDir('fsync-close');
  const fs = createRequire(__filename)('node:fs') as typeof NodeFs;
  const real = fs.fdatasyncSync;
  const warnings = captureDiagWarnings();
  // No periodic fsync within the test: the close is the one that syncs what was written.
  const p = unanswered('close', { directory: dir, fsync: 'interval', fsyncIntervalMs: 60_000 });
  try {
    await p.submit(range(10));
    fs.fdatasyncSync = () => {
      throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    };
    await p.shutdown();
    const spool = p.stats().spool as { fsyncs: number; fsyncFailures: number };
    assert.deepEqual([spool.fsyncs, spool.fsyncFailures], [0, 1]);
    assert.equal(warnings.lines.filter((line) => /fsync failed \(EIO/.test(line)).length, 1);
  } finally {
    fs.fdatasyncSync = real;
    warnings.stop();
    cleanup();
  }
});

test('a directory fsync the disk fails is counted; one the platform declines is not', async () => {
  const fs = createRequire(__filename)('node:fs') as typeof NodeFs;
  const real = fs.fsyncSync;
  for (const [code, counted] of [
    ['EIO', 1],
    ['EINVAL', 0],
  ] as const) {
    const { dir, cleanup } = tempSpoolDir(`dir-fsync-${code}`);
    const warnings = captureDiagWarnings();
    // Only directories are synced with fsync (segments with fdatasync): each new segment's name.
    fs.fsyncSync = () => {
      throw Object.assign(new Error(`${code}: fsync`), { code });
    };
    const p = unanswered('dir', { directory: dir, fsync: 'always', segmentBytes: 256 });
    try {
      // Several segments, each a directory fsync under 'always'; the exports all stay accepted.
      for (let i = 0; i < 4; i++) assert.deepEqual((await p.submit(range(10, i * 10))).dropped, {});
      const spool = p.stats().spool as { segments: number; fsyncFailures: number };
      assert.ok(spool.segments > 1, code);
      assert.equal(spool.fsyncFailures, counted * spool.segments, code);
      const said = warnings.lines.filter((line) => /directory fsync failed/.test(line));
      assert.equal(said.length, counted * spool.segments, code);
    } finally {
      fs.fsyncSync = real;
      warnings.stop();
      await p.shutdown();
      cleanup();
    }
  }
});

test('a spool out of use says so: one that could not be opened, and one whose lock was taken over', async () => {
  const { dir, cleanup } = tempSpoolDir('unavailable');
  try {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    // A file where the directory should be: the pipeline runs on memory, with the error in stats.
    const file = join(dir, 'not-a-directory');
    writeFileSync(file, '');
    const unopened = new Pipeline<number>({
      name: 'unopened',
      signal: 'logs',
      sender: new ScriptedSender<number>(),
      selfObsMeterProvider: provider,
      spool: { directory: file },
    });
    assert.ok((unopened.stats().spool as { error?: string }).error);
    let metrics = await collect(reader);
    assert.equal(value(metrics, 'otelpack.exporter.spool.unavailable'), 1);
    assert.equal(metrics.get('otelpack.exporter.spool.bytes'), undefined, 'no spool to measure');
    await unopened.shutdown();
    await provider.shutdown();

    // A provider of its own: a cumulative reader keeps the stopped pipeline's last point.
    const reader2 = new TestReader();
    const provider2 = new MeterProvider({ readers: [reader2] });
    const taken = new Pipeline<number>({
      name: 'taken',
      signal: 'logs',
      sender: new ScriptedSender<number>(() => new Promise(() => undefined)),
      selfObsMeterProvider: provider2,
      shutdownTimeoutMs: 20,
      spool: { directory: dir },
    });
    await taken.submit([1]);
    metrics = await collect(reader2);
    assert.equal(value(metrics, 'otelpack.exporter.spool.unavailable'), 0);
    const lock = join(dir, 'taken-logs', 'lock');
    rmSync(lock);
    writeFileSync(
      lock,
      `${JSON.stringify({ pid: 1, host: 'elsewhere', token: 'd'.repeat(32) })}\n`,
    );
    // Said before any write meets the takeover.
    metrics = await collect(reader2);
    assert.equal(value(metrics, 'otelpack.exporter.spool.unavailable'), 1);
    await taken.shutdown();
    await provider2.shutdown();
  } finally {
    cleanup();
  }
});

test('no spool: no spool instruments', async () => {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  const p = new Pipeline<number>({
    name: 'plain',
    signal: 'logs',
    sender: new ScriptedSender<number>(),
    selfObsMeterProvider: provider,
  });
  await p.submit([1]);
  const names = [...(await collect(reader)).keys()];
  assert.deepEqual(
    names.filter((n) => n.includes('spool')),
    [],
  );
  await p.shutdown();
  await provider.shutdown();
});
