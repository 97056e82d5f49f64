import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { FaultSink } from '../src/testing/fault-sink';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

// A broken fault (e.g. a stall close() cannot end) must fail its test, not hang the run.
const LIMIT = { timeout: 10_000 };

function ndjson(records: unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

async function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-ndjson', ...headers },
    signal,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function startSink(
  t: { after: (fn: () => Promise<void>) => void },
  options?: Parameters<typeof FaultSink.start>[0],
): Promise<FaultSink> {
  const sink = await FaultSink.start(options);
  t.after(() => sink.close());
  return sink;
}

test('stores NDJSON records and answers 200 {"errors":false}', LIMIT, async (t) => {
  const sink = await startSink(t);
  assert.match(sink.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await post(`${sink.url}/_bulk?refresh=false`, ndjson([{ a: 1 }, { a: 2 }]), {
    'x-test': 'yes',
  });
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.text), { errors: false });
  assert.deepEqual(sink.records, [{ a: 1 }, { a: 2 }]);
  assert.equal(sink.requests.length, 1);
  const [req] = sink.requests;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/_bulk?refresh=false');
  assert.equal(req.headers['x-test'], 'yes');
  assert.equal(req.body.toString(), ndjson([{ a: 1 }, { a: 2 }]));
  assert.ok(Math.abs(req.receivedAtMs - Date.now()) < 5000);
  assert.equal(sink.malformedRequests, 0);
});

test('decodes gzip bodies before storing and recording them', LIMIT, async (t) => {
  const sink = await startSink(t);
  const text = ndjson([{ z: 'x' }, { z: 'y' }, { z: 'z' }]);
  const res = await post(sink.url, zlib.gzipSync(text), { 'content-encoding': 'gzip' });
  assert.equal(res.status, 200);
  assert.deepEqual(sink.records, [{ z: 'x' }, { z: 'y' }, { z: 'z' }]);
  assert.equal(sink.requests[0].body.toString(), text);
});

test('GET is answered 200 {} and does not consume a scripted fault', LIMIT, async (t) => {
  const sink = await startSink(t);
  sink.setFaults({ fault: { kind: 'status', status: 500 }, times: 1 });
  const health = await fetch(`${sink.url}/health`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), {});
  const faulted = await post(sink.url, ndjson([{ n: 1 }]));
  assert.equal(faulted.status, 500);
  assert.equal(sink.requests.length, 2);
  assert.equal(sink.requests[0].method, 'GET');
});

test('status fault: Retry-After reaches the client and nothing is stored', LIMIT, async (t) => {
  const sink = await startSink(t);
  sink.setFaults({ fault: { kind: 'status', status: 429, retryAfter: '3' } });
  const res = await post(sink.url, ndjson([{ n: 1 }]));
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '3');
  assert.equal(sink.records.length, 0);
  assert.equal(sink.requests.length, 1, 'faulted requests are still recorded');

  sink.setFaults({ fault: { kind: 'status', status: 503, body: 'down for maintenance' } });
  const custom = await post(sink.url, ndjson([{ n: 2 }]));
  assert.equal(custom.status, 503);
  assert.equal(custom.headers.get('retry-after'), null);
  assert.equal(custom.text, 'down for maintenance');
  assert.equal(sink.records.length, 0);
});

test(
  'rules are consumed after `times` requests, then behaviour returns to normal',
  LIMIT,
  async (t) => {
    const sink = await startSink(t);
    sink.setFaults(
      { fault: { kind: 'status', status: 500 }, times: 2 },
      { fault: { kind: 'status', status: 429 }, times: 1 },
    );
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(sink.url, ndjson([{ i }]))).status);
    assert.deepEqual(statuses, [500, 500, 429, 200, 200]);
    assert.deepEqual(sink.records, [{ i: 3 }, { i: 4 }]);

    // Without `times` a rule holds until the script changes.
    sink.setFaults({ fault: { kind: 'status', status: 502 } });
    for (let i = 0; i < 3; i++) assert.equal((await post(sink.url, ndjson([{ i }]))).status, 502);
    sink.clearFaults();
    assert.equal((await post(sink.url, ndjson([{ i: 9 }]))).status, 200);
    assert.equal(sink.records.length, 3);
  },
);

test('setFaults rejects rules that could never be served', LIMIT, async (t) => {
  const sink = await startSink(t);
  assert.throws(() => sink.setFaults({ fault: { kind: 'status', status: 42 } }), RangeError);
  assert.throws(() => sink.setFaults({ fault: { kind: 'reset' }, times: 0 }), RangeError);
  assert.throws(
    () => sink.setFaults({ fault: { kind: 'scaling', optimalConcurrency: 0, latencyMs: 1 } }),
    RangeError,
  );
});

function httpPost(
  agent: http.Agent,
  url: string,
  body: string,
): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

test('keep-alive connections are reused, including after a faulted answer', LIMIT, async (t) => {
  const sink = await startSink(t);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  sink.setFaults({ fault: { kind: 'status', status: 503, retryAfter: '1' }, times: 1 });
  const first = await httpPost(agent, sink.url, ndjson([{ k: 1 }]));
  const second = await httpPost(agent, sink.url, ndjson([{ k: 2 }]));
  const third = await httpPost(agent, sink.url, ndjson([{ k: 3 }]));
  assert.deepEqual(
    [first, second, third],
    [
      { status: 503, reused: false },
      { status: 200, reused: true },
      { status: 200, reused: true },
    ],
  );
  assert.deepEqual(sink.records, [{ k: 2 }, { k: 3 }]);
});

test(
  'reset fault cuts the connection mid-body: client sees a network error, nothing stored',
  LIMIT,
  async (t) => {
    const sink = await startSink(t);
    sink.setFaults({ fault: { kind: 'reset' }, times: 1 });
    const firstPart = Buffer.from(ndjson([{ r: 1 }]));
    const err = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      const req = http.request(sink.url, {
        method: 'POST',
        agent: false,
        // Announce far more than is sent so the sink is provably cutting mid-body.
        headers: { 'content-length': String(firstPart.length * 100) },
      });
      req.once('response', (res) => reject(new Error(`unexpected response ${res.statusCode}`)));
      req.once('error', resolve);
      req.write(firstPart);
    });
    assert.ok(
      err.code === 'ECONNRESET' || err.code === 'EPIPE' || /socket hang up/.test(err.message),
      `expected a connection reset, got ${err.code}: ${err.message}`,
    );
    assert.equal(sink.records.length, 0);
    assert.equal(sink.requests.length, 1);
    assert.equal(sink.requests[0].body.toString(), firstPart.toString());

    // The sink itself keeps serving.
    assert.equal((await post(sink.url, ndjson([{ r: 2 }]))).status, 200);
    assert.deepEqual(sink.records, [{ r: 2 }]);
  },
);

test('reset fault also fails a fetch client', LIMIT, async (t) => {
  const sink = await startSink(t);
  sink.setFaults({ fault: { kind: 'reset' } });
  const big = ndjson(Array.from({ length: 20_000 }, (_, i) => ({ i, pad: 'x'.repeat(20) })));
  await assert.rejects(post(sink.url, big), TypeError);
  assert.equal(sink.records.length, 0);
});

test(
  'stall fault: a client timeout aborts and close() still resolves quickly',
  LIMIT,
  async (t) => {
    const sink = await startSink(t);
    sink.setFaults({ fault: { kind: 'stall' } });
    const started = Date.now();
    await assert.rejects(post(sink.url, ndjson([{ s: 1 }]), {}, AbortSignal.timeout(200)), {
      name: 'TimeoutError',
    });
    assert.ok(Date.now() - started >= 190);
    assert.equal(sink.records.length, 0);
    assert.equal(sink.requests.length, 1, 'the stalled request was read and recorded');
    for (let i = 0; i < 50 && sink.inFlight > 0; i++) await sleep(10);
    assert.equal(sink.inFlight, 0, 'an aborted stalled request stops counting as in flight');

    const closing = Date.now();
    await sink.close();
    assert.ok(Date.now() - closing < 1000, 'close() must not wait for stalled connections');
  },
);

test('close() destroys a stalled connection whose client never gives up', LIMIT, async (t) => {
  const sink = await startSink(t);
  sink.setFaults({ fault: { kind: 'stall' } });
  const outcome = new Promise<string>((resolve) => {
    const req = http.request(sink.url, { method: 'POST', agent: false }, () => resolve('answered'));
    req.once('error', (err) => resolve(`error: ${err.message}`));
    req.end(ndjson([{ s: 1 }]));
  });
  for (let i = 0; i < 100 && sink.requests.length === 0; i++) await sleep(10);
  assert.equal(sink.inFlight, 1);
  const closing = Date.now();
  await sink.close();
  assert.ok(Date.now() - closing < 1000, 'close() must not wait for stalled connections');
  assert.match(await outcome, /^error: /);
  await sink.close(); // idempotent
});

test('slow fault stores first, then answers 200 after delayMs', LIMIT, async (t) => {
  const sink = await startSink(t);
  sink.setFaults({ fault: { kind: 'slow', delayMs: 300 } });
  const started = Date.now();
  let answered = false;
  const pending = post(sink.url, ndjson([{ s: 1 }, { s: 2 }])).then((res) => {
    answered = true;
    return res;
  });
  await sink.waitForRecords(2, 2000);
  assert.equal(answered, false, 'records are stored before the delayed answer');
  const res = await pending;
  assert.equal(res.status, 200);
  assert.ok(Date.now() - started >= 290, `answered after ${Date.now() - started}ms`);
  assert.deepEqual(sink.records, [{ s: 1 }, { s: 2 }]);
});

test('partial fault stores only ok records and reports one item per record', LIMIT, async (t) => {
  const sink = await startSink(t);
  const verdicts = ['ok', 'retry', 'reject'] as const;
  sink.setFaults({
    fault: {
      kind: 'partial',
      decide: (record, index) => {
        assert.equal((record as { id: number }).id, index);
        return verdicts[index % 3];
      },
    },
    times: 1,
  });
  const records = Array.from({ length: 7 }, (_, id) => ({ id }));
  const res = await post(sink.url, ndjson(records));
  assert.equal(res.status, 200);
  const answer = JSON.parse(res.text) as {
    errors: boolean;
    items: Array<{ status: number; error?: string }>;
  };
  assert.equal(answer.errors, true);
  assert.deepEqual(
    answer.items.map((item) => item.status),
    [200, 429, 400, 200, 429, 400, 200],
  );
  assert.equal(answer.items[0].error, undefined);
  assert.equal(typeof answer.items[1].error, 'string');
  assert.equal(typeof answer.items[2].error, 'string');
  assert.deepEqual(sink.records, [{ id: 0 }, { id: 3 }, { id: 6 }]);

  sink.setFaults({ fault: { kind: 'partial', decide: () => 'ok' } });
  const allOk = JSON.parse((await post(sink.url, ndjson([{ id: 9 }]))).text) as {
    errors: boolean;
  };
  assert.equal(allOk.errors, false);
});

test(
  'scaling fault: more than N parallel requests get 503, N or fewer never do',
  LIMIT,
  async (t) => {
    const sink = await startSink(t);
    const latencyMs = 150;
    sink.setFaults({ fault: { kind: 'scaling', optimalConcurrency: 2, latencyMs } });

    const over = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        post(
          sink.url,
          ndjson([
            { i, a: 0 },
            { i, a: 1 },
          ]),
        ),
      ),
    );
    const ok = over.filter((r) => r.status === 200);
    const shed = over.filter((r) => r.status === 503);
    assert.equal(ok.length + shed.length, 6, `statuses ${over.map((r) => r.status)}`);
    assert.ok(shed.length > 0, 'concurrency above N must shed load');
    assert.ok(ok.length >= 2, 'the first N requests are admitted');
    for (const r of shed) assert.equal(r.headers.get('retry-after'), null);
    assert.equal(sink.records.length, ok.length * 2, 'shed requests store nothing');
    assert.ok(sink.maxConcurrentSeen > 2);

    sink.reset();
    assert.equal(sink.maxConcurrentSeen, 0);
    for (let round = 0; round < 3; round++) {
      sink.reset();
      const pair = await Promise.all([
        post(sink.url, ndjson([{ round, n: 0 }])),
        post(sink.url, ndjson([{ round, n: 1 }])),
      ]);
      assert.deepEqual(
        pair.map((r) => r.status),
        [200, 200],
      );
      // Both were served side by side, which is what makes throughput grow up to N (seen by
      // the sink, not by a wall clock, which a loaded machine stretches).
      assert.equal(sink.maxConcurrentSeen, 2, `round ${round}`);
      assert.equal(sink.records.length, 2);
    }
    assert.equal(sink.inFlight, 0);
  },
);

test('malformed bodies are answered 400 and counted, nothing stored', LIMIT, async (t) => {
  const sink = await startSink(t);
  const bad = await post(sink.url, '{"ok":1}\nnot json\n');
  assert.equal(bad.status, 400);
  assert.match((JSON.parse(bad.text) as { error: string }).error, /line 2/);

  const badGzip = await post(sink.url, 'not gzip at all', { 'content-encoding': 'gzip' });
  assert.equal(badGzip.status, 400);
  assert.match((JSON.parse(badGzip.text) as { error: string }).error, /gzip/);

  assert.equal(sink.malformedRequests, 2);
  assert.equal(sink.records.length, 0);
  assert.equal(sink.requests.length, 2);
});

test('custom decodeRecords and respond plug in an exporter-specific protocol', LIMIT, async (t) => {
  const sink = await startSink(t, {
    decodeRecords: (body, req) => {
      assert.equal(req.path, '/services/collector');
      const parsed: unknown = JSON.parse(body.toString());
      if (!Array.isArray(parsed)) throw new Error('expected a JSON array');
      return parsed;
    },
    respond: (records) => ({ body: JSON.stringify({ text: 'Success', count: records.length }) }),
  });
  const res = await post(`${sink.url}/services/collector`, JSON.stringify([{ e: 1 }, { e: 2 }]));
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.text), { text: 'Success', count: 2 });
  assert.deepEqual(sink.records, [{ e: 1 }, { e: 2 }]);

  const bad = await post(`${sink.url}/services/collector`, '{"e":3}');
  assert.equal(bad.status, 400);
  assert.deepEqual(JSON.parse(bad.text), { error: 'expected a JSON array' });
  assert.equal(sink.malformedRequests, 1);
});

test('records are counted per request correctly under concurrency', LIMIT, async (t) => {
  const sink = await startSink(t);
  const batches = Array.from({ length: 25 }, (_, req) =>
    Array.from({ length: (req % 7) + 1 }, (_, n) => ({ req, n })),
  );
  const answers = await Promise.all(
    batches.map((batch, i) =>
      i % 2 === 0
        ? post(sink.url, ndjson(batch))
        : post(sink.url, zlib.gzipSync(ndjson(batch)), { 'content-encoding': 'gzip' }),
    ),
  );
  assert.ok(answers.every((a) => a.status === 200));
  const expected = batches.flat();
  assert.equal(sink.records.length, expected.length);
  const key = (r: unknown): string => JSON.stringify(r);
  assert.deepEqual(sink.records.map(key).sort(), expected.map(key).sort());
  // Each request's records land together, in their original order.
  for (const batch of batches) {
    const start = sink.records.findIndex((r) => key(r) === key(batch[0]));
    assert.deepEqual(sink.records.slice(start, start + batch.length), batch);
  }
  assert.equal(sink.requests.length, 25);
  assert.ok(sink.maxConcurrentSeen >= 1);
  assert.equal(sink.inFlight, 0);
});

test(
  'waitForRecords resolves when enough records arrive and rejects on timeout',
  LIMIT,
  async (t) => {
    const sink = await startSink(t);
    await sink.waitForRecords(0);
    const waiting = sink.waitForRecords(3, 2000);
    await post(sink.url, ndjson([{ w: 1 }, { w: 2 }]));
    await post(sink.url, ndjson([{ w: 3 }]));
    await waiting;
    await sink.waitForRecords(3, 10);

    const started = Date.now();
    await assert.rejects(sink.waitForRecords(10, 100), (err: Error) => {
      assert.match(err.message, /timed out after 100ms waiting for 10 records; have 3/);
      return true;
    });
    assert.ok(Date.now() - started >= 90);

    const cut = sink.waitForRecords(10, 60_000);
    await sink.close();
    await assert.rejects(cut, /closed/);
  },
);

test(
  'reset() forgets requests, records and counters but keeps the fault script',
  LIMIT,
  async (t) => {
    const sink = await startSink(t);
    await post(sink.url, ndjson([{ a: 1 }]));
    await post(sink.url, 'broken');
    assert.equal(sink.malformedRequests, 1);
    sink.setFaults({ fault: { kind: 'status', status: 500 }, times: 1 });
    sink.reset();
    assert.equal(sink.requests.length, 0);
    assert.equal(sink.records.length, 0);
    assert.equal(sink.malformedRequests, 0);
    assert.equal(sink.maxConcurrentSeen, 0);
    assert.equal((await post(sink.url, ndjson([{ a: 2 }]))).status, 500);
    assert.equal((await post(sink.url, ndjson([{ a: 3 }]))).status, 200);
    assert.deepEqual(sink.records, [{ a: 3 }]);
  },
);
