import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { hecTarget, storedEvents } from './helpers';
import type { Target } from './helpers';

// splunk-logging ships no types; what this test uses of it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Logger } = require('splunk-logging') as {
  Logger: new (config: Record<string, unknown>) => {
    error: (err: Error, context: unknown) => void;
    send: (
      context: Record<string, unknown>,
      callback?: (err: Error | null, resp: unknown, body: unknown) => void,
    ) => void;
    flush: (callback?: (err: Error | null, resp: unknown, body: unknown) => void) => void;
  };
};

/*
 * FAKE only: otelpack's HEC fake answers Splunk's documented examples (docs.splunk.com, "Format
 * events for HTTP Event Collector", "HTTP Event Collector examples", "About HTTP Event Collector
 * Indexer Acknowledgment", "Troubleshoot HTTP Event Collector") as documented, and takes the
 * requests of Splunk's own npm client, splunk-logging.
 */

async function post(
  target: Target,
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
) {
  const response = await fetch(new URL(path, target.url), {
    method: 'POST',
    headers: { authorization: `Splunk ${target.token}`, ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const EVENT = '/services/collector/event';
const SUCCESS = { text: 'Success', code: 0 };

describe("the HEC fake and Splunk's documented examples", () => {
  it('one event, then three batched in one request (with an unknown top-level key)', async (t) => {
    const target = await hecTarget(t);
    if (!target) return;
    assert.deepEqual(await post(target, EVENT, '{"event": "hello world"}'), {
      status: 200,
      body: SUCCESS,
    });
    const batched =
      '{"event": "Pony 1 has left the barn"}{"event": "Pony 2 has left the barn"}{"event": "Pony 3 has left the barn", "nested": {"key1": "value1"}}';
    assert.deepEqual(await post(target, EVENT, batched), { status: 200, body: SUCCESS });
    assert.deepEqual(
      (await storedEvents(target)).map((e) => e.event),
      [
        'hello world',
        'Pony 1 has left the barn',
        'Pony 2 has left the barn',
        'Pony 3 has left the barn',
      ],
    );
  });

  it('metadata, indexed fields with a multivalue array, and a multiple-metric event', async (t) => {
    const target = await hecTarget(t);
    if (!target) return;
    const body = [
      '{"time": 1426279439, "host": "localhost", "source": "random-data-generator", "sourcetype": "my_sample_data", "index": "main", "event": "Hello world!"}',
      '{"event": "Hello world!", "fields": {"device": "macbook", "users": ["joe", "bob"]}}',
      '{"time": 1486683865, "event": "metric", "source": "metrics", "sourcetype": "perflog", "host": "host_1.splunk.com", "fields": {"region": "us-west-1", "datacenter": "dc2", "rack": "63", "os": "Ubuntu16.10", "arch": "x64", "team": "LON", "service": "6", "service_version": "0", "service_environment": "test", "path": "/dev/sda1", "fstype": "ext3", "metric_name:cpu.usr": 11.12, "metric_name:cpu.sys": 12.23, "metric_name:cpu.idle": 13.34}}',
    ].join('\n');
    assert.deepEqual(await post(target, EVENT, gzipSync(body), { 'content-encoding': 'gzip' }), {
      status: 200,
      body: SUCCESS,
    });
    const [first, second, metric] = await storedEvents(target);
    assert.deepEqual(first, {
      time: 1426279439,
      host: 'localhost',
      source: 'random-data-generator',
      sourcetype: 'my_sample_data',
      index: 'main',
      event: 'Hello world!',
    });
    assert.deepEqual(second.fields, { device: 'macbook', users: ['joe', 'bob'] });
    assert.equal(metric.fields!['metric_name:cpu.idle'], 13.34);
  });

  it('the documented errors: no token (2), wrong scheme (3), unknown token (4), no data (5), bad JSON (6)', async (t) => {
    const target = await hecTarget(t);
    if (!target) return;
    const bare = async (headers: Record<string, string>, body = '{"event":"x"}') => {
      const response = await fetch(new URL(EVENT, target.url), { method: 'POST', headers, body });
      return { status: response.status, body: await response.json() };
    };
    assert.deepEqual(await bare({}), { status: 401, body: { text: 'Token is required', code: 2 } });
    assert.deepEqual(await bare({ authorization: target.token }), {
      status: 401,
      body: { text: 'Invalid authorization', code: 3 },
    });
    assert.deepEqual(await bare({ authorization: 'Splunk 00000000-0000-0000-0000-000000000000' }), {
      status: 403,
      body: { text: 'Invalid token', code: 4 },
    });
    assert.deepEqual(await post(target, EVENT, ''), {
      status: 400,
      body: { text: 'No data', code: 5 },
    });
    assert.deepEqual(await post(target, EVENT, '{"event":"ok"}{"event": no-quotes}'), {
      status: 400,
      body: { text: 'Invalid data format', code: 6, 'invalid-event-number': 1 },
    });
    assert.deepEqual(await post(target, EVENT, '{"event":"ok"}{"fields":{"a":1}}'), {
      status: 400,
      body: { text: 'Event field is required', code: 12, 'invalid-event-number': 1 },
    });
    assert.deepEqual(await post(target, EVENT, '{"event":"x","fields":{"a":{"b":1}}}'), {
      status: 400,
      body: { text: 'Error in handling indexed fields', code: 15, 'invalid-event-number': 0 },
    });
    // Events before a refused one are indexed, as Splunk does.
    assert.deepEqual(
      (await storedEvents(target)).map((e) => e.event),
      ['ok', 'ok'],
    );
  });

  it('indexer acknowledgement: channel required (10) and a GUID (11); ackId per request; /ack answers per id', async (t) => {
    const target = await hecTarget(t, { ack: true });
    if (!target) return;
    const channel = 'FE0ECFAD-13D5-401B-847D-77833BD77131';
    assert.deepEqual(await post(target, EVENT, '{"event":"a"}'), {
      status: 400,
      body: { text: 'Data channel is missing', code: 10 },
    });
    assert.deepEqual(
      await post(target, EVENT, '{"event":"a"}', { 'x-splunk-request-channel': 'not-a-guid' }),
      {
        status: 400,
        body: { text: 'Invalid data channel', code: 11 },
      },
    );
    assert.deepEqual(
      await post(target, EVENT, '{"event":"a"}', { 'x-splunk-request-channel': channel }),
      {
        status: 200,
        body: { ...SUCCESS, ackId: 0 },
      },
    );
    assert.deepEqual(await post(target, `${EVENT}?channel=${channel}`, '{"event":"b"}'), {
      status: 200,
      body: { ...SUCCESS, ackId: 1 },
    });
    assert.deepEqual(
      await post(target, `/services/collector/ack?channel=${channel}`, '{"acks":[0,1,2]}'),
      {
        status: 200,
        body: { acks: { '0': true, '1': true, '2': false } },
      },
    );
  });

  it('ACK is disabled (14) on a token without acknowledgement; health answers code 17', async (t) => {
    const target = await hecTarget(t);
    if (!target) return;
    assert.deepEqual(
      await post(
        target,
        '/services/collector/ack?channel=FE0ECFAD-13D5-401B-847D-77833BD77131',
        '{"acks":[0]}',
      ),
      {
        status: 400,
        body: { text: 'ACK is disabled', code: 14 },
      },
    );
    const health = await fetch(new URL('/services/collector/health', target.url));
    assert.deepEqual(
      [health.status, await health.json()],
      [200, { text: 'HEC is healthy', code: 17 }],
    );
  });
});

describe("the HEC fake and Splunk's npm client, splunk-logging", () => {
  it('batched events arrive as splunk-logging sends them', async (t) => {
    const target = await hecTarget(t);
    if (!target) return;
    const logger = new Logger({ token: target.token, url: target.url, maxBatchCount: 3 });
    const errors: Error[] = [];
    logger.error = (err) => void errors.push(err);
    for (const message of ['one', 'two', 'three']) {
      logger.send({
        message,
        severity: 'info',
        metadata: { source: 'splunk-logging', index: 'main' },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(errors, []);
    const events = await storedEvents(target);
    assert.deepEqual(
      events.map((e) => [(e.event as { message: string }).message, e.source, e.index]),
      [
        ['one', 'splunk-logging', 'main'],
        ['two', 'splunk-logging', 'main'],
        ['three', 'splunk-logging', 'main'],
      ],
    );
  });

  it('a wrong token reaches splunk-logging as HEC code 4', async (t) => {
    const target = await hecTarget(t);
    if (!target) return;
    const logger = new Logger({ token: '00000000-0000-0000-0000-000000000000', url: target.url });
    const body = await new Promise<unknown>((resolve) => {
      logger.error = () => undefined;
      logger.send({ message: 'x' }, (_err, _resp, answer) => resolve(answer));
    });
    assert.deepEqual(body, { text: 'Invalid token', code: 4 });
  });
});
