import type { InstrumentationScopeLike, ResourceLike } from '@otelpack/batching-core';
import { emptyObject } from './json-value';
import type { JsonObject, JsonValue } from './json-value';
import { otelAttributes } from './otel-attributes';
import { cleanText } from './otel-fields';
import { shareJson } from './shared-json';
import type { MappingSettings } from './types';

/*
 * The `otel` mode's `resource` and `scope` fields, which the object builders (otel-mode.ts) and
 * the JSON writer (otel-writer.ts) share.
 */

export function put(document: JsonObject, key: string, value: JsonValue | undefined): void {
  if (value !== undefined) document[key] = value;
}

export function attributesField(
  attributes: Readonly<Record<string, unknown>> | undefined,
  settings: MappingSettings,
  mapsAsText = false,
): JsonObject | undefined {
  return otelAttributes(attributes, settings.limits, mapsAsText);
}

interface SharedField {
  settings: MappingSettings;
  mapsAsText: boolean;
  field: JsonObject;
}

/**
 * A resource's or scope's field, built once per SDK object (the SDK's resources and scopes are
 * immutable and shared by all the records of a provider or tracer) and serialised once.
 */
function shared<K extends object>(
  cache: WeakMap<K, SharedField>,
  key: K | undefined,
  settings: MappingSettings,
  mapsAsText: boolean,
  build: () => JsonObject,
): JsonObject {
  if (key === undefined) return build();
  const hit = cache.get(key);
  if (hit && hit.settings === settings && hit.mapsAsText === mapsAsText) return hit.field;
  const field = shareJson(build());
  cache.set(key, { settings, mapsAsText, field });
  return field;
}

const resourceFields = new WeakMap<ResourceLike, SharedField>();
const scopeFields = new WeakMap<InstrumentationScopeLike, SharedField>();

/** `mapsAsText` for metric documents, whose attributes are time series dimensions. */
export function resourceField(
  resource: ResourceLike | undefined,
  settings: MappingSettings,
  mapsAsText = false,
): JsonObject {
  return shared(resourceFields, resource, settings, mapsAsText, () =>
    buildResourceField(resource, settings, mapsAsText),
  );
}

function buildResourceField(
  resource: ResourceLike | undefined,
  settings: MappingSettings,
  mapsAsText: boolean,
): JsonObject {
  const out = emptyObject();
  put(out, 'schema_url', cleanText(resource?.schemaUrl, settings.limits));
  put(out, 'attributes', attributesField(resource?.attributes, settings, mapsAsText));
  return out;
}

export function scopeField(
  scope: InstrumentationScopeLike | undefined,
  settings: MappingSettings,
  mapsAsText = false,
): JsonObject {
  return shared(scopeFields, scope, settings, mapsAsText, () =>
    buildScopeField(scope, settings, mapsAsText),
  );
}

function buildScopeField(
  scope: InstrumentationScopeLike | undefined,
  settings: MappingSettings,
  mapsAsText: boolean,
): JsonObject {
  const out = emptyObject();
  put(out, 'schema_url', cleanText(scope?.schemaUrl, settings.limits));
  put(out, 'name', cleanText(scope?.name, settings.limits));
  put(out, 'version', cleanText(scope?.version, settings.limits));
  put(out, 'attributes', attributesField(scope?.attributes, settings, mapsAsText));
  return out;
}
