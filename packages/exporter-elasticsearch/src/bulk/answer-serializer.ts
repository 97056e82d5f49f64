import { Serializer } from '@elastic/elasticsearch';
import { flattened } from '../mapping/json-text';

/** A `_bulk` answer under BULK_FILTER_PATH when every document was created: these, exactly. */
const ALL_CREATED_OPEN = '{"errors":false,"items":[';
const CREATED_ITEM = '{"create":{"status":201}}';
const ALL_CREATED_CLOSE = ']}';
/** The last document's item and the close: every all-created answer ends with these. */
const ALL_CREATED_TAIL = CREATED_ITEM + ALL_CREATED_CLOSE;

/**
 * `{"create":{"status":201}},` repeated, at least as many times as the largest answer compared so
 * far has items before its last: one text for all answers, grown (doubled) when an answer is
 * larger. Requests cut by bytes carry a different number of documents each, so whole answers
 * kept by size (8 of them, up to 260 KB each at 10,000 documents) were rebuilt for nearly every
 * request.
 */
let createdItems = '';

/** `createdItems`, at least `length` characters of it. */
function createdItemsOf(length: number): string {
  if (createdItems.length < length) {
    const unit = CREATED_ITEM.length + 1;
    const count = Math.max(Math.ceil(length / unit), (2 * createdItems.length) / unit);
    // Made flat once (repeat gives a tree of pieces): its slices are then views.
    createdItems = flattened(`${CREATED_ITEM},`.repeat(count));
  }
  return createdItems;
}

/**
 * The client's serializer, with one shortcut: the answer Elasticsearch gives a `_bulk` request
 * whose every document was created (under BULK_FILTER_PATH, `{"create":{"status":201}}` per
 * document) is recognised by comparing it with that text, and returned with its `items` parsed
 * only when read. The sender reads nothing of it but `errors`: parsing it cost ~160 ns a
 * document (~0.5 µs of a span's three; bench/answer-parse.ts), a few per cent of the exporter's
 * CPU per record, for nothing. Only that exact text is taken so: any other answer (an item
 * refused, damaged text, a duplicate key, another API's) is parsed at once as before, with the
 * client's errors where it raises them.
 */
export class BulkAnswerSerializer extends Serializer {
  override deserialize<T = unknown>(json: string): T {
    const documents = this.#allCreated(json);
    if (documents === 0) return super.deserialize<T>(json);
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

  /**
   * The number of documents when `json` is the all-created answer, exactly; 0 otherwise: its
   * opening, then the items before the last compared with as much of `createdItems` (two slices,
   * which V8 compares at memcmp speed without copying either), then the last item and the close.
   * The three parts are the whole text: the document count comes from its length.
   */
  #allCreated(json: string): number {
    const itemsLength = json.length - ALL_CREATED_OPEN.length - ALL_CREATED_CLOSE.length;
    const documents = (itemsLength + 1) / (CREATED_ITEM.length + 1);
    if (
      !Number.isInteger(documents) ||
      documents < 1 ||
      !json.startsWith(ALL_CREATED_OPEN) ||
      !json.endsWith(ALL_CREATED_TAIL)
    ) {
      return 0;
    }
    const before = (documents - 1) * (CREATED_ITEM.length + 1);
    const middle = json.slice(ALL_CREATED_OPEN.length, ALL_CREATED_OPEN.length + before);
    return middle === createdItemsOf(before).slice(0, before) ? documents : 0;
  }
}
