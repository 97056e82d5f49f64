import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Pipeline } from '@otelpack/batching-core';
import type { FaultSink } from '@otelpack/batching-core/testing';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';
import { RemoteWriteSender, resolveConfig, timeSeriesEntryLength } from '../src';
import type { TimeSeries } from '../src';
import type { DecodedSeries } from './helpers/proto';
import { startRemoteWriteSink } from './helpers/sink';

const T = 1_700_000_000_000;
const series = (i: number): TimeSeries => ({
  labels: [
    { name: '__name__', value: 'm' },
    { name: 'i', value: String(i) },
  ],
  samples: [{ value: i, timestampMs: T + i }],
});

const sinks: FaultSink[] = [];
async function sink(): Promise<FaultSink> {
  const s = await startRemoteWriteSink();
  sinks.push(s);
  return s;
}
after(async () => {
  await Promise.all(sinks.map((s) => s.close()));
});

function sender(urls: string[], options: Parameters<typeof resolveConfig>[0] = {}) {
  const config = resolveConfig({ url: urls, ...options });
  return new RemoteWriteSender({
    endpoints: config.endpoints,
    transport: { headers: config.headers },
  });
}

const context = () => ({ signal: new AbortController().signal, attempt: 1 });

describe('RemoteWriteSender', () => {
  it('posts one snappy protobuf WriteRequest with the three headers, to /api/v1/write', async () => {
    const s = await sink();
    const rw = sender([s.url]);
    const result = await rw.send([series(1), series(2)], context());
    assert.deepEqual(result, { kind: 'delivered', httpStatus: 204 });
    assert.equal(s.requests.length, 1);
    assert.equal(s.requests[0].path, '/api/v1/write');
    assert.equal(s.requests[0].headers['content-encoding'], 'snappy');
    assert.deepEqual(
      (s.records as DecodedSeries[]).map((r) => r.samples[0].value),
      [1, 2],
    );
    assert.equal(
      rw.uncompressedBytes,
      timeSeriesEntryLength(series(1)) + timeSeriesEntryLength(series(2)),
    );
    await rw.close();
  });

  it('sends basic auth, extra headers and a tenant path; the protocol headers cannot be overridden', async () => {
    const s = await sink();
    const rw = sender([s.url], {
      tenant: '12:34',
      auth: { username: 'writer', password: 'pw' },
      headers: { 'X-Scope-OrgID': 'team-a', 'Content-Type': 'text/plain' },
    });
    assert.deepEqual(await rw.send([series(1)], context()), { kind: 'delivered', httpStatus: 204 });
    const request = s.requests[0];
    assert.equal(request.path, '/insert/12:34/prometheus/api/v1/write');
    assert.equal(
      request.headers.authorization,
      `Basic ${Buffer.from('writer:pw').toString('base64')}`,
    );
    assert.equal(request.headers['x-scope-orgid'], 'team-a');
    assert.equal(request.headers['content-type'], 'application/x-protobuf');
    assert.equal(request.headers['x-prometheus-remote-write-version'], '0.1.0');
    await rw.close();
  });

  it('a 4xx is permanent and keeps the backend message, with the token redacted', async () => {
    const s = await sink();
    s.setFaults({
      fault: { kind: 'status', status: 400, body: 'cannot parse: token s3cr3t-token-value is bad' },
    });
    const rw = sender([s.url], { auth: { bearerToken: 's3cr3t-token-value' } });
    const result = await rw.send([series(1)], context());
    assert.equal(result.kind, 'permanent');
    const reason = (result as { reason: string }).reason;
    assert.match(reason, /HTTP 400/);
    assert.match(reason, /cannot parse/);
    assert.match(reason, new RegExp(`${s.url}/api/v1/write`));
    assert.doesNotMatch(reason, /s3cr3t/);
    assert.equal(s.requests[0].headers.authorization, 'Bearer s3cr3t-token-value');
    await rw.close();
  });

  it('5xx, 429 and network errors are retryable; Retry-After is passed on', async () => {
    const s = await sink();
    s.setFaults(
      { fault: { kind: 'status', status: 429, retryAfter: '2' }, times: 1 },
      { fault: { kind: 'status', status: 502 }, times: 1 },
    );
    const rw = sender([s.url]);
    const first = await rw.send([series(1)], context());
    assert.equal(first.kind, 'retryable');
    assert.equal((first as { retryAfterMs?: number }).retryAfterMs, 2000);
    assert.equal((await rw.send([series(1)], context())).kind, 'retryable');
    const down = sender(['http://127.0.0.1:1']);
    assert.equal((await down.send([series(1)], context())).kind, 'retryable');
    await Promise.all([rw.close(), down.close()]);
  });

  it('fails over: a retryable failure moves the next send to the next endpoint; success stays', async () => {
    const a = await sink();
    const b = await sink();
    a.setFaults({ fault: { kind: 'status', status: 503 } });
    const rw = sender([a.url, b.url]);
    assert.equal((await rw.send([series(1)], context())).kind, 'retryable');
    assert.equal(rw.currentEndpoint, `${b.url}/api/v1/write`);
    assert.equal((await rw.send([series(1)], context())).kind, 'delivered');
    assert.equal((await rw.send([series(2)], context())).kind, 'delivered');
    assert.equal(b.records.length, 2);
    assert.equal(rw.failovers, 1);
    // A permanent answer does not move it.
    b.setFaults({ fault: { kind: 'status', status: 400 }, times: 1 });
    assert.equal((await rw.send([series(3)], context())).kind, 'permanent');
    assert.equal(rw.currentEndpoint, `${b.url}/api/v1/write`);
    await rw.close();
  });

  it('with the core: nothing retryable is lost while the first endpoint is down, and the ledger balances', async () => {
    const b = await sink();
    const rw = sender(['http://127.0.0.1:1', b.url]);
    const pipeline = new Pipeline<TimeSeries>({
      name: 'rw-test',
      signal: 'metrics',
      sender: rw,
      initialBackoffMs: 10,
      maxBackoffMs: 50,
      flushIntervalMs: 10,
    });
    await pipeline.submit(Array.from({ length: 50 }, (_, i) => series(i)));
    await pipeline.forceFlush(5_000);
    const stats = pipeline.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.delivered, 50);
    assert.equal(b.records.length, 50);
    await pipeline.shutdown();
  });

  it('splits a many-sample series by samples, and refuses to split one sample', () => {
    const rw = sender(['http://127.0.0.1:1']);
    const big: TimeSeries = {
      labels: [{ name: '__name__', value: 'x' }],
      samples: Array.from({ length: 100 }, (_, i) => ({ value: i, timestampMs: T + i })),
    };
    const pieces = rw.split(big, 200)!;
    assert.ok(pieces.length > 1);
    assert.ok(pieces.every((p) => timeSeriesEntryLength(p) <= 200));
    assert.deepEqual(
      pieces.flatMap((p) => p.samples),
      big.samples,
    );
    assert.equal(rw.split(series(1), 10), undefined);
    void rw.close();
  });

  it('keeps remote write 2.0 metadata and created timestamp on every piece of a split', () => {
    const rw = sender(['http://127.0.0.1:1']);
    const metadata = { type: 'counter' as const, unit: 'seconds', help: 'h' };
    const big: TimeSeries = {
      labels: [{ name: '__name__', value: 'x' }],
      samples: Array.from({ length: 100 }, (_, i) => ({ value: i, timestampMs: T + i })),
      metadata,
      createdTimestampMs: T - 5,
    };
    const pieces = rw.split(big, 200)!;
    assert.ok(pieces.length > 1);
    for (const piece of pieces) {
      assert.equal(piece.metadata, metadata);
      assert.equal(piece.createdTimestampMs, T - 5);
    }
    void rw.close();
  });
});
