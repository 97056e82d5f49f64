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
/**
 * Larger answers are parsed: a body that only looks like one (a proxy's, a server's) must not grow
 * `createdItems` without end. Ten times the exporter's default batch.
 */
const MAX_SHORTCUT_DOCUMENTS = 100_000;

/** What an answer taken by the shortcut reads its `items` from when asked. */
interface Unread {
  json: string;
  /** Its options (prototype poisoning) apply. */
  serializer: Serializer;
}

/**
 * On the answer, not enumerable (out of JSON, inspect and deep equality): its text dies with it.
 * A WeakMap from answer to text cost ~75 ns a document on answers made fresh for each read (V8's
 * ephemeron tables), against ~3 with this property.
 */
const UNREAD = Symbol('otelpack unread bulk answer');

/**
 * The `items` getter of every answer taken by the shortcut: one function for all, so that they
 * share one hidden class. A getter made per answer gave each its own, which held the answer's
 * text until a full collection (a review measured ~110 ns a document on fresh answers, and 8
 * full collections in a run where one will do). Read once, `items` becomes a plain property.
 */
function readItems(this: { [UNREAD]?: Unread }): unknown {
  const pending = this[UNREAD];
  this[UNREAD] = undefined;
  const items =
    pending === undefined
      ? undefined
      : (
          Serializer.prototype.deserialize.call(pending.serializer, pending.json) as {
            items: unknown;
          }
        ).items;
  Object.defineProperty(this, 'items', {
    value: items,
    enumerable: true,
    configurable: true,
    writable: true,
  });
  return items;
}

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
    const answer = { errors: false };
    const unread: Unread = { json, serializer: this };
    Object.defineProperty(answer, UNREAD, { value: unread, writable: true });
    Object.defineProperty(answer, 'items', {
      enumerable: true,
      configurable: true,
      get: readItems,
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
      documents > MAX_SHORTCUT_DOCUMENTS ||
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
