import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJsonRequest, decodeProtobufRequest } from '../../../integration/src/protocols/otlp';
import { encodeWithOurs } from './helpers/encode';

/*
 * Keys named like Object.prototype members (`__proto__`, `constructor`, `toString`) are ordinary
 * KeyValue keys, at the top of attributes and inside a kvlist, in both encodings. JSON.parse
 * makes `__proto__` an own key, as a decoded attribute map would have it; a literal
 * `{ __proto__: … }` would set the prototype and make no key. The encoders read own keys and
 * write each as a KeyValue's `key` string, so nothing here is assigned by key: this guards it.
 */

const own = (json: string) => JSON.parse(json) as Record<string, unknown>;

const text = (value: string) => ({ stringValue: value });

/** The KeyValues of the attributes below, written out by hand. */
const EXPECTED_ATTRIBUTES = [
  { key: '__proto__', value: text('a') },
  { key: 'constructor', value: text('c') },
  { key: 'toString', value: text('t') },
  { key: 'm', value: { kvlistValue: { values: [{ key: '__proto__', value: text('v') }] } } },
];

function logRecord() {
  return {
    hrTime: [1_700_000_000, 0],
    hrTimeObserved: [1_700_000_000, 0],
    severityNumber: 9,
    body: own('{"__proto__":"b"}'),
    attributes: own('{"__proto__":"a","constructor":"c","toString":"t","m":{"__proto__":"v"}}'),
    droppedAttributesCount: 0,
    resource: { attributes: own('{"__proto__":"r"}') },
    instrumentationScope: { name: 'scope', attributes: own('{"__proto__":"s"}') },
  };
}

describe('keys named like Object.prototype members', () => {
  for (const encoding of ['protobuf', 'json'] as const) {
    it(`are KeyValues in resource, scope, attributes, a kvlist and a body (${encoding})`, () => {
      const decode = encoding === 'protobuf' ? decodeProtobufRequest : decodeJsonRequest;
      const request = decode('logs', encodeWithOurs('logs', [logRecord()], encoding)) as {
        resourceLogs: {
          resource: { attributes: unknown };
          scopeLogs: { scope: { attributes: unknown }; logRecords: Record<string, unknown>[] }[];
        }[];
      };
      const [resourceLogs] = request.resourceLogs;
      assert.deepEqual(resourceLogs.resource.attributes, [{ key: '__proto__', value: text('r') }]);
      const [scopeLogs] = resourceLogs.scopeLogs;
      assert.deepEqual(scopeLogs.scope.attributes, [{ key: '__proto__', value: text('s') }]);
      const [record] = scopeLogs.logRecords;
      assert.deepEqual(record.attributes, EXPECTED_ATTRIBUTES);
      assert.deepEqual(record.body, {
        kvlistValue: { values: [{ key: '__proto__', value: text('b') }] },
      });
    });
  }
});
