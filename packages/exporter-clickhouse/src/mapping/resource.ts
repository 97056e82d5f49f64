import type { InstrumentationScopeLike, ResourceLike } from '@otelpack/batching-core';
import { attributesToMap, serviceNameOf, wellFormed } from './values';
import type { StringMap } from './values';

/** What every row takes from its resource. */
export interface ResourceColumns {
  attributes: StringMap;
  serviceName: string;
  schemaUrl: string;
}

export function resourceColumns(resource: ResourceLike): ResourceColumns {
  return {
    // Frozen: kept and shared by every row of the resource, which the JSON writer relies on
    // to remember its text by identity.
    attributes: Object.freeze(attributesToMap(resource.attributes)) as StringMap,
    serviceName: serviceNameOf(resource.attributes),
    schemaUrl: wellFormed(resource.schemaUrl ?? ''),
  };
}

/** Every column a log row takes from its resource and scope; a span row has some of them. */
export interface ResourceAndScopeColumns {
  ServiceName: string;
  ResourceSchemaUrl: string;
  ResourceAttributes: StringMap;
  ScopeSchemaUrl: string;
  ScopeName: string;
  ScopeVersion: string;
  ScopeAttributes: StringMap;
}

/**
 * The columns of a record's resource and instrumentation scope, by column name: part of every
 * log row, and what the writers that encode records straight from the SDK's objects encode once
 * per resource and scope.
 */
export function resourceAndScopeColumns(
  resource: ResourceColumns,
  scope: InstrumentationScopeLike | undefined,
): ResourceAndScopeColumns {
  return {
    ServiceName: resource.serviceName,
    ResourceSchemaUrl: resource.schemaUrl,
    ResourceAttributes: resource.attributes,
    ScopeSchemaUrl: wellFormed(scope?.schemaUrl ?? ''),
    ScopeName: wellFormed(scope?.name ?? ''),
    ScopeVersion: wellFormed(scope?.version ?? ''),
    ScopeAttributes: attributesToMap(scope?.attributes),
  };
}

/**
 * Maps a resource to its columns, remembering the last one: an SDK provider hands the same
 * resource object with every span, log record and collection, and its sorted, encoded
 * attributes are the most expensive part of a row to make. A resource whose attributes are
 * still being resolved is not remembered.
 */
export class ResourceColumnsCache {
  private lastResource: ResourceLike | undefined;
  private lastColumns: ResourceColumns | undefined;

  columnsOf(resource: ResourceLike): ResourceColumns {
    if (resource === this.lastResource && this.lastColumns) return this.lastColumns;
    const columns = resourceColumns(resource);
    if (!resource.asyncAttributesPending) {
      this.lastResource = resource;
      this.lastColumns = columns;
    }
    return columns;
  }
}

/** For callers without a cache: every call maps afresh. */
export const NO_RESOURCE_CACHE = { columnsOf: resourceColumns };

export type ResourceMapper = Pick<ResourceColumnsCache, 'columnsOf'>;
