import type { MetricGroup, OtlpRecord, ResourceGroup, ScopeGroup } from '../records';
import { varintLength } from '@otelpack/batching-core';

/*
 * A batch of records as one Export{Trace,Logs,Metrics}ServiceRequest:
 *
 *   Request        { repeated Resource{Spans,Logs,Metrics} = 1; }
 *   ResourceX      { Resource resource = 1; repeated ScopeX scope_x = 2; string schema_url = 3; }
 *   ScopeX         { InstrumentationScope scope = 1; repeated X items = 2; string schema_url = 3; }
 *   Metric         { name 1, description 2, unit 3, <kind> data = 5|7|9|10 { repeated point = 1; … } }
 *
 * Records are grouped by resource, then scope (then metric), in the order each group first
 * appears, as the official serializer groups them. Sizes are summed first, then everything is
 * copied into one Buffer of exactly that size.
 */

const TAG_RESOURCE_ENTRY = 0x0a; // Request field 1
const TAG_RESOURCE = 0x0a; // ResourceX.resource, field 1
const TAG_SCOPE_ENTRY = 0x12; // ResourceX.scope_x, field 2
const TAG_SCOPE = 0x0a; // ScopeX.scope, field 1
const TAG_ITEM = 0x12; // ScopeX.spans / log_records / metrics, field 2
const TAG_SCHEMA_URL = 0x1a; // field 3
const TAG_POINT = 0x0a; // Gauge/Sum/Histogram/ExponentialHistogram data_points, field 1

interface MetricNode {
  group: MetricGroup;
  points: Uint8Array[];
  dataSize: number;
  size: number;
}
interface ScopeNode {
  group: ScopeGroup;
  items: (Uint8Array | MetricNode)[];
  size: number;
}
interface ResourceNode {
  group: ResourceGroup;
  scopes: Map<ScopeGroup, ScopeNode>;
  size: number;
}

function delimited(size: number): number {
  return 1 + varintLength(size) + size;
}

function stringField(text: string): number {
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes === 0 ? 0 : delimited(bytes);
}

function group(records: readonly OtlpRecord[]): Map<ResourceGroup, ResourceNode> {
  const resources = new Map<ResourceGroup, ResourceNode>();
  let lastScope: ScopeGroup | undefined;
  let lastScopeNode: ScopeNode | undefined;
  let lastMetric: MetricGroup | undefined;
  let lastMetricNode: MetricNode | undefined;
  for (const record of records) {
    let scopeNode: ScopeNode;
    if (record.scope === lastScope && lastScopeNode) {
      scopeNode = lastScopeNode;
    } else {
      const resource = record.scope.resource;
      let resourceNode = resources.get(resource);
      if (!resourceNode) {
        resourceNode = { group: resource, scopes: new Map(), size: 0 };
        resources.set(resource, resourceNode);
      }
      let found = resourceNode.scopes.get(record.scope);
      if (!found) {
        found = { group: record.scope, items: [], size: 0 };
        resourceNode.scopes.set(record.scope, found);
      }
      scopeNode = found;
      lastScope = record.scope;
      lastScopeNode = found;
      lastMetric = undefined;
    }
    const metric = record.metric;
    if (metric === undefined) {
      scopeNode.items.push(record.body);
      continue;
    }
    if (metric !== lastMetric || !lastMetricNode) {
      // A metric's points arrive together; one that reappears later gets a second Metric
      // message, which receivers merge as they merge two exports.
      lastMetricNode = { group: metric, points: [], dataSize: 0, size: 0 };
      lastMetric = metric;
      scopeNode.items.push(lastMetricNode);
    }
    lastMetricNode.points.push(record.body);
  }
  return resources;
}

function measure(resources: Map<ResourceGroup, ResourceNode>): number {
  let total = 0;
  for (const resource of resources.values()) {
    let resourceSize =
      delimited(resource.group.encoded.length) + stringField(resource.group.schemaUrl);
    for (const scope of resource.scopes.values()) {
      let scopeSize = delimited(scope.group.encoded.length) + stringField(scope.group.schemaUrl);
      for (const item of scope.items) {
        if (item instanceof Uint8Array) {
          scopeSize += delimited(item.length);
          continue;
        }
        let data = item.group.tail.length;
        for (const point of item.points) data += delimited(point.length);
        item.dataSize = data;
        item.size =
          item.group.head.length +
          varintLength(item.group.dataField << 3) +
          varintLength(data) +
          data;
        scopeSize += delimited(item.size);
      }
      scope.size = scopeSize;
      resourceSize += delimited(scopeSize);
    }
    resource.size = resourceSize;
    total += delimited(resourceSize);
  }
  return total;
}

class Out {
  pos = 0;
  constructor(readonly buffer: Buffer) {}
  byte(value: number): void {
    this.buffer[this.pos++] = value;
  }
  varint(value: number): void {
    while (value > 0x7f) {
      this.buffer[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buffer[this.pos++] = value;
  }
  bytes(value: Uint8Array): void {
    // TypedArray#set: for the few hundred bytes of a record, cheaper than Buffer#copy's checks.
    this.buffer.set(value, this.pos);
    this.pos += value.length;
  }
  field(tag: number, value: Uint8Array): void {
    this.byte(tag);
    this.varint(value.length);
    this.bytes(value);
  }
  schemaUrl(text: string): void {
    if (text === '') return;
    this.field(TAG_SCHEMA_URL, Buffer.from(text, 'utf8'));
  }
}

/**
 * The request body of a batch, protobuf-encoded, in `allocate(bytes)`'s buffer: one of exactly
 * that many bytes, by default a new one.
 */
export function encodeProtobufRequest(
  records: readonly OtlpRecord[],
  allocate: (bytes: number) => Buffer = Buffer.allocUnsafe,
): Buffer {
  const resources = group(records);
  const out = new Out(allocate(measure(resources)));
  for (const resource of resources.values()) {
    out.byte(TAG_RESOURCE_ENTRY);
    out.varint(resource.size);
    out.field(TAG_RESOURCE, resource.group.encoded);
    for (const scope of resource.scopes.values()) {
      out.byte(TAG_SCOPE_ENTRY);
      out.varint(scope.size);
      out.field(TAG_SCOPE, scope.group.encoded);
      for (const item of scope.items) {
        if (item instanceof Uint8Array) {
          out.field(TAG_ITEM, item);
          continue;
        }
        out.byte(TAG_ITEM);
        out.varint(item.size);
        out.bytes(item.group.head);
        out.varint((item.group.dataField << 3) | 2);
        out.varint(item.dataSize);
        for (const point of item.points) out.field(TAG_POINT, point);
        out.bytes(item.group.tail);
      }
      out.schemaUrl(scope.group.schemaUrl);
    }
    out.schemaUrl(resource.group.schemaUrl);
  }
  if (out.pos !== out.buffer.length) {
    throw new Error(`OTLP request size mismatch: measured ${out.buffer.length}, wrote ${out.pos}`);
  }
  return out.buffer;
}

/** Bytes a record adds to a request, besides its share of its resource's and scope's. */
export function protobufRecordSize(record: OtlpRecord): number {
  return delimited(record.body.length);
}
