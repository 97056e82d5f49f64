import { BaseConnection } from '@elastic/elasticsearch';
import type { ConnectionRequestParams } from '@elastic/transport/lib/connection/BaseConnection';

/**
 * A connection that never touches the network: it answers every `_bulk` with one `201` item per
 * action, as Elasticsearch would, and keeps the bodies' sizes. It lets the client's
 * `helpers.bulk` build and "send" its bodies so that only body building is measured.
 */
export class NullBulkConnection extends BaseConnection {
  static bodyBytes = 0;
  static bodies: string[] = [];
  static keepBodies = false;

  // Promise<never>: one body fits both of the base class's overloads (plain and streamed).
  override async request(params: ConnectionRequestParams): Promise<never> {
    const body = typeof params.body === 'string' ? params.body : String(params.body ?? '');
    NullBulkConnection.bodyBytes += Buffer.byteLength(body);
    if (NullBulkConnection.keepBodies) NullBulkConnection.bodies.push(body);
    let lines = 0;
    for (let i = body.indexOf('\n'); i !== -1; i = body.indexOf('\n', i + 1)) lines++;
    const items = new Array(Math.floor(lines / 2)).fill('{"create":{"status":201}}').join(',');
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' },
      body: `{"took":0,"errors":false,"items":[${items}]}`,
    } as never;
  }
}
