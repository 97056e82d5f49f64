import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DynatraceFake, FAKE_TOKEN, LineError, parseLine } from '../../src/fakes/dynatrace-fake';
import { REQUEST_TYPES } from '../../src/protocols/otlp';

/*
 * NO BACKEND: the Dynatrace ingest fake itself (FAKE), held to Dynatrace's documented examples
 * and answers, and to the lines Dynatrace's own @dynatrace/metric-utils writes (its answers
 * recorded in packages/exporter-dynatrace/test/fixtures/oracle.json), so that the exporter's
 * tests against it say something about the real ingest.
 */

describe('Dynatrace fake: the documented line protocol', () => {
  it('the protocol page’s example: quoted values with \\\\ and \\", a bare value is a gauge', () => {
    const parsed = parseLine(
      'workHours,team="devops\\\\bugfixing",project="\\"product\\"_improvement" 1000',
    );
    assert.deepEqual(parsed, {
      kind: 'data',
      key: 'workHours',
      dimensions: { team: 'devops\\bugfixing', project: '"product"_improvement' },
      payload: { type: 'gauge', value: 1000 },
    });
  });

  it('a dimension key given twice is valid, one value kept (the protocol page)', () => {
    const parsed = parseLine('net.conn,ipaddress="192.168.100.1",ipaddress="10.0.0.1" gauge,1');
    assert.equal(parsed.kind === 'data' && Object.keys(parsed.dimensions).length, 1);
  });

  const valid: [string, unknown][] = [
    ['cpu.temperature,host=a gauge,55.5 1700000000000', { type: 'gauge', value: 55.5 }],
    [
      'cpu.temperature gauge,min=17.1,max=17.3,sum=34.4,count=2',
      { type: 'summary', min: 17.1, max: 17.3, sum: 34.4, count: 2 },
    ],
    ['new.users.count,region=us count,delta=1', { type: 'count', delta: 1 }],
    ['unescaped,v=a\\ b\\,c\\=d\\\\e\\"f gauge,1', { type: 'gauge', value: 1 }],
  ];
  for (const [line, payload] of valid) {
    it(`takes ${line}`, () => {
      const parsed = parseLine(line);
      assert.equal(parsed.kind, 'data');
      assert.deepEqual(parsed.kind === 'data' && parsed.payload, payload);
    });
  }

  const invalid: [string, RegExp][] = [
    ['ab gauge,1', /3 to 255/],
    ['1abc gauge,1', /invalid metric key/],
    ['dt.cpu gauge,1', /reserved/],
    ['abc,Key=v gauge,1', /invalid dimension key/],
    ['abc,k=a b gauge,1', /invalid|unexpected/],
    ['abc,k=a"b gauge,1', /unescaped/],
    [`abc,k=${'v'.repeat(251)} gauge,1`, /250/],
    [`abc${Array.from({ length: 51 }, (_, i) => `,k${i}=v`).join('')} gauge,1`, /more than 50/],
    ['abc gauge,min=3,max=1,sum=4,count=2', /min 3 > max 1/],
    ['abc gauge,min=1,max=2,sum=10,count=2', /min <= avg <= max/],
    ['abc gauge,NaN', /invalid gauge value/],
    ['abc count,5', /absolute count/],
    ['abc gauge,1 yesterday', /invalid timestamp/],
    [
      `abc,k=${'v'.repeat(200)}${',k=v'.repeat(0)} gauge,1 ${'1'.repeat(50_000)}`,
      /longer than 50000/,
    ],
  ];
  for (const [line, reason] of invalid) {
    it(`refuses ${line.slice(0, 60)}`, () => {
      assert.throws(
        () => parseLine(line),
        (e: unknown) => e instanceof LineError && reason.test(e.message),
      );
    });
  }

  it('count lines get .count and gauges named .count get .gauge, with the warning', () => {
    const count = parseLine('requests count,delta=2');
    const gauge = parseLine('queue.count gauge,2');
    assert.equal(count.key, 'requests.count');
    assert.equal(gauge.key, 'queue.count.gauge');
  });

  it('metadata lines', () => {
    assert.deepEqual(parseLine('#my.timer gauge dt.meta.unit=ms,dt.meta.description=A\\ timer'), {
      kind: 'metadata',
      key: 'my.timer',
      type: 'gauge',
      fields: { 'dt.meta.unit': 'ms', 'dt.meta.description': 'A timer' },
    });
    assert.throws(() => parseLine('#my.timer histogram dt.meta.unit=ms'), LineError);
  });

  it('every line @dynatrace/metric-utils wrote for the oracle parses, but for keys the protocol page refuses', () => {
    const oracle = JSON.parse(
      readFileSync(
        join(__dirname, '../../../packages/exporter-dynatrace/test/fixtures/oracle.json'),
        'utf8',
      ),
    ) as { lines: { line: string | null }[] };
    const refused: string[] = [];
    for (const { line } of oracle.lines) {
      if (line === null) continue;
      try {
        parseLine(line);
      } catch (error) {
        // Keys under 3 characters, and sections starting with a hyphen, which the JS utilities
        // leave and the page refuses (the exporter replaces those hyphens).
        const key = line.split(/[ ,]/)[0];
        const documented = /3 to 255/.test((error as Error).message) || key.includes('.-');
        if (!documented) refused.push(`${line}: ${(error as Error).message}`);
      }
    }
    assert.deepEqual(refused, []);
  });
});

describe('Dynatrace fake: the documented answers', () => {
  const fake = new DynatraceFake();
  let url = '';
  before(async () => {
    url = await fake.listen(0);
  });
  after(() => fake.close());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        authorization: `Api-Token ${FAKE_TOKEN}`,
        ...headers,
      },
      body,
    });

  it('202 with linesOk when every line is valid', async () => {
    const response = await post('/api/v2/metrics/ingest', 'abc gauge,1\nabc.count count,delta=2');
    assert.equal(response.status, 202);
    assert.deepEqual(await response.json(), {
      linesOk: 2,
      linesInvalid: 0,
      error: null,
      warnings: null,
    });
  });

  it('400 with linesOk, linesInvalid and the invalid lines by 1-based number', async () => {
    const response = await post('/api/v2/metrics/ingest', 'abc gauge,1\nab gauge,1\nabc gauge,x');
    assert.equal(response.status, 400);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.linesOk, 1);
    assert.equal(body.linesInvalid, 2);
    const error = body.error as { code: number; message: string; invalidLines: { line: number }[] };
    assert.equal(error.code, 400);
    assert.equal(error.message, '2 invalid lines');
    assert.deepEqual(
      error.invalidLines.map((l) => l.line),
      [2, 3],
    );
  });

  it('401 without the token at the API; the OneAgent path takes none', async () => {
    assert.equal(
      (await post('/api/v2/metrics/ingest', 'abc gauge,1', { authorization: '' })).status,
      401,
    );
    assert.equal((await post('/metrics/ingest', 'abc gauge,1', { authorization: '' })).status, 202);
  });

  it('a log request with a record over 24 hours old: 400 timestamps_out_of_range', async () => {
    const body = (ageMs: number) => {
      const type = REQUEST_TYPES.logs;
      const nanos = String(BigInt(Date.now() - ageMs) * 1_000_000n);
      const request = {
        resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: nanos }] }] }],
      };
      return Buffer.from(type.encode(type.fromObject(request)).finish());
    };
    const send = (ageMs: number) =>
      fetch(`${url}/api/v2/otlp/v1/logs`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-protobuf',
          authorization: `Api-Token ${FAKE_TOKEN}`,
        },
        body: body(ageMs),
      });
    const stale = await send(25 * 3_600_000);
    assert.equal(stale.status, 400);
    assert.match(await stale.text(), /timestamps_out_of_range/);
    assert.equal((await send(60_000)).status, 200);
  });

  it('413 over 1 MB; 415 for OTLP JSON', async () => {
    assert.equal(
      (await post('/api/v2/metrics/ingest', `abc gauge,1\n`.repeat(90_000))).status,
      413,
    );
    const json = await post('/api/v2/otlp/v1/traces', '{}', { 'content-type': 'application/json' });
    assert.equal(json.status, 415);
  });
});
