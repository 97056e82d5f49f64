import { diag } from '@opentelemetry/api';
import type { ClickHouseClient } from '@clickhouse/client';
import { classifyThrown } from '../sender/classify';
import type { InsertFailure } from '../sender/classify';
import type { HeaderProvider } from '@otelpack/batching-core';
import { runSchemaStatements } from './create';
import type { SchemaSettings, SchemaSignal } from './ddl';

/**
 * Creates a signal's tables once per host, before its first insert. A failure the network
 * causes is the send's (retryable) outcome and the next send tries again; a permanent one
 * (no CREATE privilege, say) is logged once and the inserts go ahead, since a DBA may have
 * created the tables already: if not, the insert fails with UNKNOWN_TABLE and its rows are
 * counted as rejected.
 */
export class SchemaGate {
  private readonly ready = new WeakSet<ClickHouseClient>();
  private readonly running = new WeakMap<ClickHouseClient, Promise<InsertFailure | undefined>>();

  constructor(
    private readonly settings: SchemaSettings,
    private readonly signals: readonly SchemaSignal[],
    /** Removes credentials from a text before it is logged. */
    private readonly scrub: (text: string) => string,
    /** Each statement's deadline (the exporter's `timeoutMs`). */
    private readonly timeoutMs: number,
    /** The exporter's async headers (a rotating token): the schema's statements need them too. */
    private readonly headerProvider?: HeaderProvider,
  ) {}

  ensure(client: ClickHouseClient): Promise<InsertFailure | undefined> {
    if (this.ready.has(client)) return Promise.resolve(undefined);
    let running = this.running.get(client);
    if (!running) {
      // Shared by the sends waiting on it, so no single send's abort cancels it.
      running = this.create(client);
      this.running.set(client, running);
    }
    return running;
  }

  private async create(client: ClickHouseClient): Promise<InsertFailure | undefined> {
    try {
      const headers = this.headerProvider ? await this.headerProvider() : undefined;
      // Its own deadline: a stalled statement must not hold the gate (and so the sends) forever.
      await runSchemaStatements(
        client,
        this.settings,
        this.signals,
        AbortSignal.timeout(this.timeoutMs),
        headers,
      );
      this.ready.add(client);
      return undefined;
    } catch (error) {
      const failure = classifyThrown(error);
      this.running.delete(client);
      if (failure.retryable) {
        return {
          ...failure,
          reason: `creating the ${this.signals.join('/')} schema: ${failure.reason}`,
        };
      }
      diag.error(
        this.scrub(
          `otelpack clickhouse: could not create the ${this.signals.join('/')} tables (${failure.reason}); inserting into them as they are`,
        ),
      );
      this.ready.add(client);
      return undefined;
    }
  }
}
