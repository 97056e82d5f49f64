import { diag } from '@opentelemetry/api';
import type { ClickHouseClient } from '@clickhouse/client';
import type { HeaderProvider } from '@otelpack/batching-core';
import { classifyThrown } from '../sender/classify';
import type { InsertFailure } from '../sender/classify';
import { DEFAULT_LAYOUTS, layoutFor, readColumnTypes } from './columns';
import type { TableLayout } from './columns';
import type { ClickHouseTableNames, TableKind } from './tables';

/**
 * The column types of the tables one signal writes, read from `system.columns` once per host
 * before its first insert (after the schema is created, when the exporter creates it), so that
 * each value is encoded for the column it lands in — a table made by the Collector, by an older
 * version of this exporter or by a DBA. A network failure is the send's (retryable) outcome; any
 * other (no access to system.columns) is logged once and the exporter's own types are assumed.
 */
export class TableLayouts {
  private readonly layouts = new WeakMap<ClickHouseClient, Map<TableKind, TableLayout>>();
  private readonly running = new WeakMap<ClickHouseClient, Promise<InsertFailure | undefined>>();

  constructor(
    private readonly database: string,
    private readonly tables: Readonly<ClickHouseTableNames>,
    private readonly kinds: readonly TableKind[],
    private readonly scrub: (text: string) => string,
    private readonly timeoutMs: number,
    private readonly headerProvider?: HeaderProvider,
  ) {}

  /** The layout of a table on a host: the exporter's own until the host's tables were read. */
  layoutOf(client: ClickHouseClient, kind: TableKind): TableLayout {
    return this.layouts.get(client)?.get(kind) ?? DEFAULT_LAYOUTS[kind];
  }

  /** Reads the tables again before the next insert through this client (see onTableMismatch). */
  forget(client: ClickHouseClient): void {
    this.layouts.delete(client);
  }

  ensure(client: ClickHouseClient): Promise<InsertFailure | undefined> {
    if (this.layouts.has(client)) return Promise.resolve(undefined);
    let running = this.running.get(client);
    if (!running) {
      running = this.read(client).finally(() => this.running.delete(client));
      this.running.set(client, running);
    }
    return running;
  }

  private async read(client: ClickHouseClient): Promise<InsertFailure | undefined> {
    try {
      const headers = this.headerProvider ? await this.headerProvider() : undefined;
      const types = await readColumnTypes(
        client,
        this.database,
        this.kinds.map((kind) => this.tables[kind]),
        {
          // Its own deadline: a stalled answer must not hold every later send.
          abortSignal: AbortSignal.timeout(this.timeoutMs),
          ...(headers ? { httpHeaders: headers } : {}),
        },
      );
      const layouts = new Map<TableKind, TableLayout>();
      for (const kind of this.kinds) {
        const columns = types.get(this.tables[kind]);
        layouts.set(kind, columns ? layoutFor(kind, columns) : DEFAULT_LAYOUTS[kind]);
      }
      this.layouts.set(client, layouts);
      return undefined;
    } catch (error) {
      const failure = classifyThrown(error);
      if (failure.retryable) {
        return { ...failure, reason: `reading the tables' column types: ${failure.reason}` };
      }
      diag.warn(
        this.scrub(
          `otelpack clickhouse: could not read the column types of the tables (${failure.reason}); writing them in the exporter's own types`,
        ),
      );
      this.layouts.set(client, new Map());
      return undefined;
    }
  }
}
