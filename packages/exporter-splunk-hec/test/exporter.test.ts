import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeadLetter, DeadLetterHandler, UnmappedLetter } from '@otelpack/batching-core';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';
import { SplunkHecLogRecordExporter } from '../src';
import type { HecRecord, SplunkHecExporterOptions } from '../src';
import { HecFake, newToken } from './helpers/fake';
import { logRecord } from './helpers/items';

/*
 * The log exporter end to end, into otelpack's HEC fake (integration/src/fakes/hec-fake.ts, a
 * fake written from Splunk's documentation) run in this process.
 */
const FAST = { flushIntervalMs: 10, initialBackoffMs: 10, maxBackoffMs: 50, healthCheck: false };

let fake: HecFake;
let url: string;
before(async () => {
  fake = new HecFake();
  url = await fake.listen();
});
after(() => fake.close());

function exporterFor(
  token: string,
  options: SplunkHecExporterOptions = {},
): SplunkHecLogRecordExporter {
  return new SplunkHecLogRecordExporter({ url, auth: { token }, ...FAST, ...options });
}

async function exportLogs(
  exporter: SplunkHecLogRecordExporter,
  bodies: unknown[],
  attributes = {},
): Promise<void> {
  const records = bodies.map((body) => logRecord({ body: body as never, attributes }));
  await new Promise<void>((resolve) => exporter.export(records, () => resolve()));
  await exporter.forceFlush();
}

function collect(): {
  letters: (DeadLetter<HecRecord> | UnmappedLetter)[];
  handler: DeadLetterHandler<HecRecord>;
} {
  const letters: (DeadLetter<HecRecord> | UnmappedLetter)[] = [];
  return { letters, handler: (letter) => void letters.push(letter) };
}

describe('SplunkHecLogRecordExporter into the HEC fake', () => {
  it('delivers, gzip on, with HEC headers, and the events are stored as sent', async () => {
    const token = newToken();
    fake.addToken(token);
    const exporter = exporterFor(token.token, { index: 'otel', sourcetype: 'otel:logs' });
    await exportLogs(exporter, ['a', 'b', { msg: 'c' }], { 'service.name': 'svc' });
    await exporter.shutdown();
    const stats = exporter.stats();
    assert.equal(stats.delivered, 3);
    assertLedgerBalances(stats);
    assert.deepEqual(
      fake.events(token.token).map((e) => [e.event, e.index, e.sourcetype, e.host, e.fields]),
      [
        ['a', 'otel', 'otel:logs', 'unknown', { 'service.name': 'svc' }],
        ['b', 'otel', 'otel:logs', 'unknown', { 'service.name': 'svc' }],
        [{ msg: 'c' }, 'otel', 'otel:logs', 'unknown', { 'service.name': 'svc' }],
      ],
    );
    // gzip: fewer bytes on the wire than in the body.
    const fakeStats = fake.stats(token.token);
    assert.ok(fakeStats.largestWireBytes < fakeStats.largestBodyBytes, JSON.stringify(fakeStats));
  });

  it('busy midway (503, code 9, invalid-event-number 2): the rest sent after the backoff, each event stored once', async () => {
    const token = newToken();
    fake.addToken(token);
    fake.addFaults(token.token, [{ status: 503, code: 9, text: 'Server is busy', takeFirst: 2 }]);
    const exporter = exporterFor(token.token);
    await exportLogs(exporter, ['e0', 'e1', 'e2', 'e3', 'e4']);
    await exporter.shutdown();
    const stats = exporter.stats();
    assert.deepEqual(
      fake.events(token.token).map((e) => e.event),
      ['e0', 'e1', 'e2', 'e3', 'e4'],
    );
    assert.equal(stats.delivered, 5);
    assert.equal(fake.stats(token.token).requests, 2, 'one request, and one for the rest');
    assertLedgerBalances(stats);
  });

  it('an index the token may not write to (code 7) refuses every event naming it in one request, not one request each', async () => {
    const token = newToken({ allowedIndexes: ['main'] });
    fake.addToken(token);
    const exporter = exporterFor(token.token);
    const records = Array.from({ length: 40 }, (_, i) =>
      logRecord({
        body: `e${i}`,
        attributes: i % 2 === 0 ? { 'com.splunk.index': 'forbidden' } : {},
      }),
    );
    await new Promise<void>((resolve) => exporter.export(records, () => resolve()));
    await exporter.forceFlush();
    await exporter.shutdown();
    const stats = exporter.stats();
    assert.deepEqual(
      fake.events(token.token).map((e) => e.event),
      records.filter((_, i) => i % 2 === 1).map((r) => r.body),
      'each allowed event stored once',
    );
    assert.equal(stats.dropped.rejected, 20);
    assert.equal(fake.stats(token.token).requests, 2, 'refused once, then the rest');
    assertLedgerBalances(stats);
  });

  it('a wrong token: refused (HEC code 4), rejected as a whole, dead-lettered with HEC text, the token nowhere', async () => {
    const { letters, handler } = collect();
    const wrong = newToken().token;
    const exporter = exporterFor(wrong, { deadLetter: handler });
    await exportLogs(exporter, ['x', 'y']);
    await exporter.shutdown();
    assert.equal(exporter.stats().dropped.rejected, 2);
    const letter = letters[0] as DeadLetter<HecRecord>;
    assert.equal(letter.reason, 'rejected');
    assert.match(letter.items[0].detail, /HTTP 403, HEC code 4: Invalid token/);
    assert.ok(!JSON.stringify(letters).includes(wrong));
  });

  it('requests stay within maxBatchBytes, counted on the event bytes HEC reads', async () => {
    const token = newToken();
    fake.addToken(token);
    const exporter = exporterFor(token.token, { maxBatchBytes: 2_000, compression: 'none' });
    const bodies = Array.from({ length: 60 }, (_, i) => `event-${i}-${'x'.repeat(80)}`);
    await exportLogs(exporter, bodies);
    await exporter.shutdown();
    const stats = fake.stats(token.token);
    assert.equal(fake.events(token.token).length, 60);
    assert.ok(stats.requests >= 3, `${stats.requests} requests`);
    assert.ok(stats.largestBodyBytes <= 2_000, `largest request ${stats.largestBodyBytes} B`);
    assert.deepEqual(
      fake.events(token.token).map((e) => e.event),
      bodies,
    );
  });

  it('one event over the limit is dropped as too_large with its reason; the others go', async () => {
    const token = newToken();
    fake.addToken(token);
    const { letters, handler } = collect();
    const exporter = exporterFor(token.token, { maxBatchBytes: 1_000, deadLetter: handler });
    await exportLogs(exporter, ['small-1', 'y'.repeat(5_000), 'small-2']);
    await exporter.shutdown();
    const stats = exporter.stats();
    assert.equal(stats.delivered, 2);
    assert.equal(stats.dropped.too_large, 1);
    assertLedgerBalances(stats);
    assert.deepEqual(
      fake.events(token.token).map((e) => e.event),
      ['small-1', 'small-2'],
    );
    const letter = letters.find((l) => l.reason === 'too_large') as DeadLetter<HecRecord>;
    assert.match(letter.items[0].detail, /record of 50\d\d bytes exceeds maxBatchBytes \(1000\)/);
  });

  it("a request over HEC's max_content_length (413) is halved until it fits; every event delivered once", async () => {
    const small = new HecFake({ maxContentLength: 3_000 });
    const smallUrl = await small.listen();
    const token = newToken();
    small.addToken(token);
    const exporter = new SplunkHecLogRecordExporter({
      url: smallUrl,
      auth: { token: token.token },
      ...FAST,
      compression: 'none',
      maxBatchBytes: 20_000,
    });
    const bodies = Array.from({ length: 80 }, (_, i) => `event-${i}-${'z'.repeat(100)}`);
    await exportLogs(exporter, bodies);
    await exporter.shutdown();
    await small.close();
    assert.equal(exporter.stats().delivered, 80);
    assert.ok((small.stats(token.token).refusedByCode['413'] ?? 0) >= 1);
    assert.deepEqual(
      small
        .events(token.token)
        .map((e) => e.event)
        .sort(),
      [...bodies].sort(),
    );
  });

  it('server busy (503, code 9, Retry-After): sent again, delivered once', async () => {
    const token = newToken();
    fake.addToken(token);
    fake.addFaults(token.token, [
      { status: 503, code: 9, text: 'Server is busy', retryAfter: '0', times: 2 },
    ]);
    const exporter = exporterFor(token.token);
    await exportLogs(exporter, ['p', 'q']);
    await exporter.shutdown();
    assert.equal(exporter.stats().delivered, 2);
    assert.equal(fake.stats(token.token).refused, 2);
    assert.deepEqual(
      fake.events(token.token).map((e) => e.event),
      ['p', 'q'],
    );
  });

  it('metadataAttributes and hecFields: the attributes that route, the fields severity goes to', async () => {
    const token = newToken();
    fake.addToken(token);
    const exporter = exporterFor(token.token, {
      metadataAttributes: { index: 'tenant.index', host: 'k8s.pod.name' },
      hecFields: { severityText: 'level' },
    });
    const record = logRecord({
      body: 'routed',
      severityText: 'WARN',
      attributes: {
        'tenant.index': 'tenant_a',
        'k8s.pod.name': 'pod-1',
        'com.splunk.index': 'kept',
      },
    });
    await new Promise<void>((resolve) => exporter.export([record], () => resolve()));
    await exporter.shutdown();
    const [event] = fake.events(token.token);
    assert.deepEqual(
      [event.index, event.host, event.fields],
      ['tenant_a', 'pod-1', { level: 'WARN', 'com.splunk.index': 'kept' }],
    );
    assert.throws(
      () =>
        exporterFor(token.token, {
          metadataAttributes: { namespace: 'k8s.namespace.name' } as never,
        }),
      /metadataAttributes\.namespace: expected one of index, source, sourcetype, host/,
    );
  });

  it('a log record without a body is rejected at mapping, never sent', async () => {
    const token = newToken();
    fake.addToken(token);
    const { letters, handler } = collect();
    const exporter = exporterFor(token.token, { deadLetter: handler });
    await exportLogs(exporter, ['ok', '']);
    await exporter.shutdown();
    assert.deepEqual(
      fake.events(token.token).map((e) => e.event),
      ['ok'],
    );
    assert.equal(letters[0].stage, 'mapping');
    assert.match(letters[0].items[0].detail, /without a body/);
  });
});

describe('the health check', () => {
  it('HEC healthy and the token taken', async () => {
    const token = newToken();
    fake.addToken(token);
    const exporter = exporterFor(token.token);
    const report = await exporter.checkHealth();
    await exporter.shutdown();
    assert.deepEqual([report.ok, report.hec, report.token], [true, 'healthy', 'accepted']);
    assert.equal(fake.events(token.token).length, 0, 'the check indexes nothing');
  });

  it('a token with acknowledgement and the exporter without (HEC asks for a channel, code 10) is a problem naming the fix', async () => {
    const token = newToken({ ack: true });
    fake.addToken(token);
    const exporter = exporterFor(token.token);
    const report = await exporter.checkHealth();
    await exporter.shutdown();
    assert.deepEqual([report.ok, report.token], [false, 'accepted']);
    assert.match(report.summary, /HEC code 10: Data channel is missing/);
    assert.match(report.summary, /set indexerAcknowledgement: true/);
    const withAck = exporterFor(token.token, { indexerAcknowledgement: true });
    const fixed = await withAck.checkHealth();
    await withAck.shutdown();
    assert.deepEqual([fixed.ok, fixed.token], [true, 'accepted'], fixed.summary);
  });

  it('a token refused on HTTP 400 (code 22, Token disabled, newer Splunk releases) is refused, not taken', async () => {
    const token = newToken();
    fake.addToken(token);
    fake.addFaults(token.token, [{ status: 400, code: 22, text: 'Token disabled' }]);
    const exporter = exporterFor(token.token);
    const report = await exporter.checkHealth();
    await exporter.shutdown();
    assert.deepEqual([report.ok, report.token], [false, 'refused']);
    assert.match(report.summary, /HEC refuses the token \(HTTP 400, HEC code 22: Token disabled\)/);
  });

  it('a wrong token is reported at once, without the token', async () => {
    const wrong = newToken().token;
    const exporter = exporterFor(wrong);
    const report = await exporter.checkHealth();
    await exporter.shutdown();
    assert.deepEqual([report.ok, report.token], [false, 'refused']);
    assert.match(report.summary, /HEC refuses the token \(HTTP 403, HEC code 4: Invalid token\)/);
    assert.ok(!report.summary.includes(wrong));
  });

  it('an answer that quotes the token back (a proxy, a HEC-compatible receiver) is redacted in the report', async () => {
    const token = newToken();
    fake.addToken(token);
    // Splunk does not echo tokens; a proxy in front of it may quote the Authorization header.
    fake.addFaults(token.token, [
      { status: 401, code: 3, text: `Invalid authorization: Splunk ${token.token}` },
    ]);
    const exporter = exporterFor(token.token);
    const report = await exporter.checkHealth();
    await exporter.shutdown();
    assert.equal(report.token, 'refused');
    assert.match(report.summary, /HEC code 3: Invalid authorization: \[REDACTED\]/);
    assert.ok(!report.summary.includes(token.token), report.summary);
  });

  it('an unhealthy HEC (503, code 18: queues full) is reported', async () => {
    const token = newToken();
    fake.addToken(token);
    fake.healthCode = 18;
    try {
      const exporter = exporterFor(token.token);
      const report = await exporter.checkHealth();
      await exporter.shutdown();
      assert.deepEqual([report.ok, report.hec, report.token], [false, 'unhealthy', 'accepted']);
      assert.match(
        report.summary,
        /HEC is not healthy \(HTTP 503, HEC code 18: HEC is unhealthy, queues are full\)/,
      );
    } finally {
      fake.healthCode = 17;
    }
  });

  it('a wrong URL is reported as unreachable', async () => {
    const exporter = new SplunkHecLogRecordExporter({
      url: 'http://127.0.0.1:9',
      auth: { token: newToken().token },
      ...FAST,
    });
    const report = await exporter.checkHealth();
    await exporter.shutdown();
    assert.deepEqual([report.ok, report.hec], [false, 'unreachable']);
    assert.match(report.summary, /unreachable/);
  });
});
