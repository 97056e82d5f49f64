import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReadableLogRecordLike, ReadableSpanLike } from '@otelpack/batching-core';
import { DynatraceLogRecordExporter, DynatraceSpanExporter } from '../src';

/*
 * Traces and logs: exporter-otlp's encoding with Dynatrace's time windows. Items outside them are
 * refused at mapping (counted rejected, with the reason, to the dead-letter hook) and never sent;
 * nobody listens at the URL, so only refusals can be seen here.
 */
const NOBODY = { url: 'http://127.0.0.1:9', auth: { token: 'dt0c01.T' }, shutdownTimeoutMs: 50 };

function hr(ms: number): [number, number] {
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}

function log(ageMs: number): ReadableLogRecordLike {
  const time = hr(Date.now() - ageMs);
  return {
    hrTime: time,
    hrTimeObserved: time,
    body: 'x',
    resource: { attributes: {} },
    instrumentationScope: { name: 't' },
    attributes: {},
    droppedAttributesCount: 0,
  };
}

function span(endAgoMs: number): ReadableSpanLike {
  const end = hr(Date.now() - endAgoMs);
  return {
    name: 's',
    kind: 0,
    spanContext: () => ({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }),
    startTime: end,
    endTime: end,
    duration: [0, 0],
    ended: true,
    status: { code: 0 },
    attributes: {},
    links: [],
    events: [],
    resource: { attributes: {} },
    instrumentationScope: { name: 't' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

async function refusals(
  exporter: DynatraceLogRecordExporter | DynatraceSpanExporter,
  items: unknown[],
): Promise<{ accepted: number; rejected: number }> {
  await new Promise((resolve) => exporter.export(items as never, resolve));
  const { accepted, dropped } = exporter.stats();
  await exporter.shutdown();
  return { accepted, rejected: dropped.rejected };
}

describe('traces and logs: Dynatrace’s time windows', () => {
  const cases: {
    title: string;
    make: (d: string[]) => DynatraceLogRecordExporter | DynatraceSpanExporter;
    item: unknown;
    rejected: number;
    reason?: RegExp;
  }[] = [
    {
      title: 'a log record 25 hours old: refused (the ingest would refuse its whole request)',
      make: (d) =>
        new DynatraceLogRecordExporter({
          ...NOBODY,
          deadLetter: (l) => void d.push(...l.items.map((i) => i.detail)),
        }),
      item: log(25 * 3_600_000),
      rejected: 1,
      reason: /the log record is from 25 h ago; Dynatrace drops anything older than 24 h/,
    },
    {
      title: 'a log record 23 hours old: sent',
      make: () => new DynatraceLogRecordExporter(NOBODY),
      item: log(23 * 3_600_000),
      rejected: 0,
    },
    {
      title: 'a span that ended 61 minutes ago: refused',
      make: (d) =>
        new DynatraceSpanExporter({
          ...NOBODY,
          deadLetter: (l) => void d.push(...l.items.map((i) => i.detail)),
        }),
      item: span(61 * 60_000),
      rejected: 1,
      reason: /the span ended 61 min ago; Dynatrace drops anything older than 60 min/,
    },
    {
      title: 'a span ending 11 minutes ahead: refused',
      make: (d) =>
        new DynatraceSpanExporter({
          ...NOBODY,
          deadLetter: (l) => void d.push(...l.items.map((i) => i.detail)),
        }),
      item: span(-11 * 60_000),
      rejected: 1,
      reason: /ahead of this host's clock; Dynatrace drops anything more than 10 min ahead/,
    },
  ];
  for (const c of cases) {
    it(c.title, async () => {
      const details: string[] = [];
      const exporter = c.make(details);
      // Every item is counted: refused at mapping, or taken into the pipeline to be sent.
      assert.deepEqual(await refusals(exporter, [c.item]), { accepted: 1, rejected: c.rejected });
      if (c.reason) assert.match(details.join('\n'), c.reason);
    });
  }
});

describe('traces and logs without a URL', () => {
  for (const signal of ['traces', 'logs'] as const) {
    it(`${signal}: the exporter constructs, and every batch is refused with the reason`, async () => {
      const details: string[] = [];
      const options = {
        deliveryMode: 'direct' as const,
        deadLetter: (l: { items: { detail: string }[] }) =>
          void details.push(...l.items.map((i) => i.detail)),
      };
      const exporter =
        signal === 'traces'
          ? new DynatraceSpanExporter(options)
          : new DynatraceLogRecordExporter(options);
      const item = signal === 'traces' ? span(0) : log(0);
      const result = await new Promise<{ code: number }>((resolve) =>
        exporter.export([item] as never, resolve),
      );
      await exporter.shutdown();
      assert.equal(result.code, 1);
      assert.equal(exporter.stats().dropped.rejected, 1);
      assert.match(
        details.join('\n'),
        new RegExp(`no DT_API_URL or url: ${signal} go to the environment's OTLP API`),
      );
    });
  }
});
