/*
 * The HTTP request, as ClickHouse's HTTPHandler reads it: where the query text comes from
 * (`?query=` + "\n" + body, or multipart form fields), which URL parameters and X-ClickHouse-*
 * headers the server handles itself, and which are settings for the query.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { chooseResponseEncoding, readRequestBody } from './compression';
import type { ResponseCompression } from './compression';
import type { EngineDefaults } from './engine';
import { raise } from './errors';

/** URL parameters the server handles itself; all others are settings (ClickHouse's HTTPHandler). */
const RESERVED_PARAMETERS = new Set([
  'query',
  'database',
  'default_format',
  'compress',
  'decompress',
  'user',
  'password',
  'quota_key',
  'query_id',
  'stacktrace',
  'role',
  'buffer_size',
  'wait_end_of_query',
  'session_id',
  'session_timeout',
  'session_check',
  'client_protocol_version',
  'close_session',
]);

export interface ParsedRequest {
  queryId: string;
  /** The whole request text as bytes: query parameter + "\n" + body, or the body alone. */
  full: Buffer;
  database?: string;
  defaultFormat: string;
  settings: [string, string][];
  queryParameters: [string, string][];
  readOnly: boolean;
  compression?: ResponseCompression;
}

function parseBool(value: string): boolean {
  return value === '1' || value.toLowerCase() === 'true';
}

/** Form fields of a multipart/form-data body (the client's `use_multipart_params`). */
function parseMultipart(body: Buffer, contentType: string): [string, string][] {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) raise('BAD_ARGUMENTS', 'multipart/form-data without a boundary.');
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const fields: [string, string][] = [];
  let position = body.indexOf(delimiter);
  while (position >= 0) {
    const partStart = position + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next < 0) break;
    const part = body.subarray(partStart, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      let value = part.subarray(headerEnd + 4);
      if (value.subarray(-2).toString() === '\r\n') value = value.subarray(0, -2);
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      if (/filename=/i.test(headers)) {
        raise(
          'NOT_IMPLEMENTED',
          "External data tables are not supported by otelpack's ClickHouse HTTP front.",
        );
      }
      if (name !== undefined) fields.push([name, value.toString('utf8')]);
    }
    position = next;
  }
  return fields;
}

export async function parseRequest(
  request: http.IncomingMessage,
  url: URL,
  defaults: EngineDefaults,
): Promise<ParsedRequest> {
  const parameters = [...url.searchParams.entries()];
  if (
    parseBool(url.searchParams.get('decompress') ?? '0') ||
    parseBool(url.searchParams.get('compress') ?? '0')
  ) {
    raise(
      'NOT_IMPLEMENTED',
      "ClickHouse's native block compression (compress/decompress) is not supported by otelpack's ClickHouse HTTP front.",
    );
  }
  if (url.searchParams.has('session_id')) {
    raise(
      'NOT_IMPLEMENTED',
      "HTTP sessions (session_id) are not supported by otelpack's ClickHouse HTTP front.",
    );
  }
  const body = await readRequestBody(request);
  const contentType = request.headers['content-type'] ?? '';
  let full: Buffer;
  const queryParameters: [string, string][] = [];
  const collectParameter = ([key, value]: [string, string]): void => {
    if (key.startsWith('param_')) queryParameters.push([key.slice(6), value]);
  };
  parameters.forEach(collectParameter);
  if (contentType.toLowerCase().startsWith('multipart/form-data')) {
    const fields = parseMultipart(body, contentType);
    fields.forEach(collectParameter);
    const queryText = [
      url.searchParams.get('query') ?? '',
      ...fields.filter(([k]) => k === 'query').map(([, v]) => v),
    ].join('');
    full = Buffer.from(queryText, 'utf8');
  } else {
    const queryParameter = url.searchParams.get('query') ?? '';
    full =
      queryParameter === ''
        ? body
        : Buffer.concat([Buffer.from(`${queryParameter}\n`, 'utf8'), body]);
  }

  const settings: [string, string][] = [];
  for (const [key, value] of parameters) {
    if (key === '' || RESERVED_PARAMETERS.has(key) || key.startsWith('param_')) continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      raise('UNKNOWN_SETTING', `Unknown setting '${key}'.`);
    settings.push([key, value]);
  }
  const setting = (name: string): string | undefined => settings.find(([k]) => k === name)?.[1];

  const acceptEncoding = request.headers['accept-encoding'] ?? '';
  const encoding = chooseResponseEncoding(acceptEncoding);
  const compressionOn = parseBool(
    setting('enable_http_compression') ?? (defaults.enableHttpCompression ? '1' : '0'),
  );
  const level = Number(setting('http_zlib_compression_level') ?? defaults.httpZlibCompressionLevel);

  const headerDatabase = request.headers['x-clickhouse-database'];
  const headerFormat = request.headers['x-clickhouse-format'];
  const headerQueryId = request.headers['x-clickhouse-query-id'];
  return {
    queryId:
      url.searchParams.get('query_id') ||
      (typeof headerQueryId === 'string' && headerQueryId) ||
      randomUUID(),
    full,
    database:
      (typeof headerDatabase === 'string' && headerDatabase) ||
      url.searchParams.get('database') ||
      undefined,
    defaultFormat:
      (typeof headerFormat === 'string' && headerFormat) ||
      url.searchParams.get('default_format') ||
      'TabSeparated',
    settings,
    queryParameters,
    // HTTPHandler: "Only readonly queries are allowed for HTTP GET requests."
    readOnly: request.method === 'GET' && setting('readonly') === undefined,
    compression:
      encoding && compressionOn
        ? { encoding, level: Number.isFinite(level) ? level : 3 }
        : undefined,
  };
}
