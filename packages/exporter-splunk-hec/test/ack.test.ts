import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { captureDiagWarnings } from '@otelpack/batching-core/testing';
import { AckTracker } from '../src';
import type { AckQuery } from '../src';

/** An ack endpoint whose ids turn true when the test says so; it records what it was asked. */
function endpoint(): { query: AckQuery; acked: Set<number>; asked: number[][] } {
  const acked = new Set<number>();
  const asked: number[][] = [];
  return {
    acked,
    asked,
    query: async (ids) => {
      asked.push(ids);
      return { acks: Object.fromEntries(ids.map((id) => [String(id), acked.has(id)])) };
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The tracker's timer is unref'd (it never keeps a process alive): this one keeps the test's.
let keepAlive: NodeJS.Timeout;
before(() => {
  keepAlive = setInterval(() => undefined, 1_000);
});
after(() => clearInterval(keepAlive));

describe('AckTracker', () => {
  it('one poll asks for every pending id; each wait ends when its id is true', async () => {
    const ep = endpoint();
    const tracker = new AckTracker(ep.query, 20, 10_000);
    const signal = new AbortController().signal;
    const waits = [tracker.wait(0, signal), tracker.wait(1, signal)];
    await sleep(50);
    assert.deepEqual(ep.asked[0], [0, 1]);
    ep.acked.add(1);
    assert.deepEqual(await waits[1], { kind: 'acked' });
    assert.equal(tracker.pending, 1);
    ep.acked.add(0);
    assert.deepEqual(await waits[0], { kind: 'acked' });
    assert.equal(tracker.pending, 0);
    const polls = ep.asked.length;
    await sleep(60);
    assert.equal(ep.asked.length, polls, 'no polling with nothing pending');
  });

  it('an id never acknowledged times out (the batch is then sent again)', async () => {
    const ep = endpoint();
    const tracker = new AckTracker(ep.query, 10, 50);
    assert.deepEqual(await tracker.wait(7, new AbortController().signal), {
      kind: 'timeout',
    });
  });

  it('an ack endpoint that says acknowledgement is off ends the waits as unsupported', async () => {
    const tracker = new AckTracker(
      async () => ({ unsupported: 'HTTP 400 (ACK is disabled)' }),
      10,
      10_000,
    );
    assert.deepEqual(await tracker.wait(0, new AbortController().signal), {
      kind: 'unsupported',
      reason: 'HTTP 400 (ACK is disabled)',
    });
  });

  it('a failing poll is asked again; an abort (shutdown) ends the wait', async () => {
    let calls = 0;
    const tracker = new AckTracker(
      async () => {
        calls++;
        return calls < 3 ? { failed: 'ECONNRESET' } : { acks: { '0': true } };
      },
      10,
      10_000,
    );
    assert.deepEqual(await tracker.wait(0, new AbortController().signal), { kind: 'acked' });
    assert.equal(calls, 3);
    const abort = new AbortController();
    const waiting = tracker.wait(1, abort.signal);
    abort.abort(new Error('shutting down'));
    assert.deepEqual(await waiting, { kind: 'aborted', reason: 'shutting down' });
    tracker.close('done');
  });

  it("a failed poll is logged with the exporter's name, redacted by the transport's rule", async () => {
    const secret = 'Splunk 0badc0de-0000-4000-8000-000000000000';
    let calls = 0;
    const captured = captureDiagWarnings();
    try {
      const tracker = new AckTracker(
        async () => {
          calls++;
          if (calls === 1) throw new Error(`proxy echoed authorization: ${secret}`);
          if (calls === 2) return { failed: `HTTP 502 (${secret})` };
          return { acks: { '0': true } };
        },
        10,
        10_000,
        { name: 'splunk-hec/audit', redact: (text) => text.split(secret).join('[REDACTED]') },
      );
      assert.deepEqual(await tracker.wait(0, new AbortController().signal), { kind: 'acked' });
    } finally {
      captured.stop();
    }
    const lines = captured.lines.filter((l) => l.includes('polling acknowledgements failed'));
    assert.equal(lines.length, 2);
    for (const line of lines) {
      assert.match(line, /^otelpack splunk-hec\/audit: /);
      assert.ok(!line.includes(secret), line);
      assert.match(line, /\[REDACTED\]/);
    }
  });
});
