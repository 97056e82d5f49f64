/**
 * Scenario 3: requests per second of the core's HttpTransport (undici Pool, keep-alive) against
 * node:http with a keep-alive Agent (the anchor) and the global fetch, posting 1 KB and 1 MB
 * bodies to a local sink in another process. Same concurrency and sockets for all three; each
 * reads the whole answer. `node --expose-gc --import tsx bench/http-transport.ts` runs it alone.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { resolve } from 'node:path';
import { Pool } from 'undici';
import { HttpTransport } from './lib/core';
import { childExecArgv, forceGc, PACKAGE_DIR, reportToParent, waitForMessage } from './lib/child';
import { median, round } from './lib/stats';

const CONCURRENCY = 16;
const WARMUP_MS = 400;
/** Each client and size is measured in ROUNDS slices of ROUND_MS, in rotating order. */
const ROUNDS = 5;
const ROUND_MS = 400;
const SIZES = [
  { name: '1 KB', bytes: 1024 },
  { name: '1 MB', bytes: 1024 * 1024 },
];
const PATH = '/_bulk';

/** Sends one POST and reads the whole answer; true when the answer was 200. */
type Client = {
  name: string;
  post: (body: Buffer) => Promise<boolean>;
  close: () => Promise<void>;
};

function httpModuleClient(port: number): Client {
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: CONCURRENCY,
    maxFreeSockets: CONCURRENCY,
  });
  return {
    name: 'node:http + keep-alive Agent',
    post: (body) =>
      new Promise<boolean>((resolvePost, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: PATH,
            agent,
            headers: { 'content-type': 'application/x-ndjson', 'content-length': body.length },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              Buffer.concat(chunks);
              resolvePost(res.statusCode === 200);
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    close: async () => agent.destroy(),
  };
}

function transportClient(port: number): Client {
  const transport = new HttpTransport({
    url: `http://127.0.0.1:${port}`,
    connections: CONCURRENCY,
  });
  return {
    name: 'HttpTransport (undici Pool)',
    post: async (body) => {
      const result = await transport.send({
        path: PATH,
        headers: { 'content-type': 'application/x-ndjson' },
        body,
      });
      return result.kind === 'delivered';
    },
    close: () => transport.close(),
  };
}

/**
 * Not one of the three compared, but the floor under HttpTransport: the same undici Pool with
 * nothing around it. The gap between the two is what the transport itself costs.
 */
function rawUndiciClient(port: number): Client {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY });
  return {
    name: 'undici Pool.request (no wrapper)',
    post: async (body) => {
      const response = await pool.request({
        method: 'POST',
        path: PATH,
        headers: { 'content-type': 'application/x-ndjson' },
        body,
      });
      await response.body.arrayBuffer();
      return response.statusCode === 200;
    },
    close: () => pool.close(),
  };
}

function fetchClient(port: number): Client {
  const url = `http://127.0.0.1:${port}${PATH}`;
  return {
    // Node's bundled undici (not the package's); its global agent opens a socket per request in
    // flight, so with CONCURRENCY in flight it holds the same number of sockets as the others.
    name: 'global fetch',
    post: async (body) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body,
      });
      await response.arrayBuffer();
      return response.status === 200;
    },
    close: async () => {},
  };
}

interface SinkStats {
  requests: number;
  bodyBytes: number;
  connections: number;
}

function sinkStats(sink: ChildProcess): Promise<SinkStats> {
  const answer = waitForMessage<SinkStats>(sink, 5_000);
  sink.send({ type: 'stats' });
  return answer;
}

interface Load {
  completed: number;
  failed: number;
  elapsedMs: number;
  /** CPU time of this (client) process: unlike req/s, barely moved by load elsewhere. */
  cpuUs: number;
}

/** CONCURRENCY loops, each starting a request as soon as its previous one is answered. */
async function load(client: Client, body: Buffer, durationMs: number): Promise<Load> {
  let completed = 0;
  let failed = 0;
  const startMs = performance.now();
  const startCpu = process.cpuUsage();
  const endMs = startMs + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < endMs) {
      try {
        if (await client.post(body)) completed++;
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  // Up to the last answer, which may come after endMs: those requests are counted too.
  const cpu = process.cpuUsage(startCpu);
  return {
    completed,
    failed,
    elapsedMs: performance.now() - startMs,
    cpuUs: cpu.user + cpu.system,
  };
}

export interface HttpResult {
  concurrency: number;
  anchor: string;
  measuredMsPerCase: number;
  cases: {
    size: string;
    client: string;
    requestsPerSec: number;
    mbPerSec: number;
    ratioToAnchor: number;
    requests: number;
    failed: number;
    /** Connections the sink saw this client open while measuring (after its warm-up). */
    newConnections: number;
    /** The client process's CPU time per request (user + system). */
    clientCpuUsPerRequest: number;
  }[];
  sink: { requests: number; bodyBytes: number; expectedBodyBytes: number };
}

async function main(): Promise<HttpResult> {
  const sink = fork(resolve(__dirname, 'http-sink.ts'), [], {
    cwd: PACKAGE_DIR,
    execArgv: childExecArgv(),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const { port } = await waitForMessage<{ port: number }>(sink, 15_000);
    const clients = [
      httpModuleClient(port),
      transportClient(port),
      fetchClient(port),
      rawUndiciClient(port),
    ];
    const anchor = clients[0];
    const cases: HttpResult['cases'] = [];
    let expectedBodyBytes = 0;

    for (const size of SIZES) {
      const body = Buffer.alloc(size.bytes, 'x');
      const totals = clients.map(() => ({
        completed: 0,
        failed: 0,
        elapsedMs: 0,
        cpuUs: 0,
        connections: 0,
      }));
      const roundRates = clients.map((): number[] => []);
      for (const client of clients) {
        const warm = await load(client, body, WARMUP_MS);
        expectedBodyBytes += (warm.completed + warm.failed) * size.bytes;
      }
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate who goes first, so a warming or cooling machine favours no one.
        for (let k = 0; k < clients.length; k++) {
          const i = (k + round) % clients.length;
          forceGc();
          const before = await sinkStats(sink);
          const measured = await load(clients[i], body, ROUND_MS);
          totals[i].connections += (await sinkStats(sink)).connections - before.connections;
          totals[i].completed += measured.completed;
          totals[i].failed += measured.failed;
          totals[i].elapsedMs += measured.elapsedMs;
          totals[i].cpuUs += measured.cpuUs;
          roundRates[i].push(measured.completed / measured.elapsedMs);
          expectedBodyBytes += (measured.completed + measured.failed) * size.bytes;
        }
      }
      clients.forEach((client, i) => {
        const rate = totals[i].completed / totals[i].elapsedMs;
        // Per round, then the median: a burst of load elsewhere on the machine skews one round.
        const ratio = median(roundRates[i].map((r, k) => r / roundRates[0][k]));
        cases.push({
          size: size.name,
          client: client.name,
          requestsPerSec: round(rate * 1000, 0),
          mbPerSec: round((rate * 1000 * size.bytes) / (1024 * 1024), 1),
          ratioToAnchor: round(ratio, 3),
          requests: totals[i].completed,
          failed: totals[i].failed,
          newConnections: totals[i].connections,
          clientCpuUsPerRequest: round(totals[i].cpuUs / totals[i].completed, 1),
        });
      });
    }
    for (const client of clients) await client.close();

    const stats = await sinkStats(sink);
    const failures = cases.reduce((sum, c) => sum + c.failed, 0);
    if (failures > 0) throw new Error(`${failures} requests failed: ${JSON.stringify(cases)}`);
    if (stats.bodyBytes !== expectedBodyBytes) {
      throw new Error(`sink read ${stats.bodyBytes} body bytes, clients sent ${expectedBodyBytes}`);
    }
    return {
      concurrency: CONCURRENCY,
      anchor: anchor.name,
      measuredMsPerCase: ROUNDS * ROUND_MS,
      cases,
      sink: { requests: stats.requests, bodyBytes: stats.bodyBytes, expectedBodyBytes },
    };
  } finally {
    sink.kill();
  }
}

reportToParent(main);
