import type { ServerResponse } from 'node:http';
import { applyFilterPath } from './filter-path';
import type { Json } from './json';

/** What `GET /` answers as its tagline: the fake says what it is wherever a person may look. */
export const FAKE_TAGLINE = 'otelpack Elasticsearch protocol fake (not Elasticsearch)';

/*
 * On every response. The official client refuses a server without `x-elastic-product`; the
 * second header is there so that no one mistakes the fake for the product that header names.
 */
const COMMON_HEADERS = { 'x-elastic-product': 'Elasticsearch', 'x-otelpack-fake': 'elasticsearch' };

/** One response: JSON (with `filter_path` and `pretty` applied), plain text, or nothing. */
export class Reply {
  status = 0;
  /** The client went away before we answered (e.g. its timeout fired during a stall). */
  gone = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly method: string,
    private readonly query: URLSearchParams,
    private readonly contentType: string,
  ) {
    res.on('close', () => {
      if (!res.writableFinished) this.gone = true;
    });
    res.on('error', () => undefined);
  }

  get sent(): boolean {
    return this.res.headersSent;
  }

  json(status: number, body: Json, headers: Record<string, string> = {}): void {
    const filter = this.query.get('filter_path');
    const out = filter ? applyFilterPath(body, filter) : body;
    const pretty = this.query.has('pretty') && this.query.get('pretty') !== 'false';
    const text = pretty ? `${JSON.stringify(out, null, 2)}\n` : JSON.stringify(out);
    this.write(status, text, { 'content-type': this.contentType, ...headers });
  }

  text(status: number, text: string, headers: Record<string, string> = {}): void {
    this.write(status, text, { 'content-type': 'text/plain; charset=UTF-8', ...headers });
  }

  empty(status: number, headers: Record<string, string> = {}): void {
    this.write(status, '', headers);
  }

  private write(status: number, text: string, headers: Record<string, string>): void {
    this.status = status;
    if (this.res.headersSent || this.res.destroyed) return;
    const body = Buffer.from(text);
    this.res.writeHead(status, {
      ...COMMON_HEADERS,
      'content-length': String(body.length),
      ...headers,
    });
    this.res.end(this.method === 'HEAD' ? undefined : body);
  }
}
