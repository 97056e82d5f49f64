import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@elastic/elasticsearch';
import { createClient } from '../src/client';
import { resolveConfig } from '../src/config';
import type { ElasticsearchExporterOptions } from '../src/options';
import { encodeDocument } from '../src/bulk/record';
import type { BulkRecord } from '../src/bulk/record';
import { BULK_FILTER_PATH } from '../src/bulk/response';
import { ElasticsearchBulkSender } from '../src/bulk/sender';
import { bulkRecordSpoolCodec } from '../src/bulk/spool-codec';
import { IndexSetup } from '../src/setup/runner';
import { PRODUCT_HEADER, startBulkSink } from './helpers/bulk-sink';

const sinks: { close(): Promise<void> }[] = [];
after(async () => {
  await Promise.all(sinks.map((s) => s.close()));
});

function records(
  count: number,
  extra: Record<string, unknown> = {},
  timeSeries = false,
): BulkRecord[] {
  return Array.from({ length: count }, (_, i) =>
    encodeDocument({
      target: {
        index: 'logs-generic.otel-default',
        dataStream: { type: 'logs', dataset: 'generic.otel', namespace: 'default' },
      },
      id: undefined,
      hashId: false,
      conflictMeansStored: false,
      timeSeries,
      dynamicTemplates: undefined,
      document: { n: i, ...extra },
    }),
  );
}

function sender(
  url: string,
  options: ElasticsearchExporterOptions = {},
  setup?: (client: Client) => IndexSetup,
  headerProvider?: () => Promise<Record<string, string>>,
) {
  const config = resolveConfig({ url, timeoutMs: 2_000, ...options });
  const client = createClient(config.connection);
  const s = new ElasticsearchBulkSender({
    client,
    ownsClient: true,
    requestTimeoutMs: config.connection.timeoutMs,
    secrets: config.connection.secrets,
    setup: setup?.(client),
    headerProvider,
  });
  return s;
}

/** What `_bulk` expects: each record's action line and document line. */
const ndjson = (batch: BulkRecord[]) =>
  batch.map((record) => `${record.action}\n${record.document}\n`).join('');

const send = (
  s: ElasticsearchBulkSender,
  batch: BulkRecord[],
  signal = new AbortController().signal,
) => s.send(batch, { signal, attempt: 1 });

test('one batch is one POST /_bulk with the prebuilt NDJSON, vendor media type, filter_path and no retries', async () => {
  const sink = await startBulkSink();
  sinks.push(sink);
  const s = sender(sink.url);
  const batch = records(3);
  assert.deepEqual(await send(s, batch), { kind: 'delivered', httpStatus: 200 });
  assert.equal(sink.requests.length, 1);
  const [request] = sink.requests;
  assert.equal(request.method, 'POST');
  assert.equal(request.path, `/_bulk?filter_path=${encodeURIComponent(BULK_FILTER_PATH)}`);
  assert.equal(
    request.headers['content-type'],
    'application/vnd.elasticsearch+x-ndjson; compatible-with=8',
  );
  assert.equal(request.body.toString('utf8'), ndjson(batch));
  assert.equal(s.sizeOf(batch[0]), Buffer.byteLength(`${batch[0].action}\n${batch[0].document}\n`));
  await s.close();
});

test('gzip: the body is compressed and arrives intact', async () => {
  const sink = await startBulkSink();
  sinks.push(sink);
  const s = sender(sink.url, { compression: 'gzip' });
  const batch = records(50, { text: 'repetitive '.repeat(20) });
  assert.deepEqual(await send(s, batch), { kind: 'delivered', httpStatus: 200 });
  const [request] = sink.requests;
  assert.equal(request.headers['content-encoding'], 'gzip');
  assert.equal(request.body.toString('utf8'), ndjson(batch));
  assert.ok(Number(request.headers['content-length']) < Buffer.byteLength(ndjson(batch)) / 5);
  await s.close();
});

test('per-item failures: 429 retried alone, mapping errors rejected with type and reason', async () => {
  const sink = await startBulkSink((_action, doc) => {
    if (doc.n === 1)
      return {
        status: 429,
        error: { type: 'es_rejected_execution_exception', reason: 'rejected execution' },
      };
    if (doc.n === 2)
      return {
        status: 400,
        error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [n]' },
      };
    return undefined;
  });
  sinks.push(sink);
  const s = sender(sink.url);
  const batch = records(4);
  const ownsItsMemory = (record: BulkRecord) =>
    record.documentBytes.byteLength === record.documentBytes.buffer.byteLength;
  assert.deepEqual(batch.map(ownsItsMemory), [false, false, false, false], 'written into a slab');
  const documents = batch.map((record) => record.document);
  assert.deepEqual(await send(s, batch), {
    kind: 'partial',
    httpStatus: 200,
    backpressure: true,
    failures: [
      {
        index: 1,
        retryable: true,
        reason: '429 es_rejected_execution_exception: rejected execution',
      },
      {
        index: 2,
        retryable: false,
        reason: '400 mapper_parsing_exception: failed to parse field [n]',
      },
    ],
  });
  // The failed items outlive their batch (a retry alone, a dead letter): out of the shared slab,
  // the same document.
  assert.deepEqual(batch.map(ownsItsMemory), [false, true, true, false]);
  assert.deepEqual(
    batch.map((record) => record.document),
    documents,
  );
  assert.deepEqual(
    sink.indexed.map((d) => d.source.n),
    [0, 3],
  );
  await s.close();
});

/** A sink whose every item answers 409, as Elasticsearch does for a time series document that exists. */
async function startConflictSink() {
  const sink = await startBulkSink(() => ({
    status: 409,
    error: {
      type: 'version_conflict_engine_exception',
      reason: '[abc][tsid@2024-01-15T10:30:00.000Z]: version conflict, document already exists',
    },
  }));
  sinks.push(sink);
  return sink;
}

test('time series 409: rejected on a first send (another writer), delivered on a resend after a lost answer', async () => {
  const sink = await startConflictSink();
  const s = sender(sink.url);
  const batch = records(2, {}, true);
  const first = await send(s, batch);
  assert.equal(first.kind, 'partial');
  const failures = (first as { failures: { retryable: boolean; reason: string }[] }).failures;
  assert.equal(failures.length, 2);
  for (const failure of failures) {
    assert.equal(failure.retryable, false);
    assert.match(
      failure.reason,
      /^409 version_conflict_engine_exception: .*not stored by this exporter/,
    );
  }
  // A 409 answered for them did not store them: sent again, the 409 is still another writer's.
  assert.equal((await send(s, batch)).kind, 'partial');
  await s.close();

  // An attempt whose answer was lost (here: the sink reads the request and never answers, and
  // the send times out) may have stored them: a 409 on the resend is our own earlier write.
  const lost = sender(sink.url, { timeoutMs: 300 });
  const resent = records(2, {}, true);
  sink.setFaults({ fault: { kind: 'stall' }, times: 1 });
  const timedOut = await send(lost, resent);
  assert.equal(timedOut.kind, 'retryable');
  assert.deepEqual(await send(lost, resent), { kind: 'delivered', httpStatus: 200 });
  // A new record of the same series is not a resend.
  assert.equal((await send(lost, records(1, {}, true))).kind, 'partial');
  await lost.close();
});

test('time series 409 after an attempt Elasticsearch refused whole (503, 429) is rejected: nothing of ours was stored', async () => {
  const sink = await startConflictSink();
  const s = sender(sink.url);
  const batch = records(2, {}, true);
  sink.setFaults(
    {
      fault: {
        kind: 'status',
        status: 503,
        body: '{"error":{"type":"cluster_block_exception","reason":"blocked"},"status":503}',
        headers: PRODUCT_HEADER,
      },
      times: 1,
    },
    {
      fault: {
        kind: 'status',
        status: 429,
        body: '{"error":{"type":"es_rejected_execution_exception","reason":"busy"},"status":429}',
        headers: PRODUCT_HEADER,
      },
      times: 1,
    },
  );
  assert.equal((await send(s, batch)).kind, 'retryable');
  assert.equal((await send(s, batch)).kind, 'retryable');
  const third = await send(s, batch);
  assert.equal(third.kind, 'partial');
  for (const failure of (third as { failures: { retryable: boolean; reason: string }[] })
    .failures) {
    assert.equal(failure.retryable, false);
    assert.match(failure.reason, /not stored by this exporter/);
  }
  await s.close();
});

test('time series 409 after an attempt whose deadline fired before it was sent is rejected: nothing of ours was stored', async () => {
  const sink = await startConflictSink();
  let slowOnce = true;
  // The core's deadline fires while the header provider (a token refresh) is still running: the
  // transport sees the aborted signal before it takes a connection, and sends nothing.
  const s = sender(sink.url, {}, undefined, async () => {
    if (slowOnce) await new Promise((resolve) => setTimeout(resolve, 100));
    slowOnce = false;
    return {};
  });
  const batch = records(1, {}, true);
  assert.equal((await send(s, batch, AbortSignal.timeout(20))).kind, 'retryable');
  assert.equal(sink.requests.length, 0, 'the first attempt never reached Elasticsearch');
  assert.equal((await send(s, batch)).kind, 'partial');
  await s.close();
});

test('time series 409 after an answer whose items do not match the batch is delivered: Elasticsearch ran that request', async () => {
  const sink = await startConflictSink();
  const s = sender(sink.url);
  const batch = records(2, {}, true);
  // One item for two documents: the answer cannot be matched, the batch is retried whole.
  sink.setFaults({
    fault: {
      kind: 'status',
      status: 200,
      body: '{"errors":true,"items":[{"create":{"status":409}}]}',
      headers: PRODUCT_HEADER,
    },
    times: 1,
  });
  assert.equal((await send(s, batch)).kind, 'retryable');
  assert.deepEqual(await send(s, batch), { kind: 'delivered', httpStatus: 200 });
  await s.close();
});

test('HTTP failures: 429 with Retry-After, 401 permanent, reset and stall retryable', async () => {
  const sink = await startBulkSink();
  sinks.push(sink);
  const s = sender(sink.url, { timeoutMs: 300 });
  sink.setFaults(
    {
      fault: {
        kind: 'status',
        status: 429,
        retryAfter: '3',
        body: '{"error":{"type":"es_rejected_execution_exception","reason":"busy"},"status":429}',
      },
      times: 1,
    },
    {
      fault: {
        kind: 'status',
        status: 401,
        body: '{"error":{"type":"security_exception","reason":"unable to authenticate"},"status":401}',
      },
      times: 1,
    },
    { fault: { kind: 'reset' }, times: 1 },
    { fault: { kind: 'stall' }, times: 1 },
  );
  const throttled = await send(s, records(1));
  assert.equal(throttled.kind, 'retryable');
  assert.equal(throttled.kind === 'retryable' && throttled.retryAfterMs, 3000);
  assert.equal(throttled.kind === 'retryable' && throttled.backpressure, true);
  assert.deepEqual(await send(s, records(1)), {
    kind: 'permanent',
    reason: 'HTTP 401: security_exception: unable to authenticate',
    httpStatus: 401,
  });
  const reset = await send(s, records(1));
  assert.equal(reset.kind, 'retryable');
  assert.match(reset.kind === 'retryable' ? reset.reason : '', /^connection: /);
  const stalled = await send(s, records(1));
  assert.equal(stalled.kind, 'retryable');
  assert.match(stalled.kind === 'retryable' ? stalled.reason : '', /^timeout: /);
  await s.close();
});

test('a server that does not say it is Elasticsearch is refused permanently', async () => {
  const sink = await startBulkSink();
  sinks.push(sink);
  // The FaultSink's generic partial answer carries no x-elastic-product header.
  sink.setFaults({ fault: { kind: 'partial', decide: () => 'ok' } });
  const result = await send(sender(sink.url), records(1));
  assert.equal(result.kind, 'permanent');
  assert.match(
    result.kind === 'permanent' ? result.reason : '',
    /did not identify itself as Elasticsearch/,
  );
});

test('an aborted send (the core’s deadline) is retryable', async () => {
  const sink = await startBulkSink();
  sinks.push(sink);
  sink.setFaults({ fault: { kind: 'stall' } });
  const abort = new AbortController();
  const pending = send(sender(sink.url, { timeoutMs: 10_000 }), records(1), abort.signal);
  await new Promise((resolve) => setTimeout(resolve, 50));
  abort.abort();
  const result = await pending;
  assert.equal(result.kind, 'retryable');
  assert.match(result.kind === 'retryable' ? result.reason : '', /^aborted: /);
});

test('credentials: API key and basic auth headers are sent; echoed credentials are redacted', async () => {
  const sink = await startBulkSink();
  sinks.push(sink);
  sink.setFaults({
    fault: {
      kind: 'status',
      status: 403,
      body: '{"error":{"type":"security_exception","reason":"key c2VjcmV0LWtleQ== is not allowed"}}',
    },
  });
  const result = await send(sender(sink.url, { auth: { apiKey: 'c2VjcmV0LWtleQ==' } }), records(1));
  assert.equal(sink.requests[0].headers.authorization, 'ApiKey c2VjcmV0LWtleQ==');
  assert.deepEqual(result, {
    kind: 'permanent',
    reason: 'HTTP 403: security_exception: key [REDACTED] is not allowed',
    httpStatus: 403,
  });

  sink.clearFaults();
  await send(sender(sink.url, { auth: { username: 'elastic', password: 'changeme' } }), records(1));
  assert.equal(
    sink.requests[1].headers.authorization,
    `Basic ${Buffer.from('elastic:changeme').toString('base64')}`,
  );
});

test('setup: ILM policy and index template once, before the first bulk request', async () => {
  const sink = await startBulkSink();
  sinks.push(sink);
  const options: ElasticsearchExporterOptions = {
    index: 'otel-logs',
    indexDateSuffix: 'daily',
    setup: { indexTemplate: true, ilm: {} },
  };
  const config = resolveConfig({ url: sink.url, ...options });
  const s = sender(
    sink.url,
    options,
    (client) =>
      new IndexSetup({
        client,
        settings: config.setup!,
        signal: 'logs',
        mode: 'otel',
        exporterName: 'elasticsearch',
        requestTimeoutMs: 2_000,
        redact: (t) => t,
      }),
  );
  assert.deepEqual(await send(s, records(1)), { kind: 'delivered', httpStatus: 200 });
  assert.deepEqual(await send(s, records(1)), { kind: 'delivered', httpStatus: 200 });
  assert.deepEqual(
    sink.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`),
    [
      'PUT /_ilm/policy/otelpack-otel-logs',
      'PUT /_index_template/otelpack-otel-logs',
      'POST /_bulk',
      'POST /_bulk',
    ],
  );
  const template = JSON.parse(sink.requests[1].body.toString('utf8')) as {
    index_patterns: string[];
  };
  assert.deepEqual(template.index_patterns, ['otel-logs', 'otel-logs-*']);
});

test("setup: the setup requests carry the header provider's headers (a rotating token)", async () => {
  const sink = await startBulkSink();
  sinks.push(sink);
  const options: ElasticsearchExporterOptions = {
    index: 'otel-logs',
    setup: { indexTemplate: true },
  };
  const config = resolveConfig({ url: sink.url, ...options });
  const s = sender(
    sink.url,
    options,
    (client) =>
      new IndexSetup({
        client,
        settings: config.setup!,
        signal: 'logs',
        mode: 'otel',
        exporterName: 'elasticsearch',
        requestTimeoutMs: 2_000,
        redact: (t) => t,
        headerProvider: () => ({ 'x-proxy-token': 'rotating-1' }),
      }),
  );
  assert.deepEqual(await send(s, records(1)), { kind: 'delivered', httpStatus: 200 });
  const setupRequest = sink.requests.find((r) => r.path.startsWith('/_index_template/'));
  assert.equal(setupRequest?.headers['x-proxy-token'], 'rotating-1');
});

test('setup: a retryable failure fails the send and is tried again; a permanent one is logged and skipped', async () => {
  const sink = await startBulkSink();
  sinks.push(sink);
  const config = resolveConfig({
    url: sink.url,
    index: 'otel-logs',
    setup: { indexTemplate: true },
  });
  const make = () =>
    sender(
      sink.url,
      {},
      (client) =>
        new IndexSetup({
          client,
          settings: config.setup!,
          signal: 'logs',
          mode: 'ecs',
          exporterName: 'elasticsearch',
          requestTimeoutMs: 2_000,
          redact: (t) => t,
        }),
    );
  sink.setFaults({
    fault: { kind: 'status', status: 503, body: '{"error":"unavailable"}' },
    times: 1,
  });
  const s = make();
  const first = await send(s, records(1));
  assert.deepEqual(first, {
    kind: 'retryable',
    reason: 'index template setup: HTTP 503: unavailable',
    backpressure: true,
    httpStatus: 503,
  });
  assert.deepEqual(await send(s, records(1)), { kind: 'delivered', httpStatus: 200 });
  assert.deepEqual(
    sink.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`),
    [
      'PUT /_index_template/otelpack-otel-logs',
      'PUT /_index_template/otelpack-otel-logs',
      'POST /_bulk',
    ],
  );

  sink.reset();
  sink.setFaults({
    fault: { kind: 'status', status: 403, body: '{"error":"forbidden"}' },
    times: 1,
  });
  const t = make();
  assert.deepEqual(await send(t, records(1)), { kind: 'delivered', httpStatus: 200 });
  assert.deepEqual(await send(t, records(1)), { kind: 'delivered', httpStatus: 200 });
  assert.deepEqual(
    sink.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`),
    ['PUT /_index_template/otelpack-otel-logs', 'POST /_bulk', 'POST /_bulk'],
  );
});

test('the request makes one attempt, with the core’s signal and the request timeout', async () => {
  // Tracing is suppressed by the core around every send (batching-core's pipeline tests).
  const seen: Record<string, unknown>[] = [];
  const fakeClient = {
    transport: {
      request: (_params: unknown, options: Record<string, unknown>) => {
        seen.push(options);
        return Promise.resolve({ body: { errors: false } });
      },
    },
    close: () => Promise.resolve(),
  } as unknown as Client;
  const s = new ElasticsearchBulkSender({
    client: fakeClient,
    ownsClient: false,
    requestTimeoutMs: 1234,
    secrets: [],
  });
  const abort = new AbortController();
  // This stub transport answers without a status: none is reported.
  assert.deepEqual(await send(s, records(1), abort.signal), { kind: 'delivered' });
  assert.equal(seen[0].maxRetries, 0);
  assert.equal(seen[0].requestTimeout, 1234);
  assert.equal(seen[0].signal, abort.signal);
});

test('the sender spools with the bulk record codec (the core default would serialise each slab)', async () => {
  const s = sender('http://127.0.0.1:9');
  try {
    assert.equal(s.spoolCodec, bulkRecordSpoolCodec);
  } finally {
    await s.close();
  }
});

test('a failed request is not redacted by the client: its error keeps the body by reference, not copied key by key', async () => {
  const config = resolveConfig({ url: 'http://127.0.0.1:9', timeoutMs: 2_000 });
  const client = createClient(config.connection);
  const errors: unknown[] = [];
  const request = client.transport.request.bind(client.transport);
  // Watches what the sender's request ends in; the request itself is the client's.
  client.transport.request = (async (...args: Parameters<typeof request>) => {
    try {
      return await request(...args);
    } catch (error) {
      errors.push(error);
      throw error;
    }
  }) as typeof client.transport.request;
  const s = new ElasticsearchBulkSender({
    client,
    ownsClient: true,
    requestTimeoutMs: 2_000,
    secrets: [],
  });
  try {
    const result = await send(s, records(50));
    assert.equal(result.kind, 'retryable');
    assert.equal(errors.length, 1);
    const params = (errors[0] as { meta: { meta: { request: { params: { body?: unknown } } } } })
      .meta.meta.request.params;
    // With the client's default redaction this is a plain object of one key per body byte.
    assert.ok(Buffer.isBuffer(params.body), 'the body as sent');
  } finally {
    await s.close();
  }
});

/**
 * A stub client (not a backend fake: only the transport call the sender makes) that keeps each
 * body as sent, and a copy of its bytes at that moment, and answers with the given statuses.
 */
function recordingSender(answers: (number | Error)[], ownsClient = true) {
  const sent: { body: Buffer; copy: Buffer }[] = [];
  const transport = {
    async request(params: { bulkBody: Buffer }) {
      const body = params.bulkBody;
      sent.push({ body, copy: Buffer.from(body) });
      const answer = answers[sent.length - 1] ?? 200;
      if (answer instanceof Error) throw answer;
      const items = body.toString('utf8').split('\n').length >> 1;
      return {
        statusCode: answer,
        headers: {},
        body:
          answer === 200
            ? {
                errors: false,
                items: Array.from({ length: items }, () => ({ create: { status: 201 } })),
              }
            : {
                error: { type: 'es_rejected_execution_exception', reason: 'busy' },
                status: answer,
              },
      };
    },
  };
  const s = new ElasticsearchBulkSender({
    client: { transport } as unknown as Client,
    ownsClient,
    requestTimeoutMs: 1_000,
    secrets: [],
  });
  return { s, sent };
}

test('request bodies: after a 2xx the next is written into the same memory, and is exactly its batch', async () => {
  const { s, sent } = recordingSender([200, 200, 200]);
  const large = records(40, { text: 'x'.repeat(2_000) });
  const small = records(3);
  const medium = records(12);
  for (const batch of [large, small, medium]) {
    assert.equal((await send(s, batch)).kind, 'delivered');
  }
  assert.equal(sent[1].body.buffer, sent[0].body.buffer, 'the memory was reused');
  assert.equal(sent[2].body.buffer, sent[0].body.buffer);
  assert.deepEqual(
    sent.map((r) => r.copy.toString('utf8')),
    [large, small, medium].map(ndjson),
    'each body is its own batch, not the tail of a larger one',
  );
  assert.equal(sent[1].body.length, Buffer.byteLength(ndjson(small)));
});

test('request bodies: memory whose request ended in an error or a non-2xx answer is never reused', async () => {
  const { s, sent } = recordingSender([429, 200, new Error('socket hang up'), 200, 200]);
  const batch = records(5);
  for (let i = 0; i < 5; i++) await send(s, batch);
  assert.notEqual(sent[1].body.buffer, sent[0].body.buffer, 'not after a 429');
  assert.equal(sent[2].body.buffer, sent[1].body.buffer, 'the 200 gave its memory back');
  assert.notEqual(sent[3].body.buffer, sent[2].body.buffer, 'not after a failed request');
  assert.equal(sent[4].body.buffer, sent[3].body.buffer);
});

test('request bodies: a client passed in gets fresh memory for every body', async () => {
  const { s, sent } = recordingSender([200, 200], false);
  const batch = records(4);
  await send(s, batch);
  await send(s, batch);
  const [first, second] = sent.map((r) => r.body);
  assert.ok(
    first.buffer !== second.buffer || first.byteOffset !== second.byteOffset,
    'the second body is not in the memory of the first',
  );
  assert.equal(second.toString('utf8'), ndjson(batch), 'the first body was not overwritten');
  assert.equal(first.toString('utf8'), ndjson(batch));
});

test('request bodies: a record whose size is off is joined whole, even after a larger body', async () => {
  const { s, sent } = recordingSender([200, 200]);
  const large = records(30, { text: 'y'.repeat(1_000) });
  await send(s, large);
  const [record] = records(1);
  // One byte short: the body would be cut; the lines are joined whole instead.
  const wrong = Object.assign(Object.create(Object.getPrototypeOf(record)), record, {
    bytes: record.bytes - 1,
  }) as BulkRecord;
  Object.defineProperty(wrong, 'documentBytes', { value: record.documentBytes });
  await send(s, [wrong]);
  assert.equal(sent[1].copy.toString('utf8'), ndjson([record]));
  assert.notEqual(sent[1].body.buffer, sent[0].body.buffer, 'not written into the kept memory');
});
