import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errors, Serializer } from '@elastic/elasticsearch';
import { BulkAnswerSerializer } from '../src/bulk/answer-serializer';
import { createClient } from '../src/client';
import { resolveConfig } from '../src/config';
import { interpretBulkResponse } from '../src/bulk/response';
import { encodeDocument } from '../src/bulk/record';

const created = '{"create":{"status":201}}';
const refused =
  '{"create":{"status":400,"error":{"type":"document_parsing_exception","reason":"failed to parse field [n]"}}}';

/** Runs `check` with every parse by the client's serializer counted (`parses()`). */
function countingParses(check: (parses: () => number) => void): void {
  let count = 0;
  const original = Serializer.prototype.deserialize;
  Serializer.prototype.deserialize = function (this: Serializer, json: string) {
    count++;
    return original.call(this, json);
  } as typeof original;
  try {
    check(() => count);
  } finally {
    Serializer.prototype.deserialize = original;
  }
}

describe('BulkAnswerSerializer', () => {
  // Every answer reads as the client's own serializer reads it; only when `items` is parsed differs.
  const answers: [string, string][] = [
    ['all created', `{"errors":false,"items":[${created},${created}]}`],
    ['one refused', `{"errors":true,"items":[${created},${refused}]}`],
    ['no items key', '{"errors":false}'],
    ['a key after the items', `{"errors":false,"items":[${created}],"took":3}`],
    // Damage or extra keys the prefix and the closing `]}` alone would let through (review).
    ['an array-valued key after the items', `{"errors":false,"items":[${created}],"x":[1]}`],
    [
      'a duplicate errors key',
      `{"errors":false,"items":[${created}],"errors":true,"items":[{"create":{"status":429}}]}`,
    ],
    ['an index item', `{"errors":false,"items":[{"index":{"status":201}}]}`],
    ['a 200 item', `{"errors":false,"items":[{"create":{"status":200}}]}`],
    ['another API', '{"acknowledged":true}'],
    ['pretty-printed', `{\n  "errors" : false,\n  "items" : [ ${created} ]\n}`],
  ];
  for (const [name, text] of answers) {
    test(`${name}: the same value as the client's serializer`, () => {
      const ours = new BulkAnswerSerializer().deserialize(text);
      assert.deepEqual(ours, new Serializer().deserialize(text));
      assert.equal(JSON.stringify(ours), JSON.stringify(JSON.parse(text)));
    });
  }

  test("a successful answer's items are parsed when read, once", () => {
    countingParses((parses) => {
      const answer = new BulkAnswerSerializer().deserialize<{ errors: boolean; items: unknown[] }>(
        `{"errors":false,"items":[${created},${created},${created}]}`,
      );
      assert.equal(answer.errors, false);
      assert.equal(parses(), 0, 'nothing parsed for errors: false');
      assert.equal(answer.items.length, 3);
      assert.equal(answer.items, answer.items);
      assert.equal(parses(), 1);
    });
  });

  test('an answer cut short or damaged inside its items is an error at once, as with the client', () => {
    for (const damaged of [
      `{"errors":false,"items":[${created},{"create":{"sta`,
      `{"errors":false,"items":[${created},{"create":{"sta]}`,
      `{"errors":false,"items":[${created},{"create":{"status":2x1}}]}`,
    ]) {
      assert.throws(
        () => new BulkAnswerSerializer().deserialize(damaged),
        errors.DeserializationError,
        damaged,
      );
    }
  });

  test('answers of many sizes, one after another, each read right', () => {
    const serializer = new BulkAnswerSerializer();
    countingParses((parses) => {
      for (let round = 0; round < 2; round++) {
        for (let documents = 1; documents <= 20; documents++) {
          const items = Array(documents).fill(created);
          const answer = serializer.deserialize<{ errors: boolean }>(
            `{"errors":false,"items":[${items.join(',')}]}`,
          );
          assert.equal(answer.errors, false);
          items[documents - 1] = refused;
          const failed = serializer.deserialize<{ errors: boolean }>(
            `{"errors":true,"items":[${items.join(',')}]}`,
          );
          assert.equal(failed.errors, true);
        }
      }
      assert.equal(parses(), 40, 'the all-created answers are not parsed, the others are');
    });
  });

  test('an item of the same length that is not created, anywhere among thousands, is read as the client reads it', () => {
    // Same length as `created`: the answer's length alone cannot tell it apart.
    const other = '{"create":{"status":200}}';
    assert.equal(other.length, created.length);
    const serializer = new BulkAnswerSerializer();
    countingParses((parses) => {
      // Sizes up and down, past the compared text's growth: to a size (3, 5,000, 12,000) or,
      // for a size less than twice the text, to twice the text (6,000, 13,000).
      for (const documents of [3, 5_000, 6_000, 2, 12_000, 13_000, 4_999]) {
        const items = Array<string>(documents).fill(created);
        const allCreated = serializer.deserialize<{ errors: boolean; items: unknown[] }>(
          `{"errors":false,"items":[${items.join(',')}]}`,
        );
        assert.equal(allCreated.errors, false);
        const before = parses();
        assert.equal(allCreated.items.length, documents);
        assert.equal(parses(), before + 1, `${documents}: items parsed only when read`);
        for (const at of new Set([0, documents >> 1, documents - 2, documents - 1])) {
          const changed = [...items];
          changed[at] = other;
          const text = `{"errors":false,"items":[${changed.join(',')}]}`;
          const parsesBefore = parses();
          const answer = serializer.deserialize<{ items: { create: { status: number } }[] }>(text);
          assert.equal(
            parses(),
            parsesBefore + 1,
            `${documents} documents, item ${at}: parsed at once`,
          );
          assert.equal(answer.items[at].create.status, 200);
          assert.deepEqual(answer, new Serializer().deserialize(text));
        }
      }
    });
  });

  test('items read once stay a plain property; answers past 100,000 documents are parsed at once', () => {
    const serializer = new BulkAnswerSerializer();
    countingParses((parses) => {
      const answer = serializer.deserialize<{ items: unknown[] }>(
        `{"errors":false,"items":[${created},${created}]}`,
      );
      assert.equal(answer.items.length, 2);
      assert.equal(answer.items.length, 2);
      assert.equal(parses(), 1, 'parsed once');
      assert.deepEqual(Object.getOwnPropertyDescriptor(answer, 'items'), {
        value: answer.items,
        enumerable: true,
        configurable: true,
        writable: true,
      });
      const huge = Array<string>(100_001).fill(created).join(',');
      const before = parses();
      const parsed = serializer.deserialize<{ items: unknown[] }>(
        `{"errors":false,"items":[${huge}]}`,
      );
      assert.equal(parses(), before + 1, 'parsed at once, not taken by the shortcut');
      assert.equal(parsed.items.length, 100_001);
    });
  });

  test("an answer with a __proto__ key is the client's to judge, by its prototype-poisoning option", () => {
    const poisoned = '{"errors":false,"items":[{"__proto__":{"polluted":true}}]}';
    // The client's default (disablePrototypePoisoningProtection unset) keeps the key as data.
    assert.deepEqual(
      new BulkAnswerSerializer().deserialize(poisoned),
      new Serializer().deserialize(poisoned),
    );
    const strict = new BulkAnswerSerializer({ enablePrototypePoisoningProtection: true });
    assert.throws(() => strict.deserialize(poisoned), errors.DeserializationError);
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  });

  test('the exporter makes its client with it, and the sender reads its answers as before', () => {
    const client = createClient(resolveConfig({ url: 'http://localhost:9200' }).connection);
    assert.ok(client.serializer instanceof BulkAnswerSerializer);
    const batch = [0, 1].map((n) =>
      encodeDocument({
        target: { index: 'logs-generic.otel-default', dataStream: undefined },
        id: undefined,
        hashId: false,
        conflictMeansStored: false,
        timeSeries: false,
        dynamicTemplates: undefined,
        document: { n },
      }),
    );
    countingParses((parses) => {
      const read = (text: string) =>
        interpretBulkResponse(client.serializer.deserialize(text), batch);
      assert.deepEqual(read(`{"errors":false,"items":[${created},${created}]}`), {
        kind: 'delivered',
      });
      assert.equal(parses(), 0, "a successful answer's items are not parsed to read it");
      const partial = read(`{"errors":true,"items":[${created},${refused}]}`);
      assert.equal(partial.kind, 'partial');
      assert.equal(parses(), 1);
    });
  });
});
