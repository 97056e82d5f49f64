import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AggregationTemporality,
  ExportResultCode,
  Pipeline,
  PipelineLogRecordExporter,
  PipelineMetricExporter,
  PipelineSpanExporter,
  temporalitySelector,
} from '../src';
import type { ExportResult, InstrumentType, ReadableSpanLike, SendResult } from '../src';
import { assertLedgerBalances } from '../src/testing';
import { ScriptedSender } from './helpers/scripted-sender';

const span = (name: string) => ({ name }) as unknown as ReadableSpanLike;

function exportOnce<I>(
  exporter: { export(items: I, cb: (r: ExportResult) => void): void },
  items: I,
) {
  return new Promise<ExportResult>((resolve) => exporter.export(items, resolve));
}

function spanExporter(script?: () => SendResult | Promise<SendResult>, options = {}) {
  const sender = new ScriptedSender<string>(script);
  const pipeline = new Pipeline<string>({
    name: 'adapter',
    signal: 'traces',
    sender,
    flushIntervalMs: 1,
    ...options,
  });
  const exporter = new PipelineSpanExporter<string>({
    pipeline,
    map: (s) => {
      if (s.name === 'boom') throw new Error('cannot map boom');
      return s.name;
    },
  });
  return { sender, pipeline, exporter };
}

test('queued delivery: the callback fires on acceptance with SUCCESS', async () => {
  // The send never answers; shutdown gives up on it after shutdownTimeoutMs instead of the 10 s default.
  const { exporter, pipeline, sender } = spanExporter(() => new Promise(() => {}), {
    requestTimeoutMs: 60_000,
    shutdownTimeoutMs: 200,
  });
  const result = await exportOnce(exporter, [span('a'), span('b')]);
  assert.equal(result.code, ExportResultCode.SUCCESS);
  assert.equal(pipeline.stats().pending, 2);
  assert.equal(sender.delivered.length, 0);
  await exporter.shutdown();
});

test('direct delivery: the callback carries the delivery outcome', async () => {
  const { exporter } = spanExporter(() => ({ kind: 'permanent', reason: 'HTTP 400: mapping' }), {
    deliveryMode: 'direct',
  });
  const result = await exportOnce(exporter, [span('a')]);
  assert.equal(result.code, ExportResultCode.FAILED);
  assert.match(
    result.error?.message ?? '',
    /1 of 1 records dropped \(rejected: HTTP 400: mapping\)/,
  );
  assert.equal((result.error as { code?: string }).code, 'OTELPACK_ERR_DROPPED');
  await exporter.shutdown();
});

test('an item the mapping cannot handle is counted as rejected; the others go on', async () => {
  const { exporter, pipeline, sender } = spanExporter(undefined, { deliveryMode: 'direct' });
  const result = await exportOnce(exporter, [span('a'), span('boom'), span('c')]);
  assert.equal(result.code, ExportResultCode.FAILED);
  assert.match(result.error?.message ?? '', /1 of 3 items could not be mapped/);
  assert.deepEqual(sender.delivered.sort(), ['a', 'c']);
  const stats = pipeline.stats();
  assert.equal(stats.accepted, 3);
  assert.equal(stats.dropped.rejected, 1);
  assertLedgerBalances(stats);
  await exporter.shutdown();
});

test('export after shutdown fails and is counted as dropped (shutdown)', async () => {
  const { exporter, pipeline } = spanExporter();
  await exporter.shutdown();
  const result = await exportOnce(exporter, [span('late')]);
  assert.equal(result.code, ExportResultCode.FAILED);
  assert.equal(pipeline.stats().dropped.shutdown, 1);
  assertLedgerBalances(pipeline.stats());
});

test('a throwing SDK callback is contained and never called twice', async () => {
  const { exporter } = spanExporter();
  let calls = 0;
  await new Promise<void>((resolve) => {
    exporter.export([span('a')], () => {
      calls++;
      setTimeout(resolve, 20);
      throw new Error('callback bug');
    });
  });
  assert.equal(calls, 1);
  await exporter.shutdown();
});

test('forceFlush delivers everything exported before it', async () => {
  const { exporter, sender } = spanExporter(undefined, { flushIntervalMs: 60_000 });
  await exportOnce(exporter, [span('a'), span('b')]);
  assert.equal(sender.delivered.length, 0);
  await exporter.forceFlush();
  assert.deepEqual(sender.delivered.sort(), ['a', 'b']);
  await exporter.shutdown();
});

test('log and metric exporters hand their items to the pipeline the same way', async () => {
  const sender = new ScriptedSender<string>();
  const logs = new PipelineLogRecordExporter<string>({
    pipeline: new Pipeline({ name: 'l', signal: 'logs', sender, flushIntervalMs: 1 }),
    map: (log) => String(log.body),
  });
  await exportOnce(logs, [{ body: 'hello' } as never]);
  await logs.forceFlush();
  const metrics = new PipelineMetricExporter<string>({
    pipeline: new Pipeline({ name: 'm', signal: 'metrics', sender, flushIntervalMs: 1 }),
    map: (rm) => rm.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name)),
  });
  await exportOnce(metrics, {
    resource: { attributes: {} },
    scopeMetrics: [
      {
        scope: { name: 's' },
        metrics: [{ descriptor: { name: 'm1' } }, { descriptor: { name: 'm2' } }],
      },
    ],
  } as never);
  await metrics.forceFlush();
  assert.deepEqual(sender.delivered.sort(), ['hello', 'm1', 'm2']);
  await Promise.all([logs.shutdown(), metrics.shutdown()]);
});

test('temporality preferences select per instrument type', () => {
  const types: InstrumentType[] = [
    'COUNTER',
    'OBSERVABLE_COUNTER',
    'HISTOGRAM',
    'UP_DOWN_COUNTER',
    'OBSERVABLE_UP_DOWN_COUNTER',
    'GAUGE',
    'OBSERVABLE_GAUGE',
  ];
  const { DELTA: D, CUMULATIVE: C } = AggregationTemporality;
  const table: [Parameters<typeof temporalitySelector>[0], number[]][] = [
    ['cumulative', [C, C, C, C, C, C, C]],
    ['delta', [D, D, D, C, C, D, D]],
    ['lowmemory', [D, C, D, C, C, C, C]],
  ];
  for (const [preference, expected] of table) {
    assert.deepEqual(types.map(temporalitySelector(preference)), expected, String(preference));
  }
  assert.throws(
    () => temporalitySelector('sideways' as never),
    /temporality: expected 'cumulative', 'delta', 'lowmemory'/,
  );
  const exporter = new PipelineMetricExporter<string>({
    pipeline: new Pipeline({ name: 'm', signal: 'metrics', sender: new ScriptedSender<string>() }),
    map: () => [],
    temporality: 'delta',
  });
  assert.equal(exporter.selectAggregationTemporality('COUNTER'), D);
  assert.equal(exporter.selectAggregationTemporality('UP_DOWN_COUNTER'), C);
});
