import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DogStatsDSender, dogStatsDTarget, encodeLine, hotShotsOptions } from '../src';
import type { DatagramClient } from '../src';

function client(failures: Record<number, string> = {}) {
  const sent: string[] = [];
  const c: DatagramClient = {
    sendMessage(message, callback) {
      const code = failures[sent.length];
      sent.push(message);
      if (code) callback(Object.assign(new Error(code), { code }));
      else callback(null);
    },
    close: (done) => done?.(),
  };
  return { c, sent };
}

const context = { signal: new AbortController().signal, attempt: 1 };
const line = (text: string) => encodeLine({ name: text, value: 1, type: 'c', tags: [] });

describe('DogStatsDSender', () => {
  it('packs a batch into datagrams of the target size and reports delivery', async () => {
    const { c, sent } = client();
    const target = { ...dogStatsDTarget({}), maxDatagramBytes: 20 };
    const sender = new DogStatsDSender({ target, name: 't', client: c });
    const result = await sender.send([line('aaaa'), line('bbbb'), line('cccc')], context);
    assert.deepEqual(result, { kind: 'delivered' });
    assert.deepEqual(sent, ['aaaa:1|c\nbbbb:1|c', 'cccc:1|c']);
    assert.equal(sender.stats().datagrams, 2);
  });

  it('names the lines of a failed datagram: EMSGSIZE permanent, EAGAIN retryable; a line over the limit permanent', async () => {
    const { c } = client({ 0: 'EMSGSIZE', 1: 'EAGAIN' });
    const target = { ...dogStatsDTarget({}), maxDatagramBytes: 20 };
    const sender = new DogStatsDSender({ target, name: 't', client: c });
    const result = await sender.send(
      [line('aaaa'), line('bbbb'), line('cccc'), line('x'.repeat(30))],
      context,
    );
    assert.equal(result.kind, 'partial');
    const failures = result.kind === 'partial' ? result.failures : [];
    assert.deepEqual(
      failures.map((f) => [f.index, f.retryable]).sort((a, b) => Number(a[0]) - Number(b[0])),
      [
        [0, false],
        [1, false],
        [2, true],
        [3, false],
      ],
    );
    assert.deepEqual(sender.stats().errors, { EMSGSIZE: 1, EAGAIN: 1 });
  });
});

describe('DogStatsD target and hot-shots options', () => {
  // The transports the Datadog clients resolve: DD_DOGSTATSD_URL > DD_DOGSTATSD_SOCKET > host:port.
  const TABLE: [object, object][] = [
    [{}, { protocol: 'udp', host: 'localhost', port: 8125, maxDatagramBytes: 1432 }],
    [
      { agentHost: 'agent', dogstatsdPort: 9125 },
      { protocol: 'udp', host: 'agent', port: 9125, maxDatagramBytes: 1432 },
    ],
    [
      { dogstatsdSocket: '/var/run/dsd.sock', agentHost: 'x' },
      { protocol: 'uds', path: '/var/run/dsd.sock', maxDatagramBytes: 8192 },
    ],
    [
      { dogstatsdUrl: 'unix:///a.sock', dogstatsdSocket: '/b' },
      { protocol: 'uds', path: '/a.sock', maxDatagramBytes: 8192 },
    ],
    [
      { dogstatsdUrl: 'udp://[::1]:9000' },
      { protocol: 'udp', host: '::1', port: 9000, maxDatagramBytes: 1432 },
    ],
    [
      { dogstatsdUrl: 'tcp://agent' },
      { protocol: 'tcp', host: 'agent', port: 8125, maxDatagramBytes: 8192 },
    ],
  ];
  for (const [input, expected] of TABLE) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(dogStatsDTarget(input), expected);
    });
  }
  it('refuses unknown schemes and datagrams larger than the Agent reads over UDS', () => {
    assert.throws(() => dogStatsDTarget({ dogstatsdUrl: 'http://agent:8125' }), /dogstatsdUrl/);
    assert.throws(
      () => dogStatsDTarget({ dogstatsdSocket: '/s', maxDatagramBytes: 9000 }),
      /maxDatagramBytes/,
    );
  });

  it("turns hot-shots' environment-triggered Datadog mode off and its buffering off", () => {
    const options = hotShotsOptions(dogStatsDTarget({}), () => undefined) as Record<
      string,
      unknown
    >;
    for (const key of [
      'datadog',
      'originDetection',
      'includeDatadogTelemetry',
      'includeDataDogTags',
    ]) {
      assert.equal(options[key], false, key);
    }
    assert.equal(options.maxBufferSize, 0);
    assert.equal(options.protocol, 'udp');
  });
});
