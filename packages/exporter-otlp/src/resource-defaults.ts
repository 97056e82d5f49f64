import type { ResourceLike } from '@otelpack/batching-core';
import type { OtlpCodec } from './codec';
import { decorateCodec } from './decorate';

/**
 * Resource attributes to add where a resource lacks them (a vendor's service name and version
 * from its own variables). `service.name` counts as lacking when it is the SDK's fallback,
 * `unknown_service` or `unknown_service:<process>`, which every resource without one has.
 */
export type ResourceDefaults = Readonly<Record<string, string | undefined>>;

function lacks(resource: ResourceLike, key: string): boolean {
  const value = resource.attributes?.[key];
  if (value === undefined || value === null || value === '') return true;
  return key === 'service.name' && typeof value === 'string' && value.startsWith('unknown_service');
}

/** The codec, with `defaults` added to every resource that lacks them before it is encoded. */
export function withResourceDefaults(codec: OtlpCodec, defaults: ResourceDefaults): OtlpCodec {
  const entries = Object.entries(defaults).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
  );
  if (entries.length === 0) return codec;
  return decorateCodec(codec, {
    resource(resource) {
      const added = entries.filter(([key]) => lacks(resource, key));
      if (added.length === 0) return codec.resource(resource);
      return codec.resource({
        ...resource,
        attributes: { ...resource.attributes, ...Object.fromEntries(added) },
      });
    },
  });
}
