import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { encode } from '@msgpack/msgpack';
import { LogsIntakeFake } from '../../src/fakes/datadog-logs-fake';
import { TraceAgentFake } from '../../src/fakes/datadog-trace-agent-fake';

/*
 * FAKES against Datadog's documented examples and limits: the logs intake's `Send logs` example
 * (https://docs.datadoghq.com/api/latest/logs/send-logs/) and its answers; the trace Agent's
 * v0.4 payload as the tracing API documents it (JSON), and as tracers send it (msgpack).
 */
describe('Datadog logs intake fake (FAKE)', () => {
  const fake = new LogsIntakeFake('doc-key-0123456789');
  let url = '';
  before(async () => {
    url = `${await fake.listen()}/api/v2/logs`;
  });
  after(() => fake.close());
  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'dd-api-key': 'doc-key-0123456789',
        ...headers,
      },
    });

  it("takes the documentation's example (202) and stores its fields", async () => {
    const example = [
      {
        ddsource: 'nginx',
        ddtags: 'env:staging,version:5.1',
        hostname: 'i-012345678',
        message: '2019-11-19T14:37:58,995 INFO [process.name][20081] Hello World',
        service: 'payment',
      },
    ];
    const response = await post(gzipSync(JSON.stringify(example)), { 'content-encoding': 'gzip' });
    assert.equal(response.status, 202);
    assert.deepEqual(fake.entries.at(-1), example[0]);
  });

  it('a log more than 18 h in the past: 202 with the request, and not kept', async () => {
    const hour = 3_600_000;
    const stored = fake.entries.length;
    const example = (message: string, ageMs: number) => ({
      ddsource: 'nginx',
      message,
      service: 'payment',
      '@timestamp': new Date(Date.now() - ageMs).toISOString(),
    });
    const response = await post(
      JSON.stringify([
        example('recent', hour),
        example('old', 19 * hour),
        { message: 'epoch ms', timestamp: Date.now() - 20 * hour },
      ]),
    );
    assert.equal(response.status, 202);
    assert.deepEqual(
      fake.entries.slice(stored).map((e) => e.message),
      ['recent'],
    );
    assert.equal(fake.tooOld, 2);
  });

  it('403 without the key, 400 past 1,000 entries or for bad JSON, 413 past 5 MB', async () => {
    assert.equal((await post('[]', { 'dd-api-key': 'nope' })).status, 403);
    assert.equal(
      (await post(JSON.stringify(Array.from({ length: 1_001 }, () => ({ message: 'x' }))))).status,
      400,
    );
    assert.equal((await post('{not json')).status, 400);
    assert.equal((await post(JSON.stringify([{ message: 'x'.repeat(5_000_001) }]))).status, 413);
  });
});

describe('Datadog trace-agent fake (FAKE)', () => {
  const fake = new TraceAgentFake();
  let base = '';
  before(async () => {
    base = await fake.listen();
  });
  after(() => fake.close());

  it('takes the v0.4 JSON example and answers rate_by_service', async () => {
    const example = [
      [
        {
          duration: 12345,
          name: 'span_name',
          resource: '/home',
          service: 'service_name',
          span_id: 987654321,
          start: 0,
          trace_id: 123456789,
        },
      ],
    ];
    const response = await fetch(`${base}/v0.4/traces`, {
      method: 'PUT',
      body: JSON.stringify(example),
      headers: { 'content-type': 'application/json', 'x-datadog-trace-count': '1' },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { rate_by_service: { 'service:,env:': 1 } });
    assert.equal(fake.spans().at(-1)?.trace_id, 123456789n);
  });

  it('decodes msgpack with uint64 ids; 400 for a wrong trace count or a malformed span', async () => {
    const chunk = [
      [
        {
          trace_id: 2n ** 64n - 1n,
          span_id: 1n,
          parent_id: 0n,
          name: 'n',
          resource: 'r',
          service: 's',
          error: 0,
          start: 1n,
          duration: 2n,
          meta: {},
          metrics: {},
        },
      ],
    ];
    const put = (body: Uint8Array, count: string) =>
      fetch(`${base}/v0.4/traces`, {
        method: 'PUT',
        body,
        headers: { 'content-type': 'application/msgpack', 'x-datadog-trace-count': count },
      });
    assert.equal((await put(encode(chunk, { useBigInt64: true }), '1')).status, 200);
    assert.equal(fake.spans().at(-1)?.trace_id, 2n ** 64n - 1n);
    assert.equal((await put(encode(chunk, { useBigInt64: true }), '2')).status, 400);
    assert.equal((await put(encode([[{ name: 1 }]]), '1')).status, 400);
  });
});
