import { FaultSink, decodeNdjson } from '@otelpack/batching-core/testing';
import type { RecordedRequest } from '@otelpack/batching-core/testing';

/*
 * TEST FAKE — the core's FaultSink answering as Elasticsearch's `_bulk` endpoint does, from its
 * documentation: documents are indexed when the request arrives (so a client that times out
 * after sending has still had them stored); the answer is 200
 * `{"took","errors","items":[{"create":{"_index","_id","status"[,"error"]}}]}`, one item per
 * action, with the `x-elastic-product: Elasticsearch` header the official client requires; a
 * `create` whose `_id` exists answers 409 `version_conflict_engine_exception`. `itemStatus` can
 * fail chosen documents (nothing is stored for them); the FaultSink's scripted faults (status,
 * stall, reset, slow) still apply to whole requests.
 */

export interface BulkItemVerdict {
  status: number;
  error?: { type: string; reason: string };
}

export type ItemStatus = (
  action: Record<string, unknown>,
  document: Record<string, unknown>,
  position: number,
) => BulkItemVerdict | undefined;

export const PRODUCT_HEADER = { 'x-elastic-product': 'Elasticsearch' };

export interface IndexedDocument {
  index: string;
  id: string;
  source: Record<string, unknown>;
}

export interface BulkSink extends FaultSink {
  /** Documents stored, in order, as Elasticsearch would hold them. */
  readonly indexed: IndexedDocument[];
  bulkRequests(): RecordedRequest[];
}

export async function startBulkSink(itemStatus: ItemStatus = () => undefined): Promise<BulkSink> {
  const indexed: IndexedDocument[] = [];
  const ids = new Set<string>();
  const answers = new WeakMap<RecordedRequest, string>();
  let autoId = 0;

  const index = (body: Buffer, req: RecordedRequest): unknown[] => {
    const lines = decodeNdjson(body);
    if (!req.path.startsWith('/_bulk')) return lines;
    const items: unknown[] = [];
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const action = lines[i] as Record<string, Record<string, unknown>>;
      const [operation] = Object.keys(action);
      const meta = action[operation];
      const source = lines[i + 1] as Record<string, unknown>;
      const indexName = String(meta._index);
      const id = typeof meta._id === 'string' ? meta._id : `auto-${++autoId}`;
      const key = `${indexName}/${id}`;
      let verdict = itemStatus(meta, source, i / 2);
      if (!verdict) {
        if (ids.has(key)) {
          verdict = {
            status: 409,
            error: {
              type: 'version_conflict_engine_exception',
              reason: `[${id}]: version conflict, document already exists`,
            },
          };
        } else {
          ids.add(key);
          indexed.push({ index: indexName, id, source });
          verdict = { status: 201 };
        }
      }
      items.push({ [operation]: { _index: indexName, _id: id, ...verdict } });
    }
    const errors = items.some((item) => {
      const status = (Object.values(item as object)[0] as BulkItemVerdict).status;
      return status < 200 || status > 299;
    });
    answers.set(req, JSON.stringify({ took: 1, errors, items }));
    return lines;
  };

  const sink = await FaultSink.start({
    decodeRecords: index,
    respond: (_records, req) => ({
      headers: PRODUCT_HEADER,
      body: answers.get(req) ?? '{"acknowledged":true}',
    }),
  });
  return Object.assign(sink, {
    indexed,
    bulkRequests: () => sink.requests.filter((r) => r.path.startsWith('/_bulk')),
  });
}
