import { Serializer } from '@elastic/elasticsearch';

/** How a `_bulk` answer under BULK_FILTER_PATH begins when no item failed. */
const ALL_SUCCEEDED = '{"errors":false,"items":[';

/**
 * The client's serializer, with one shortcut: a `_bulk` answer whose `errors` is false is
 * returned with its `items` parsed only when read. Under BULK_FILTER_PATH such an answer is one
 * `{"create":{"status":201}}` per document, and the sender reads nothing of it but `errors`:
 * parsing it cost ~160 ns a document (~0.5 µs of a span's three; bench/answer-parse.ts), a few
 * per cent of the exporter's CPU per record, for nothing. Read, `items` is what the client's own
 * parse gives (its prototype-poisoning option included); any other answer, or one that does not
 * end as a whole answer does, is parsed at once as before.
 */
export class BulkAnswerSerializer extends Serializer {
  override deserialize<T = unknown>(json: string): T {
    if (!(json.startsWith(ALL_SUCCEEDED) && json.endsWith(']}'))) return super.deserialize<T>(json);
    let items: unknown;
    const parseItems = () => (super.deserialize(json) as { items: unknown }).items;
    const answer = { errors: false };
    Object.defineProperty(answer, 'items', {
      enumerable: true,
      configurable: true,
      get: () => (items ??= parseItems()),
    });
    return answer as T;
  }
}
