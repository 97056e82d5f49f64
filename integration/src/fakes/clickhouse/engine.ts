/*
 * The real engine: chdb's embedded ClickHouse, one data directory for the process and one
 * connection per request. Everything about SQL, storage and errors happens in there; this module
 * only sets up each request's context, routes INSERT data around the JS string boundary, and
 * reports what happened in the shape the HTTP layer needs.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'chdb';
import { ClickHouseException, normalizeEngineError, raise } from './errors';
import type { ParsedRequest } from './request';
import { analyze } from './sql';

/** What the engine reports about itself at startup; the HTTP layer answers with these. */
export interface EngineDefaults {
  version: string;
  timezone: string;
  enableHttpCompression: boolean;
  httpZlibCompressionLevel: number;
}

function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

export interface Outcome {
  /** The statement as the log shows it: SQL without the INSERT data. */
  statement: string;
  body: Uint8Array;
  format: string;
  summary: Record<string, string>;
}

export class Engine {
  private readonly base: Session;
  readonly defaults: EngineDefaults;

  private constructor(
    private readonly dataPath: string,
    private readonly uploadPath: string,
    base: Session,
    defaults: EngineDefaults,
  ) {
    this.base = base;
    this.defaults = defaults;
  }

  static async open(dir: string): Promise<Engine> {
    const dataPath = join(dir, 'data');
    const uploadPath = join(dir, 'uploads');
    mkdirSync(dataPath, { recursive: true });
    mkdirSync(uploadPath, { recursive: true });
    // This session lives as long as the process: it binds the engine to the data directory.
    // Requests get their own connections to the same directory (see run()).
    const base = new Session(dataPath);
    const result = await base.queryAsync(
      "SELECT version(), timezone(), getSetting('enable_http_compression'), getSetting('http_zlib_compression_level')",
      { format: 'JSONCompactEachRow' },
    );
    const [version, timezone, compression, level] = JSON.parse(result.text()) as [
      string,
      string,
      boolean | number,
      number,
    ];
    return new Engine(dataPath, uploadPath, base, {
      version,
      timezone,
      enableHttpCompression: Boolean(compression),
      httpZlibCompressionLevel: Number(level),
    });
  }

  /*
   * Each request gets a fresh connection (chdb Session) to the same data directory: settings,
   * query parameters and the current database are per connection, exactly as a ClickHouse
   * server gives each HTTP request its own query context, and nothing leaks into the next
   * request. Connections to one directory share the tables and may run concurrently.
   */
  async run(parsed: ParsedRequest): Promise<Outcome> {
    const latin = parsed.full.toString('latin1');
    const analysis = analyze(latin);
    let session: Session | undefined;
    let upload: string | undefined;
    try {
      session = new Session(this.dataPath);
      const assignments: [string, string][] = [
        // chdb turns this on for its own convenience; a server has it off.
        ['implicit_select', '0'],
        ...parsed.settings,
        ...parsed.queryParameters.map(([name, value]): [string, string] => [
          `param_${name}`,
          value,
        ]),
        ...(parsed.readOnly ? [['readonly', '2'] as [string, string]] : []),
      ];
      for (const [name] of parsed.queryParameters) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
          raise('BAD_ARGUMENTS', `Bad query parameter name 'param_${name}'.`);
      }
      await session.queryAsync(
        `SET ${assignments.map(([k, v]) => `${k} = ${quoteString(v)}`).join(', ')}`,
      );
      if (parsed.database) await session.queryAsync(`USE ${quoteIdentifier(parsed.database)}`);

      let sql: string;
      let statement: string;
      let isInsert = false;
      if (analysis.kind === 'insert-data') {
        /*
         * INSERT data never goes through a JS string: the body bytes are written to a file and
         * the engine reads them with `FROM INFILE`, so binary formats (RowBinary, Native,
         * Parquet…) arrive byte for byte. The clause order is the engine's:
         * INSERT INTO t [(cols)] FROM INFILE 'f' [SETTINGS …] FORMAT x.
         */
        upload = join(this.uploadPath, `${randomUUID()}.data`);
        writeFileSync(upload, parsed.full.subarray(analysis.dataStart));
        const head = parsed.full.subarray(0, analysis.headEnd).toString('utf8').trimEnd();
        const settingsClause =
          analysis.settingsStart === undefined
            ? ''
            : ` ${parsed.full.subarray(analysis.settingsStart, analysis.formatStart).toString('utf8').trim()}`;
        sql = `${head} FROM INFILE ${quoteString(upload)} COMPRESSION 'none'${settingsClause} FORMAT ${analysis.formatName}`;
        statement = `${head}${settingsClause} FORMAT ${analysis.formatName} <${parsed.full.length - analysis.dataStart} bytes>`;
        isInsert = true;
      } else {
        sql = parsed.full.toString('utf8');
        statement = sql;
      }
      const format =
        analysis.kind === 'query' && analysis.outputFormat
          ? analysis.outputFormat
          : parsed.defaultFormat;
      const result = await session.queryAsync(sql, { format: parsed.defaultFormat });
      const body = result.bytes();
      const elapsedNs = String(Math.round(result.elapsed * 1e9));
      // chdb reports, per query, the rows and bytes it read: for INSERT … FROM INFILE those are
      // the rows parsed from the body, which is what a server counts as written for a plain
      // table (a server adds rows its materialized views write, and drops deduplicated blocks).
      const rows = String(result.rowsRead);
      const bytes = String(result.bytesRead);
      const summary = isInsert
        ? {
            read_rows: rows,
            read_bytes: bytes,
            written_rows: rows,
            written_bytes: bytes,
            total_rows_to_read: '0',
            result_rows: rows,
            result_bytes: bytes,
            elapsed_ns: elapsedNs,
          }
        : {
            read_rows: rows,
            read_bytes: bytes,
            written_rows: '0',
            written_bytes: '0',
            total_rows_to_read: '0',
            result_rows: rows,
            result_bytes: String(body.byteLength),
            elapsed_ns: elapsedNs,
          };
      return { statement, body, format, summary };
    } catch (error) {
      if (error instanceof ClickHouseException) throw error;
      let message = error instanceof Error ? error.message : String(error);
      if (upload) {
        // Take out what only the detour through a file adds, so that the text reads as a
        // server's would for data that came in the request body.
        message = message
          .split(`: (in file/uri ${upload})`)
          .join('')
          .replace(/: While executing File(?=:)/, '')
          .replace(/: data for INSERT was parsed from file/g, '');
      }
      const { code, name, text } = normalizeEngineError(
        message,
        (error as { clickhouseCode?: number }).clickhouseCode,
      );
      throw new ClickHouseException(code, name, text);
    } finally {
      session?.close();
      if (upload) rmSync(upload, { force: true });
    }
  }

  close(): void {
    this.base.close();
  }
}
