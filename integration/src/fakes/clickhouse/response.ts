/*
 * Writing a response as ClickHouse's HTTP interface does: the Content-Type a format implies,
 * compression, and the headers every answer carries.
 */
import type http from 'node:http';
import { compress } from './compression';
import type { ResponseCompression } from './compression';

const CONTENT_TYPES: [RegExp, (format: string) => string][] = [
  [/^(TabSeparated|TSV)/i, () => 'text/tab-separated-values; charset=UTF-8'],
  [
    /^CSV/i,
    (f) => `text/csv; charset=UTF-8; header=${/WithNames/i.test(f) ? 'present' : 'absent'}`,
  ],
  [
    /^(JSON|JSONStrings|JSONCompact|JSONCompactStrings|JSONColumns\w*)$/i,
    () => 'application/json; charset=UTF-8',
  ],
  [
    /^(RowBinary\w*|Native|Parquet|Arrow\w*|ORC|Avro|Protobuf\w*|MsgPack|CapnProto|Npy|BSONEachRow)$/i,
    () => 'application/octet-stream',
  ],
  [/^XML$/i, () => 'application/xml; charset=UTF-8'],
];

export function contentTypeFor(format: string): string {
  for (const [pattern, type] of CONTENT_TYPES) if (pattern.test(format)) return type(format);
  return 'text/plain; charset=UTF-8';
}

/** The X-ClickHouse-Summary sent with every error response. */
export const EMPTY_SUMMARY = {
  read_rows: '0',
  read_bytes: '0',
  written_rows: '0',
  written_bytes: '0',
  total_rows_to_read: '0',
  result_rows: '0',
  result_bytes: '0',
  elapsed_ns: '0',
};

export function send(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Uint8Array,
  compression?: ResponseCompression,
): void {
  const payload = compress(body, compression);
  response.statusCode = status;
  response.setHeader('X-ClickHouse-Server-Display-Name', 'otelpack-clickhouse-front');
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  if (compression) response.setHeader('Content-Encoding', compression.encoding);
  response.setHeader('Content-Length', payload.length);
  response.end(request.method === 'HEAD' ? undefined : payload);
}

/** The body of the health answers (`/ping`, `/replicas_status`, `GET /` without a query). */
export const OK = Buffer.from('Ok.\n');
