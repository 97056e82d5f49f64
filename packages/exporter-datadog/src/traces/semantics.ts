import type { AttributeValue, Attributes } from '@opentelemetry/api';
import { attributeText, renamed } from '../tags';
import {
  DEFAULT_SPAN_NAME,
  MAX_RESOURCE_CHARS,
  normalizeName,
  normalizeService,
  normalizeTagValue,
  truncate,
} from './normalize';

/*
 * The trace Agent's OpenTelemetry span semantics, "V2" (its current default), from
 * DataDog/datadog-agent pkg/trace/traceutil/otel_util.go: GetOTelService, GetOTelOperationNameV2,
 * GetOTelResourceV2, GetOTelSpanType. Every lookup reads the span's attributes first, then the
 * resource's. Kinds are the API's numbers: INTERNAL 0, SERVER 1, CLIENT 2, PRODUCER 3, CONSUMER 4.
 */

export const KIND = { INTERNAL: 0, SERVER: 1, CLIENT: 2, PRODUCER: 3, CONSUMER: 4 } as const;
/** pdata's SpanKind.String(): what V2 names a span of no better description. */
const KIND_TITLE = ['Internal', 'Server', 'Client', 'Producer', 'Consumer'];
export const KIND_NAME = ['internal', 'server', 'client', 'producer', 'consumer'];

export const DEFAULT_OTLP_SERVICE = 'otlpresourcenoservicename';

/** db.system → span type (otel_util.go dbTypes; any other system is `db`). */
const SQL_SYSTEMS = [
  'other_sql',
  'mssql',
  'mysql',
  'oracle',
  'db2',
  'postgresql',
  'redshift',
  'cloudscape',
  'hsqldb',
  'maxdb',
  'ingres',
  'firstsql',
  'edb',
  'cache',
  'firebird',
  'derby',
  'informix',
  'mariadb',
  'sqlite',
  'sybase',
  'teradata',
  'vertica',
  'h2',
  'coldfusion',
  'cockroachdb',
  'progress',
  'hanadb',
  'adabas',
  'filemaker',
  'instantdb',
  'interbase',
  'netezza',
  'pervasive',
  'pointbase',
  'clickhouse',
];
export const DB_TYPES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(SQL_SYSTEMS.map((system) => [system, 'sql'])),
  cassandra: 'cassandra',
  redis: 'redis',
  memcached: 'memcached',
  mongodb: 'mongodb',
  elasticsearch: 'elasticsearch',
  opensearch: 'opensearch',
};

/** Span and resource attributes, the span's first (GetOTelAttrFromEitherMap). */
export class AttributeLookup {
  constructor(
    readonly span: Attributes,
    readonly resource: Attributes,
  ) {}

  /** The first key set in the span, else the first set in the resource; '' when none. */
  get(keys: readonly string[], normalize = false): string {
    for (const attributes of [this.span, this.resource]) {
      for (const key of keys) {
        if (attributes[key] !== undefined) {
          const text = attributeText(attributes[key]);
          const value = normalize ? normalizeTagValue(text) : text;
          if (value !== '') return value;
          break;
        }
      }
    }
    return '';
  }

  /**
   * The Agent's semantic lookup: the first key, in precedence order, set in the span or else the
   * resource; so a newer key in the resource beats an older one in the span. The raw value, or
   * undefined when none is set.
   */
  find(keys: readonly string[]): AttributeValue | undefined {
    for (const key of keys) {
      for (const attributes of [this.span, this.resource]) {
        const value = attributes[key];
        if (value !== undefined && value !== null && value !== '') return value;
      }
    }
    return undefined;
  }
}

export function otelService(attrs: AttributeLookup): string {
  return normalizeService(attrs.get(['service.name']) || DEFAULT_OTLP_SERVICE);
}

export function operationName(kind: number, attrs: AttributeLookup): string {
  return normalizeName(rawOperationName(kind, attrs)) || DEFAULT_SPAN_NAME;
}

function rawOperationName(kind: number, attrs: AttributeLookup): string {
  const fixed = attrs.get(['operation.name'], true);
  if (fixed) return fixed;
  const isClient = kind === KIND.CLIENT;
  const isServer = kind === KIND.SERVER;
  if (attrs.get(['http.request.method', 'http.method'])) {
    if (isServer) return 'http.server.request';
    if (isClient) return 'http.client.request';
  }
  const db = attrs.get(['db.system'], true);
  if (db && isClient) return `${db}.query`;
  const system = attrs.get(['messaging.system'], true);
  const op = attrs.get(['messaging.operation'], true);
  if (system && op && kind !== KIND.INTERNAL) return `${system}.${op}`;
  const rpc = attrs.get(['rpc.system'], true);
  if (rpc === 'aws-api' && isClient) {
    const service = attrs.get(['rpc.service'], true);
    return service ? `aws.${service}.request` : 'aws.client.request';
  }
  if (rpc && isClient) return `${rpc}.client.request`;
  if (rpc && isServer) return `${rpc}.server.request`;
  const provider = attrs.get(['faas.invoked_provider'], true);
  const invoked = attrs.get(['faas.invoked_name'], true);
  if (provider && invoked && isClient) return `${provider}.${invoked}.invoke`;
  const trigger = attrs.get(['faas.trigger'], true);
  if (trigger && isServer) return `${trigger}.invoke`;
  if (attrs.get(['graphql.operation.type'], true)) return 'graphql.server.request';
  const protocol = attrs.get(['network.protocol.name'], true);
  if (isServer) return protocol ? `${protocol}.server.request` : 'server.request';
  if (isClient) return protocol ? `${protocol}.client.request` : 'client.request';
  return KIND_TITLE[kind] ?? 'Internal';
}

export function resourceName(kind: number, spanName: string, attrs: AttributeLookup): string {
  return truncate(rawResourceName(kind, spanName, attrs), MAX_RESOURCE_CHARS);
}

function rawResourceName(kind: number, spanName: string, attrs: AttributeLookup): string {
  const fixed = attrs.get(['resource.name']);
  if (fixed) return fixed;
  const method = attrs.get(['http.request.method', 'http.method']);
  if (method) {
    const shown = method === '_OTHER' ? 'HTTP' : method;
    const route = kind === KIND.SERVER ? attrs.get(['http.route']) : '';
    return route ? `${shown} ${route}` : shown;
  }
  const operation = attrs.get(['messaging.operation']);
  if (operation) {
    const destination = attrs.get(['messaging.destination', 'messaging.destination.name']);
    return destination ? `${operation} ${destination}` : operation;
  }
  const rpcMethod = attrs.get(['rpc.method']);
  if (rpcMethod) {
    const service = attrs.get(['rpc.service']);
    return service ? `${rpcMethod} ${service}` : rpcMethod;
  }
  const graphql = attrs.get(['graphql.operation.type']);
  if (graphql) {
    const name = attrs.get(['graphql.operation.name']);
    return name ? `${graphql} ${name}` : graphql;
  }
  if (attrs.get(['db.system'])) {
    const statement = attrs.get(['db.statement']) || attrs.get(['db.query.text']);
    if (statement) return statement;
  }
  return spanName;
}

export function spanType(kind: number, attrs: AttributeLookup): string {
  const fixed = attrs.get(['span.type']);
  if (fixed) return fixed;
  if (kind === KIND.SERVER) return 'web';
  if (kind === KIND.CLIENT) {
    const db = attrs.get(['db.system'], true);
    // By own key: `db.system` = `constructor` read Object (a function), which msgpack cannot
    // encode, and the whole batch of spans failed with it.
    return db ? (renamed(DB_TYPES, db) ?? 'db') : 'http';
  }
  return 'custom';
}
