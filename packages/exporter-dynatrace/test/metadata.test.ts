import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { DynatraceMetricExporter } from '../src';
import { END_MS, descriptor, gauge, point, resourceMetrics } from './helpers/metrics';

/*
 * Metadata lines through the exporter, against a local server answering as the ingest does: a
 * metric's metadata line goes again after its request was dropped, or when the ingest counted it
 * invalid without naming it, and stops once the ingest has taken it (or refused it by name).
 */

interface Answer {
  status: number;
  body: unknown;
}

async function ingest(answers: Answer[]) {
  const requests: string[][] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(Buffer.concat(chunks).toString().split('\n'));
      const answer = answers.shift() ?? { status: 202, body: { linesOk: 1, linesInvalid: 0 } };
      res
        .writeHead(answer.status, { 'content-type': 'application/json' })
        .end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise((resolve) => server.close(resolve)) };
}

const METRICS = [
  { ...gauge('app.a', [point(1)]), descriptor: descriptor('app.a', 'A') },
  { ...gauge('app.b', [point(2)]), descriptor: descriptor('app.b', 'B') },
];
const META_A = '#app.a gauge dt.meta.description=A';
const META_B = '#app.b gauge dt.meta.description=B';
const LINES = [META_A, `app.a gauge,1 ${END_MS}`, META_B, `app.b gauge,2 ${END_MS}`];

/** Three exports of the same two metrics; the lines of each request. */
async function threeExports(answers: Answer[]): Promise<{ requests: string[][]; stats: unknown }> {
  const server = await ingest(answers);
  const exporter = new DynatraceMetricExporter({
    url: server.url,
    auth: { token: 'dt0c01.TEST' },
    metadataLines: true,
    resourceAttributes: [],
  });
  try {
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => exporter.export(resourceMetrics(METRICS) as never, resolve));
      await exporter.forceFlush();
    }
    const { accepted, delivered, dropped } = exporter.stats();
    return {
      requests: server.requests,
      stats: { accepted, delivered, rejected: dropped.rejected },
    };
  } finally {
    await exporter.shutdown();
    await server.close();
  }
}

const metadataOf = (request: string[]) => request.filter((l) => l.startsWith('#'));

describe('metadata lines: written until the ingest settles them', () => {
  it('all taken: each metric’s metadata line goes once', async () => {
    const { requests } = await threeExports([]);
    assert.deepEqual(requests[0], LINES);
    assert.deepEqual(requests.slice(1).map(metadataOf), [[], []]);
  });

  it('a request refused as a whole: its metadata lines go again with the next points', async () => {
    const { requests, stats } = await threeExports([
      { status: 400, body: { error: { code: 400, message: 'Empty payload' } } },
    ]);
    assert.deepEqual(requests.map(metadataOf), [[META_A, META_B], [META_A, META_B], []]);
    assert.deepEqual(stats, { accepted: 10, delivered: 6, rejected: 4 });
  });

  it('partial success: the taken one stops, the one counted invalid unnamed goes again', async () => {
    // Line 4 named; a second invalid line not named, counted against the last unnamed line (3).
    const { requests, stats } = await threeExports([
      {
        status: 400,
        body: {
          linesOk: 2,
          linesInvalid: 2,
          error: { code: 400, invalidLines: [{ line: 4, error: 'bad value' }] },
        },
      },
    ]);
    assert.deepEqual(requests[0], LINES);
    assert.deepEqual(requests.map(metadataOf), [[META_A, META_B], [META_B], []]);
    assert.deepEqual(stats, { accepted: 9, delivered: 7, rejected: 2 });
  });

  it('partial success: a metadata line refused by name is not sent again', async () => {
    const { requests, stats } = await threeExports([
      {
        status: 400,
        body: {
          linesOk: 3,
          linesInvalid: 1,
          error: { code: 400, invalidLines: [{ line: 1, error: 'bad metadata' }] },
        },
      },
    ]);
    assert.deepEqual(requests.map(metadataOf), [[META_A, META_B], [], []]);
    assert.deepEqual(stats, { accepted: 8, delivered: 7, rejected: 1 });
  });
});
