import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  BodyBuffers,
  Failover,
  KnownSecrets,
  callingThreadMaxBytesFromEnvironment,
  compressBody,
  setOwnField,
} from '@otelpack/batching-core';
import type {
  BatchSender,
  HeaderProvider,
  ItemFailure,
  SendContext,
  SendResult,
} from '@otelpack/batching-core';
import type { ClickHouseClient } from '@clickhouse/client';
import type { RequestCompression } from '../config';
import { insertBody, rowSize, rowWriter, wireFormat } from '../encoding/encoder';
import type { ClickHouseRow, InsertFormat } from '../encoding/encoder';
import { rowBinaryHeader } from '../encoding/row-binary';
import { ROW_SLABS } from '../encoding/row-slabs';
import { tableRowReader } from '../encoding/row-binary-reader';
import { jsonEachRowWriter } from '../encoding/json';
import { rowsToken } from '../encoding/row-ids';
import { DEFAULT_LAYOUTS } from '../schema/columns';
import type { TableLayout } from '../schema/columns';
import { quoteIdentifier } from '../schema/ddl';
import type { TableKind } from '../schema/tables';
import {
  classifyCode,
  classifyHttpStatus,
  classifyThrown,
  isTableMismatch,
  parseClickHouseMessage,
} from './classify';
import type { InsertFailure } from './classify';
import { groupByTable, idsOf, originsOf } from './groups';
import type { TableGroup } from './groups';
import { clickHouseRowSpoolCodec } from './spool-codec';
import { untilAborted } from './until-aborted';

/** One ClickHouse connection the sender can insert through, with a name safe to log. */
export interface SenderHost {
  client: ClickHouseClient;
  /** e.g. `https://ch-1.example.com:8443` (no credentials). */
  label: string;
}

export interface ClickHouseSenderOptions {
  /** Tried in order: after a failure of the host, the next send goes to the next one. */
  hosts: readonly SenderHost[];
  format: InsertFormat;
  /** The fully qualified table name for each kind of row (`` `otel`.`otel_traces` ``). */
  tables: Readonly<Record<TableKind, string>>;
  /** Every insert carries `insert_deduplication_token`, so a retried batch cannot add its rows twice. */
  deduplicate: boolean;
  asyncInsert: boolean;
  /** More settings for every insert (they win over the exporter's own); names checked by the config. */
  insertSettings?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Over HTTP the answer is inspected by the sender (status, X-ClickHouse-Exception-Code);
   * the embedded connection reports failures by throwing.
   */
  http: boolean;
  /**
   * How INSERT bodies are compressed over HTTP: here, on the calling thread up to the core's
   * limit, rather than by @clickhouse/client, whose zlib stream cost 2.5x the CPU for the same
   * bytes (core compress.ts). Not used on the embedded connection.
   */
  compression?: RequestCompression;
  /** Strings to scrub from every reason (passwords). */
  secrets: readonly string[];
  /**
   * Runs before each send (e.g. creating the schema once); a failure it returns is the send's
   * outcome. It must be cheap once done.
   */
  prepare?: (host: SenderHost) => Promise<InsertFailure | undefined>;
  /**
   * The columns of a table on a host, typed as the table has them (read by `prepare`); the
   * exporter's own schema without it.
   */
  layoutOf?: (host: SenderHost, table: TableKind) => TableLayout;
  /**
   * Called when an insert failed in a way a table of other columns explains (no such table or
   * column, a value it cannot parse, a type it does not take): the layouts are read again
   * before the next insert, in case a DBA created or altered the table since.
   */
  onTableMismatch?: (host: SenderHost) => void;
  /** Close the clients at shutdown (not when the application handed its own client in). */
  ownsClients: boolean;
  /** Called before every INSERT; its headers go with it (e.g. a refreshed token). */
  headerProvider?: HeaderProvider;
  /** The exporter's name, in the failover's log line. Default `clickhouse`. */
  name?: string;
}

const MAX_REASON_LENGTH = 1_000;

/*
 * What a held ClickHouseRow costs in memory, as `perRecordBytes + perWireByte * sizeOf`. Fitted
 * by bench/memory-fit.ts: heap + external growth after GC per held row, backend down, 64 MiB cap,
 * spans, logs and metrics of three sizes each.
 */

/**
 * A JSON line is one flat one-byte string (about a byte per wire byte) plus the row object and
 * the core's entry. Least squares over the nine runs: 158 + 1.037 x sizeOf, within 6% of each
 * (1,883 B held at 1,704 wire B for the default spans, 1,279 at 1,126 for the default logs,
 * 1,491 at 1,198 for the default metric rows — 1,380 at a 256 MiB cap), rounded up.
 */
const JSON_ROW_MEMORY_MODEL = { perRecordBytes: 180, perWireByte: 1.04 };

/**
 * Fitted when a RowBinary row was a Buffer cut from Node's 8 KiB pool: the bytes, the Buffer
 * object, and the end of a pool too short for the next row (rows of 2.7-4 KiB waste up to a
 * third of it). Rows are views of 64 KiB slabs since; with this model the README's runs of 3
 * December held 0.86-1.06 of the cap after GC.
 * Held/wire runs from 1.19 to 1.56 (1,630 B at 1,185 for the default spans, 1,062 at 784 for
 * the default logs, 1,013 at 690 for the default metric rows, 4,532 at 2,906 for spans of 30
 * attributes); least squares -11 + 1.401 x sizeOf. This keeps every default within 6% and
 * under-counts no run by more than 8%.
 */
const ROW_BINARY_MEMORY_MODEL = { perRecordBytes: 40, perWireByte: 1.42 };

/**
 * Sends one batch as one INSERT per table it holds (a span or log batch: one; a metrics batch:
 * one per metric type), through the current host. It reports, it never retries: the core
 * decides. A host failure moves the next send to the next host.
 */
export class ClickHouseSender implements BatchSender<ClickHouseRow> {
  /** The options hold the clients, and so the credentials: private, out of JSON and inspect. */
  readonly #options: ClickHouseSenderOptions;
  readonly #hosts: Failover<SenderHost>;
  readonly #secrets: KnownSecrets;
  private readonly statements: Partial<Record<TableKind, string>> = {};
  private readonly headers = new WeakMap<TableLayout, Buffer>();
  private readonly writers = new WeakMap<TableLayout, (row: object) => string | Buffer>();
  private readonly jsonWriters = new WeakMap<TableLayout, (row: object) => string>();
  /**
   * Tables that refused RowBinary's header for a type (their types could not be read before,
   * e.g. without access to system.columns): their rows go as JSONEachRow from then on.
   */
  private readonly refusesRowBinary = new Set<TableKind>();
  /** At most the default concurrency's bodies and one being written, none over 4 MiB. */
  private readonly bodies = new BodyBuffers({ keep: 3, largestBytes: 4 * 1024 * 1024 });
  /** Compress bodies up to this many bytes on the event loop; undefined: compressBody's default. */
  private readonly callingThreadMaxBytes: number | undefined;

  /**
   * What a held row costs in memory, for the core's maxQueueBytes (see the models below).
   */
  readonly memoryModel: { perRecordBytes: number; perWireByte: number };

  /** How rows go to the disk spool: RowBinary and metric rows without V8's serialisation. */
  readonly spoolCodec = clickHouseRowSpoolCodec;

  /**
   * The dedup token names an insert's rows: with a spool, a batch sent before a crash must be
   * replayed cut as it was for ClickHouse to drop the copy it stored (the core then keeps it so).
   */
  get deduplicatesBatches(): boolean {
    return this.#options.deduplicate;
  }

  constructor(options: ClickHouseSenderOptions) {
    if (options.hosts.length === 0) throw new Error('ClickHouseSender needs at least one host');
    this.#options = options;
    // The process-wide limit the core's HTTP transports read (0: every body to the thread pool);
    // unset, compressBody's own by codec and level.
    this.callingThreadMaxBytes = callingThreadMaxBytesFromEnvironment();
    this.#secrets = new KnownSecrets(options.secrets);
    this.#hosts = new Failover(options.hosts, (host) => host.label, options.name ?? 'clickhouse');
    this.memoryModel =
      options.format === 'RowBinary' ? ROW_BINARY_MEMORY_MODEL : JSON_ROW_MEMORY_MODEL;
  }

  /** The host the next send goes to (its label). */
  get currentHost(): string {
    return this.#hosts.currentLabel;
  }

  sizeOf(row: ClickHouseRow): number {
    return rowSize(row);
  }

  /** Delivered RowBinary rows' slabs may be written again (row-slabs.ts). */
  afterDelivered(rows: readonly ClickHouseRow[]): void {
    for (let i = 0; i < rows.length; i++) {
      const data = rows[i].data;
      if (typeof data !== 'string') ROW_SLABS.release(data);
    }
  }

  async send(batch: readonly ClickHouseRow[], context: SendContext): Promise<SendResult> {
    const host = this.#hosts.current;
    if (this.#options.prepare) {
      const unprepared = await untilAborted(this.#options.prepare(host), context.signal);
      if (unprepared) {
        const failure = this.scrub(unprepared);
        if (failure.hostFault) this.moveToNextHost(host, failure.reason);
        return this.wholeBatch(failure);
      }
    }
    // Abandoned while the schema was read (requestTimeoutMs): the pipeline has these rows sent
    // again, and once they are delivered their slabs are written again, so the rows must not
    // be read here any more. Past this point they are read at once, before any wait, and again
    // only by the JSON fallback below, which checks the signal first.
    if (context.signal.aborted) {
      return { kind: 'retryable', reason: 'abandoned at the request deadline' };
    }

    const groups = groupByTable(batch);
    // Every insert runs to its end before the send answers, a throwing one included: an insert
    // still running after its send answered could read rows the retry has had delivered. What
    // throws here (outside an insert's request) is the rows' or the code's fault, not the
    // host's: it retries, on the same host.
    const failures = await Promise.all(
      groups.map((group) =>
        this.insert(host, group, batch, context.signal).catch((error: unknown) =>
          this.explain(this.scrub({ ...classifyThrown(error), hostFault: false })),
        ),
      ),
    );
    if (failures.some((failure) => isTableMismatch(failure?.code))) {
      this.#options.onTableMismatch?.(host);
    }
    const firstHostFault = failures.find((failure) => failure?.hostFault);
    if (firstHostFault) this.moveToNextHost(host, firstHostFault.reason);

    if (failures.every((failure) => failure === undefined)) return { kind: 'delivered' };
    const failed = failures.filter((failure): failure is InsertFailure => failure !== undefined);
    // Every table failed the same way: the batch's outcome, with its back-pressure signal.
    if (
      failed.length === groups.length &&
      failed.every((f) => f.retryable === failed[0].retryable)
    ) {
      return this.wholeBatch(failed.find((f) => f.backpressure) ?? failed[0]);
    }
    const itemFailures: ItemFailure[] = [];
    groups.forEach((group, i) => {
      const failure = failures[i];
      if (!failure) return;
      for (const index of group.indexes) {
        itemFailures.push({
          index,
          retryable: failure.retryable,
          reason: failure.reason,
          ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
        });
      }
    });
    return { kind: 'partial', failures: itemFailures };
  }

  async close(): Promise<void> {
    this.bodies.close();
    if (!this.#options.ownsClients) return;
    await Promise.all(
      this.#options.hosts.map((host) => host.client.close().catch(() => undefined)),
    );
  }

  /**
   * The dedup token of an insert of rows without numbers (made outside the exporter's mapping):
   * the same bytes to the same table give the same token.
   */
  static deduplicationToken(table: string, body: Buffer): string {
    return createHash('sha256').update(table).update('\0').update(body).digest('base64url');
  }

  private wholeBatch(failure: InsertFailure): SendResult {
    if (!failure.retryable) return { kind: 'permanent', reason: failure.reason };
    return {
      kind: 'retryable',
      reason: failure.reason,
      backpressure: failure.backpressure,
      ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
    };
  }

  private moveToNextHost(host: SenderHost, reason: string): void {
    this.#hosts.moveOn(host, reason);
  }

  /** `INSERT INTO t (columns)`, made once per table. */
  private statementFor(table: TableKind): string {
    let statement = this.statements[table];
    if (!statement) {
      const columns = DEFAULT_LAYOUTS[table].columns
        .map((column) => quoteIdentifier(column.name))
        .join(', ');
      statement = `INSERT INTO ${this.#options.tables[table]} (${columns})`;
      this.statements[table] = statement;
    }
    return statement;
  }

  /**
   * The insert's settings, in the statement's own SETTINGS clause: they apply to this insert
   * alone. Passed as request settings instead, the embedded engine's connection would SET them
   * on its session, and a later insert through the same client — the application's own — would
   * inherit this batch's dedup token and be dropped as a duplicate.
   */
  private settingsFor(
    table: TableKind,
    body: Buffer,
    group: TableGroup,
    batch: readonly ClickHouseRow[],
  ): string {
    const settings: Record<string, string | number | boolean> = {};
    if (this.#options.deduplicate) {
      const ids = idsOf(group, batch);
      settings.insert_deduplication_token = ids
        ? rowsToken(ids, originsOf(group, batch))
        : ClickHouseSender.deduplicationToken(this.#options.tables[table], body);
    }
    if (this.#options.asyncInsert) {
      settings.async_insert = 1;
      // Without waiting, the server acknowledges before the data is written: a failure would
      // go unseen and unretried.
      settings.wait_for_async_insert = 1;
      settings.async_insert_deduplicate = 1;
    }
    Object.assign(settings, this.#options.insertSettings);
    const entries = Object.entries(settings).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return '';
    return ` SETTINGS ${entries.map(([name, value]) => `${name} = ${settingLiteral(value)}`).join(', ')}`;
  }

  /** One INSERT of the rows of one table; undefined when it went through. */
  private async insert(
    host: SenderHost,
    group: TableGroup,
    batch: readonly ClickHouseRow[],
    signal: AbortSignal,
  ): Promise<InsertFailure | undefined> {
    const { layout, rows, format } = this.rowsFor(
      this.#options.layoutOf?.(host, group.table) ?? DEFAULT_LAYOUTS[group.table],
      group,
      batch,
    );
    const header = format === 'RowBinary' ? this.headerOf(layout) : undefined;
    // Over HTTP the body's memory is reused once it is compressed, or, sent as it is, once
    // ClickHouse acknowledged it (batching-core's BodyBuffers); the embedded connection is
    // handed fresh memory, as nothing says when it has read it.
    let taken: Buffer | undefined;
    const body = this.#options.http
      ? insertBody(header, rows, (bytes) => (taken = this.bodies.take(bytes)))
      : insertBody(header, rows);
    // Read from the body before it is compressed (the dedup token), since its memory is given
    // back once the compressed copy exists.
    const query = `${this.statementFor(group.table)}${this.settingsFor(group.table, body, group, batch)} FORMAT ${wireFormat(format)}`;
    const compression = this.#options.http ? this.#options.compression : undefined;
    const codec = compression && compression.codec !== 'none' ? compression : undefined;
    try {
      let wire = body;
      if (codec) {
        wire = await compressBody(body, codec, this.callingThreadMaxBytes);
        if (taken) this.bodies.give(taken);
        taken = undefined;
      }
      const provided = this.#options.headerProvider
        ? await this.#options.headerProvider()
        : undefined;
      this.#secrets.rememberHeaders(provided);
      const headers = codec ? withContentEncoding(provided, codec.codec) : provided;
      const result = await host.client.exec({
        ...(headers ? { http_headers: headers } : {}),
        query,
        values: Readable.from([wire], { objectMode: false }),
        // An HTTP setting: the answer (and any exception) comes once the insert has finished,
        // never as an error after a 200 status line.
        ...(this.#options.http ? { clickhouse_settings: { wait_end_of_query: 1 } } : {}),
        abort_signal: signal,
        // The sender reads the status and body itself: @clickhouse/client would otherwise turn
        // a proxy's 503 into an error without its status.
        ignore_error_response: this.#options.http,
      });
      const answer = await readText(result.stream);
      const status = result.http_status_code ?? 200;
      const headerCode = headerValue(result.response_headers?.['x-clickhouse-exception-code']);
      if (
        status >= 200 &&
        status < 300 &&
        headerCode === undefined &&
        !answer.includes('DB::Exception')
      ) {
        // Not `giveAfterAnswer`: a 2xx that carries an exception may have ended the insert
        // before ClickHouse read the whole body, so only a clean answer frees its memory.
        if (taken) this.bodies.give(taken);
        return undefined;
      }
      const failure = this.scrub(
        this.failureOf(status, headerCode, answer, result.response_headers),
      );
      if (format === 'RowBinary' && isHeaderTypeMismatch(failure)) {
        // Sent again at once as JSON, which the server converts: nothing is dropped for it.
        this.refusesRowBinary.add(group.table);
        // Unless the send was abandoned at its deadline meanwhile: the rows' retry may have been
        // delivered and their slabs written again (row-slabs.ts), so they are not read again.
        if (signal.aborted) return this.explain(failure);
        return await this.insert(host, group, batch, signal);
      }
      return this.explain(failure);
    } catch (error) {
      return this.explain(this.scrub(classifyThrown(error)));
    }
  }

  private headerOf(layout: TableLayout): Buffer {
    let header = this.headers.get(layout);
    if (!header) this.headers.set(layout, (header = rowBinaryHeader(layout.columns)));
    return header;
  }

  /**
   * The encoded rows of one insert, the layout they are in and their format: as the mapping
   * encoded them for the exporter's own schema, or, for a table of other column types, encoded
   * again from the row objects (kept with metric rows; read back from the exporter's own
   * RowBinary for the others). RowBinary goes to a table whose types it cannot write exactly
   * as JSONEachRow, which the server converts. JSON rows without their object keep their text,
   * which the server converts too.
   */
  private rowsFor(
    layout: TableLayout,
    group: TableGroup,
    batch: readonly ClickHouseRow[],
  ): { layout: TableLayout; rows: (string | Buffer)[]; format: InsertFormat } {
    const format = this.#options.format;
    if (
      (format === 'RowBinary' && this.refusesRowBinary.has(group.table)) ||
      !group.indexes.every((index) => fitsFormat(batch[index].data, format))
    ) {
      return { layout, rows: this.asJsonLines(layout, group, batch), format: 'JSONEachRow' };
    }
    const encoded = (): (string | Buffer)[] => group.indexes.map((index) => batch[index].data);
    if (layout.matchesDefault) return { layout, rows: encoded(), format };
    const binary = format === 'RowBinary';
    if (binary ? layout.sameBytes : !group.indexes.every((index) => batch[index].source)) {
      return {
        layout: layout.sameBytes ? layout : DEFAULT_LAYOUTS[group.table],
        rows: encoded(),
        format,
      };
    }
    const target: InsertFormat = binary && !layout.rowBinary ? 'JSONEachRow' : format;
    let write = this.writers.get(layout);
    if (!write) this.writers.set(layout, (write = rowWriter(target, layout.columns)));
    const writeRow = write;
    const read = binary ? tableRowReader(group.table) : undefined;
    return {
      layout,
      format: target,
      rows: group.indexes.map((index) => {
        const row = batch[index];
        return writeRow(row.source ?? (read as (bytes: Buffer) => object)(row.data as Buffer));
      }),
    };
  }

  /**
   * Rows encoded in another format than the sender's: replayed from a spool written under
   * another format (the default was JSONEachRow before RowBinary), or a format changed since.
   * One insert has one format: these go as JSONEachRow lines, each from its row object, its
   * RowBinary read back, or its JSON text (a JSONCompactEachRow array given its column names).
   */
  private asJsonLines(
    layout: TableLayout,
    group: TableGroup,
    batch: readonly ClickHouseRow[],
  ): string[] {
    let write = this.jsonWriters.get(layout);
    if (!write) this.jsonWriters.set(layout, (write = jsonEachRowWriter(layout.columns)));
    const names = DEFAULT_LAYOUTS[group.table].columns.map((column) => column.name);
    return group.indexes.map((index) => {
      const row = batch[index];
      if (row.source) return write(row.source);
      if (typeof row.data !== 'string') return write(tableRowReader(group.table)(row.data));
      if (row.data.startsWith('{')) return row.data;
      const values = JSON.parse(row.data) as unknown[];
      const object: Record<string, unknown> = {};
      names.forEach((name, i) => setOwnField(object, name, values[i]));
      return `${JSON.stringify(object)}\n`;
    });
  }

  /** A table whose column types differ from the exporter's schema needs JSONEachRow: say so. */
  private explain(failure: InsertFailure): InsertFailure {
    if (this.#options.format !== 'RowBinary' || !isHeaderTypeMismatch(failure)) return failure;
    return {
      ...failure,
      reason: `${failure.reason} [the table's column types differ from this exporter's schema (a table made by another Collector version?): use format 'JSONEachRow', which converts]`,
    };
  }

  private failureOf(
    status: number,
    headerCode: string | undefined,
    answer: string,
    headers: Record<string, string | string[] | undefined> | undefined,
  ): InsertFailure {
    const parsed = parseClickHouseMessage(answer);
    if (parsed) return classifyCode(parsed.code, parsed.name, parsed.message, status);
    if (headerCode !== undefined && /^\d+$/.test(headerCode)) {
      return classifyCode(Number(headerCode), undefined, answer.trim() || `HTTP ${status}`, status);
    }
    return classifyHttpStatus(status, headers?.['retry-after'], answer);
  }

  private scrub(failure: InsertFailure): InsertFailure {
    let reason = this.#secrets.redact(failure.reason);
    if (reason.length > MAX_REASON_LENGTH) reason = `${reason.slice(0, MAX_REASON_LENGTH)}…`;
    return { ...failure, reason };
  }
}

/** A setting's value as SQL: numbers and booleans bare, anything else a quoted string. */
/** ClickHouse refused RowBinary's header: a column's type is not the one it states. */
function isHeaderTypeMismatch(failure: InsertFailure): boolean {
  return failure.code === 117 && /must be .*, not /.test(failure.reason);
}

/**
 * Whether a row's encoding is the format's: RowBinary bytes; for a JSON format, text that is not
 * the other JSON format's line (an object for JSONEachRow, an array for JSONCompactEachRow).
 */
function fitsFormat(data: string | Buffer, format: InsertFormat): boolean {
  if (format === 'RowBinary') return typeof data !== 'string';
  if (typeof data !== 'string') return false;
  return !data.startsWith(format === 'JSONEachRow' ? '[' : '{');
}

export function settingLiteral(value: string | number | boolean): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  return `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The (small) answer of an INSERT; ClickHouse sends nothing on success. */
async function readText(stream: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    // An answer longer than this is not an INSERT acknowledgement; keep what identifies it.
    if (size < 64 * 1024) chunks.push(buffer);
    size += buffer.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The provider's headers with ours for the body's coding, whatever case the provider used. */
function withContentEncoding(
  provided: Record<string, string> | undefined,
  codec: string,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(provided ?? {})) {
    if (name.toLowerCase() !== 'content-encoding') setOwnField(headers, name, value);
  }
  headers['Content-Encoding'] = codec;
  return headers;
}
