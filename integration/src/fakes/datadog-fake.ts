/*
 * THIS IS A FAKE, not Datadog: the trace-agent fake (datadog-trace-agent-fake.ts) and the
 * logs-intake fake (datadog-logs-fake.ts) behind one HTTP port, as the integration harness's
 * `datadog` backend: `/v0.4/traces` and `/info` go to the first, `/api/v2/logs` to the second
 * (any non-empty DD-API-KEY taken). `GET /_otelpack_fake/counts` gives the spans and log entries
 * held, for the packed-install smoke test; `GET /_otelpack_fake/spans?service=<name>` the spans of
 * one service (ids as decimal text) and `GET /_otelpack_fake/logs?service=<name>` its log entries,
 * for tests that read back what a separate process sent (the spool crash test); `GET /` names
 * the fake.
 *
 *   node --import tsx src/fakes/datadog-fake.ts --port 8126
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { LogsIntakeFake } from './datadog-logs-fake';
import { TraceAgentFake } from './datadog-trace-agent-fake';
import type { ReceivedSpan } from './datadog-trace-agent-fake';
import { closeLocal, listenLocal, sendJson } from './http-util';

export const FAKE_NAME = 'otelpack Datadog fake (trace Agent + logs intake)';

/** JSON has no 64-bit integers: a span's ids and times as decimal text. */
function jsonSpan(span: ReceivedSpan): Record<string, unknown> {
  return {
    ...span,
    trace_id: String(span.trace_id),
    span_id: String(span.span_id),
    parent_id: String(span.parent_id),
    start: String(span.start),
    duration: String(span.duration),
  };
}

export class DatadogFake {
  readonly agent = new TraceAgentFake();
  readonly intake: LogsIntakeFake;
  private server: Server | undefined;

  constructor(apiKey?: string) {
    this.intake = new LogsIntakeFake(apiKey);
  }

  async listen(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === '/') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`${FAKE_NAME}\n`);
      } else if (req.method === 'GET' && path === '/_otelpack_fake/counts') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ traces: this.agent.spans().length, logs: this.intake.entries.length }),
        );
      } else if (req.method === 'GET' && path === '/_otelpack_fake/spans') {
        const service = new URL(req.url ?? '/', 'http://fake').searchParams.get('service');
        const spans = this.agent.spans().filter((s) => service === null || s.service === service);
        sendJson(res, 200, spans.map(jsonSpan));
      } else if (req.method === 'GET' && path === '/_otelpack_fake/logs') {
        const service = new URL(req.url ?? '/', 'http://fake').searchParams.get('service');
        sendJson(
          res,
          200,
          this.intake.entries.filter((e) => service === null || e.service === service),
        );
      } else if (path.startsWith('/api/v2/logs')) {
        void this.intake.handle(req, res);
      } else {
        void this.agent.handle(req, res);
      }
    });
    this.server = server;
    return listenLocal(server, port);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeLocal(server);
  }
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--port');
  const fake = new DatadogFake();
  const url = await fake.listen(at >= 0 ? Number(process.argv[at + 1]) : 8126);
  process.stdout.write(`${url} (${FAKE_NAME})\n`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) void main();
