import { Serializer } from '@elastic/elasticsearch';

/** A `_bulk` answer under BULK_FILTER_PATH when every document was created: these, exactly. */
const ALL_CREATED_OPEN = '{"errors":false,"items":[';
const CREATED_ITEM = '{"create":{"status":201}}';
const ALL_CREATED_CLOSE = ']}';
/** Answers of this many documents kept, the latest sizes (a run's batches are few sizes). */
const KEPT_ANSWERS = 8;

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
  /** Document count → the whole all-created answer, for a comparison at memcmp speed. */
  readonly #answers = new Map<number, string>();

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

  /** The number of documents when `json` is the all-created answer, exactly; 0 otherwise. */
  #allCreated(json: string): number {
    const itemsLength = json.length - ALL_CREATED_OPEN.length - ALL_CREATED_CLOSE.length;
    const documents = (itemsLength + 1) / (CREATED_ITEM.length + 1);
    if (!Number.isInteger(documents) || documents < 1 || !json.startsWith(ALL_CREATED_OPEN)) {
      return 0;
    }
    let expected = this.#answers.get(documents);
    if (expected === undefined) {
      expected =
        ALL_CREATED_OPEN +
        `${CREATED_ITEM},`.repeat(documents - 1) +
        CREATED_ITEM +
        ALL_CREATED_CLOSE;
      if (this.#answers.size >= KEPT_ANSWERS) {
        this.#answers.delete(this.#answers.keys().next().value as number);
      }
      this.#answers.set(documents, expected);
    }
    return json === expected ? documents : 0;
  }
}
