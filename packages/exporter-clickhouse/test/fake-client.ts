import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';

/**
 * TEST FAKE — a stand-in for @clickhouse/client that records what the sender asks of it and
 * answers from a script, so that every outcome the sender must classify can be produced on
 * demand. The integration tests run the same paths against the real engine.
 */

export interface RecordedExec {
  query: string;
  /** A copy of what was sent. */
  body: Buffer;
  /** The memory the sender handed over (not a copy): whose buffer it is, for reuse tests. */
  sentMemory: ArrayBufferLike[];
  /** Settings sent with the request (URL parameters over HTTP). */
  settings: Record<string, unknown>;
  /** Settings in the statement's own `SETTINGS … FORMAT` clause, as written. */
  querySettings: Record<string, string>;
  ignoreErrorResponse: boolean;
}

function settingsClause(query: string): Record<string, string> {
  const clause = / SETTINGS (.*) FORMAT \S+$/.exec(query)?.[1];
  if (!clause) return {};
  const settings: Record<string, string> = {};
  for (const match of clause.matchAll(
    /([A-Za-z_][A-Za-z0-9_]*) = ('(?:[^'\\]|\\.)*'|[^,]+)(?:, |$)/g,
  )) {
    settings[match[1]] = match[2];
  }
  return settings;
}

export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
}

export type FakeBehaviour = FakeAnswer | Error | ((call: RecordedExec) => Promise<FakeAnswer>);

export class FakeClickHouseClient {
  readonly execs: RecordedExec[] = [];
  readonly commands: string[] = [];
  /** The `http_headers` each command was sent with. */
  readonly commandHeaders: (Record<string, string> | undefined)[] = [];
  /** The `abort_signal` each command was sent with. */
  readonly commandSignals: (AbortSignal | undefined)[] = [];
  /** Commands never answer (a stalled server) until their abort signal fires. */
  stallCommands = false;
  /** Ends the stalled statements, as a closed connection would (`closeStalled`). */
  private readonly stalled: (() => void)[] = [];
  /** The read queries (system.columns) sent. */
  readonly queries: string[] = [];
  /** What `system.columns` answers: none by default, so the exporter's own types are assumed. */
  columnRows: { table: string; name: string; type: string }[] = [];
  closed = false;
  private script: FakeBehaviour[] = [];
  private commandScript: (Error | undefined)[] = [];

  /** The answers of the next execs, in order; after them every exec succeeds. */
  answer(...behaviours: FakeBehaviour[]): this {
    this.script.push(...behaviours);
    return this;
  }

  /** What the next commands (schema DDL) do: undefined succeeds, an Error is thrown. */
  commandAnswers(...outcomes: (Error | undefined)[]): this {
    this.commandScript.push(...outcomes);
    return this;
  }

  async exec(params: {
    query: string;
    values?: Readable;
    clickhouse_settings?: Record<string, unknown>;
    ignore_error_response?: boolean;
  }) {
    const chunks: Buffer[] = [];
    const sentMemory: ArrayBufferLike[] = [];
    for await (const chunk of params.values ?? Readable.from([])) {
      sentMemory.push((chunk as Buffer).buffer);
      chunks.push(Buffer.from(chunk as Buffer));
    }
    const call: RecordedExec = {
      query: params.query,
      body: Buffer.concat(chunks),
      sentMemory,
      settings: { ...params.clickhouse_settings },
      querySettings: settingsClause(params.query),
      ignoreErrorResponse: params.ignore_error_response === true,
    };
    this.execs.push(call);
    const behaviour = this.script.shift() ?? {};
    if (behaviour instanceof Error) throw behaviour;
    const answer = typeof behaviour === 'function' ? await behaviour(call) : behaviour;
    return {
      stream: Readable.from(answer.body ? [Buffer.from(answer.body)] : []),
      query_id: 'q',
      http_status_code: answer.status ?? 200,
      response_headers: answer.headers ?? {},
      summary: undefined,
    };
  }

  async command(params: {
    query: string;
    http_headers?: Record<string, string>;
    abort_signal?: AbortSignal;
  }) {
    this.commands.push(params.query);
    this.commandHeaders.push(params.http_headers);
    this.commandSignals.push(params.abort_signal);
    if (this.stallCommands) {
      await new Promise((_, reject) => {
        // An open socket keeps a real process alive while it waits; this stands in for it
        // (AbortSignal.timeout's timer does not).
        const socket = setInterval(() => {}, 1_000);
        const end = () => {
          clearInterval(socket);
          reject(Object.assign(new Error('The user aborted a request.'), { name: 'AbortError' }));
        };
        params.abort_signal?.addEventListener('abort', end);
        this.stalled.push(end);
      });
    }
    const outcome = this.commandScript.shift();
    if (outcome) throw outcome;
    return { query_id: 'c' };
  }

  /** The stalled statements fail as their connection closes under them. */
  closeStalled(): void {
    for (const end of this.stalled.splice(0)) end();
  }

  async query(params: { query: string }) {
    this.queries.push(params.query);
    const rows = this.columnRows;
    return { json: async () => rows };
  }

  async close() {
    this.closed = true;
  }

  asClient(): ClickHouseClient {
    return this as unknown as ClickHouseClient;
  }
}
