import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeDocument } from '../src/bulk/record';
import { mapLogRecord, mapSpan } from '../src/mapping/mapper';
import type { MappingMode } from '../src/mapping/types';
import { logRecord, resource, scope, settings, span } from './helpers/fixtures';

/*
 * An attribute (or map key) named `__proto__`, written by assignment into an object literal,
 * sets the object's prototype or is ignored: the field would be lost without a count. JSON.parse
 * makes such keys as the SDK may hold them (own properties).
 */
function withProto(value: string): Record<string, unknown> {
  return JSON.parse(
    `{"__proto__":${JSON.stringify(value)},"map":{"__proto__":"${value}-nested"},"ok":1}`,
  ) as Record<string, unknown>;
}

const SOURCES = ['span', 'resource', 'scope', 'log', 'body'] as const;
type Source = (typeof SOURCES)[number];

/** The documents as sent, with `__proto__` keys in one source only (in ecs mode a record's
 * attributes override its resource's and scope's). */
function sent(mode: MappingMode, source: Source): string {
  const s = settings({ mode });
  const attrs = (of: Source) => (of === source ? withProto(of) : { other: of }) as never;
  const documents = [
    ...mapSpan(
      span({
        attributes: attrs('span'),
        resource: resource(attrs('resource')),
        scope: scope({ attributes: attrs('scope') }),
      }),
      s,
    ),
    mapLogRecord(
      logRecord({
        body: attrs('body'),
        attributes: attrs('log'),
        resource: resource(attrs('resource')),
        scope: scope({ attributes: attrs('scope') }),
      }),
      s,
    ),
  ];
  return documents.map((doc) => encodeDocument(doc).document).join('\n');
}

for (const mode of ['otel', 'ecs', 'raw'] as MappingMode[]) {
  test(`${mode}: attributes and map keys named __proto__ are sent as fields`, () => {
    for (const source of SOURCES) {
      const text = sent(mode, source);
      for (const value of [source, `${source}-nested`]) {
        // A map may be written as JSON text (a log body in ecs mode), its quotes escaped.
        assert.match(text, new RegExp(`__proto__\\\\?":\\\\?"${value}\\\\?"`), `${mode}: ${value}`);
      }
    }
  });
}
