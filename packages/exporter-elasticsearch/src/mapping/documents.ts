import type { SpanContext } from '@opentelemetry/api';
import type { ReadableSpanLike, TimedEventLike } from '@otelpack/batching-core';
import { emptyObject } from './json-value';
import type { JsonObject } from './json-value';
import { spanIdOf, traceIdOf } from './otel-fields';
import { shareJson } from './shared-json';
import { spanEventTarget, spanTarget } from './routing';
import type { BulkDocument, MappingSettings, SharedJsonTail, SplitJson, Target } from './types';

/*
 * What every mode does around the document it builds: where it goes, and which id makes a
 * resend of the same record a no-op rather than a duplicate.
 */

/**
 * A document written as JSON text, with the object form built only when asked for (tests, and
 * the benchmark's anchor, which serialises objects).
 */
export class WrittenDocument implements SplitJson {
  private object: JsonObject | undefined;

  constructor(
    readonly head: string,
    readonly tail: SharedJsonTail,
    private readonly build: () => JsonObject,
  ) {}

  /** The whole text, joined when read (the exporter encodes the parts: SplitJson). */
  get json(): string {
    return this.head + this.tail.text;
  }

  toObject(): JsonObject {
    this.object ??= this.build();
    return this.object;
  }
}

/**
 * A record's bulk document. With deterministic ids, a record that has an identity of its own
 * (a span, a span event) takes `fixedId`; any other has its id hashed from its content.
 */
export function recordDocument(
  target: Target,
  document: JsonObject | WrittenDocument,
  settings: MappingSettings,
  fixedId?: string,
): BulkDocument {
  const id = settings.deterministicIds ? fixedId : undefined;
  const hashId = settings.deterministicIds && id === undefined;
  const conflictMeansStored = settings.deterministicIds;
  if (document instanceof WrittenDocument) {
    return new WrittenBulkDocument(target, id, hashId, conflictMeansStored, document);
  }
  return {
    target,
    id,
    hashId,
    conflictMeansStored,
    timeSeries: false,
    dynamicTemplates: undefined,
    document,
  };
}

/** A class rather than a literal with a getter, which V8 builds on a slow path. */
class WrittenBulkDocument implements BulkDocument {
  readonly timeSeries = false;
  readonly dynamicTemplates = undefined;

  constructor(
    readonly target: Target,
    readonly id: string | undefined,
    readonly hashId: boolean,
    readonly conflictMeansStored: boolean,
    private readonly written: WrittenDocument,
  ) {}

  get json(): string {
    return this.written.json;
  }

  get split(): SplitJson {
    return this.written;
  }

  get document(): JsonObject {
    return this.written.toObject();
  }
}

const dataStreamFields = new WeakMap<Target, JsonObject>();

/**
 * `data_stream.*`, which a document bound for a data stream must carry; none otherwise. One
 * shared field per target (targets are cached by routing), serialised once.
 */
export function dataStreamField(target: Target): JsonObject | undefined {
  if (!target.dataStream) return undefined;
  let field = dataStreamFields.get(target);
  if (field === undefined) {
    const out = emptyObject();
    out.type = target.dataStream.type;
    out.dataset = target.dataStream.dataset;
    out.namespace = target.dataStream.namespace;
    field = shareJson(out);
    dataStreamFields.set(target, field);
  }
  return field;
}

/** Ids from the span's identity: a resend of the same span gets the same id. */
export function spanDocumentId(context: SpanContext, suffix = ''): string | undefined {
  const traceId = traceIdOf(context);
  const spanId = spanIdOf(context);
  return traceId && spanId ? `${traceId}${spanId}${suffix}` : undefined;
}

/** How one mode writes a span as a document's fields. */
export type SpanFields = (
  span: ReadableSpanLike,
  context: SpanContext,
  target: Target,
  settings: MappingSettings,
) => JsonObject | WrittenDocument;

/** How one mode writes a span event as a document's fields. */
export type SpanEventFields = (
  span: ReadableSpanLike,
  event: TimedEventLike,
  context: SpanContext,
  target: Target,
  settings: MappingSettings,
) => JsonObject | WrittenDocument;

/**
 * A span's document, then one per span event (the `otel` and `ecs` modes): the Collector writes
 * each event to the logs, so that events such as exceptions are found next to log records. An
 * event's id is its span's with the event's position appended.
 */
export function spanAndEventDocuments(
  span: ReadableSpanLike,
  settings: MappingSettings,
  spanFields: SpanFields,
  eventFields: SpanEventFields,
): BulkDocument[] {
  const context = span.spanContext();
  const target = spanTarget(span, settings);
  const document = spanFields(span, context, target, settings);
  // Ids only for deterministic ids: reading them again per document showed in the profile.
  const ids = settings.deterministicIds;
  const documents = [
    recordDocument(target, document, settings, ids ? spanDocumentId(context) : undefined),
  ];
  (span.events ?? []).forEach((event, index) => {
    const eventTarget = spanEventTarget(span, event, settings);
    const eventDocument = eventFields(span, event, context, eventTarget, settings);
    const id = ids ? spanDocumentId(context, `.${index}`) : undefined;
    documents.push(recordDocument(eventTarget, eventDocument, settings, id));
  });
  return documents;
}
