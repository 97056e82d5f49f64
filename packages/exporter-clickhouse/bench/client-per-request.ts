/**
 * What one INSERT costs in @clickhouse/client, before any row: the exporter's `exec` call (a
 * stream body, `wait_end_of_query`, an abort signal, the answer read to its end) against a bare
 * node:http POST of the same body to the same loopback sink (exporter-otlp's, a process of its
 * own), on a keep-alive agent. Rounds alternate; the figure is process CPU per request in the
 * measured part, after a warm-up of the same loop. vs-otlp.ts runs it after its table: at the
 * benchmark's request size this is the part of a record's cost that a larger insert would spread.
 *
 *   node --import tsx bench/client-per-request.ts
 */
import http from 'node:http';
import { Readable } from 'node:stream';
import { createClient } from '@clickhouse/client';
import { median } from '../../batching-core/bench/lib/stats';
import { startSink } from '../../exporter-otlp/bench/e2e-harness';

const REQUESTS = Number(process.env.BENCH_CLIENT_REQUESTS ?? 3_000);
const ROUNDS = Number(process.env.BENCH_CLIENT_ROUNDS ?? 3);
/** Alone: about a Brotli-compressed insert of vs-otlp's 1,024 log records. */
const BODY_BYTES = Number(process.env.BENCH_CLIENT_BODY_BYTES ?? 8_192);

export interface ClientPerRequest {
  clientUsPerRequest: number;
  nodeHttpUsPerRequest: number;
}

async function cpuUsPerRequest(send: () => Promise<void>): Promise<number> {
  for (let i = 0; i < REQUESTS; i++) await send();
  const before = process.cpuUsage();
  for (let i = 0; i < REQUESTS; i++) await send();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / REQUESTS;
}

/** Both ways of sending a body of `bodyBytes`, alternating rounds. */
export async function measureClientPerRequest(bodyBytes = BODY_BYTES): Promise<ClientPerRequest> {
  const sink = await startSink();
  const body = Buffer.alloc(Math.max(1, Math.round(bodyBytes)), 0x2a);
  const client = createClient({ url: sink.url });
  const agent = new http.Agent({ keepAlive: true });
  const query = 'INSERT INTO otel_logs FORMAT RowBinaryWithNamesAndTypes';
  // As the exporter's sender calls it (src/sender/sender.ts).
  const viaClient = async (): Promise<void> => {
    const result = await client.exec({
      query,
      values: Readable.from([body], { objectMode: false }),
      clickhouse_settings: { wait_end_of_query: 1 },
      abort_signal: new AbortController().signal,
      ignore_error_response: true,
    });
    for await (const chunk of result.stream) void chunk;
  };
  const target = `${sink.url}/?query=${encodeURIComponent(query)}&wait_end_of_query=1`;
  const viaNodeHttp = () =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(
        target,
        { method: 'POST', agent, headers: { 'content-length': body.length } },
        (response) => {
          response.resume();
          response.on('end', resolve);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  const clientRuns: number[] = [];
  const nodeHttpRuns: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        clientRuns.push(await cpuUsPerRequest(viaClient));
        nodeHttpRuns.push(await cpuUsPerRequest(viaNodeHttp));
      } else {
        nodeHttpRuns.push(await cpuUsPerRequest(viaNodeHttp));
        clientRuns.push(await cpuUsPerRequest(viaClient));
      }
    }
  } finally {
    await client.close();
    agent.destroy();
    sink.child.send({ type: 'close' });
  }
  return { clientUsPerRequest: median(clientRuns), nodeHttpUsPerRequest: median(nodeHttpRuns) };
}

if (require.main === module) {
  void measureClientPerRequest().then((result) => {
    process.stdout.write(
      `@clickhouse/client exec: ${result.clientUsPerRequest.toFixed(0)} µs CPU per INSERT; node:http POST of the same ${BODY_BYTES} bytes: ${result.nodeHttpUsPerRequest.toFixed(0)} µs (${(result.clientUsPerRequest / result.nodeHttpUsPerRequest).toFixed(2)}×)\n`,
    );
  });
}
