import { Client } from '@elastic/elasticsearch';
import type { ClientOptions } from '@elastic/elasticsearch';
import { BulkAnswerSerializer } from './bulk/answer-serializer';
import type { ConnectionSettings } from './config';

/**
 * The official client, for what it does well: the node pool, Elastic Cloud ids, API key, basic
 * and bearer auth, TLS, and the vendor media types (`compatible-with=8`). Its own retries are
 * off: the otelpack core owns every retry, and a client that retried inside one send would
 * hide failures from the ledger and multiply requests under back-pressure. Its serializer
 * leaves the items of an all-created `_bulk` answer unparsed until read (BulkAnswerSerializer).
 */
export function createClient(settings: ConnectionSettings): Client {
  const options: ClientOptions = {
    maxRetries: 0,
    requestTimeout: settings.timeoutMs,
    compression: settings.compression,
    name: 'otelpack-elasticsearch',
    Serializer: BulkAnswerSerializer,
  };
  if (settings.nodes !== undefined) options.nodes = settings.nodes;
  if (settings.cloudId !== undefined) options.cloud = { id: settings.cloudId };
  const auth = settings.auth;
  if (auth !== undefined) {
    options.auth = 'bearerToken' in auth ? { bearer: auth.bearerToken } : auth;
  }
  if (Object.keys(settings.headers).length > 0) options.headers = settings.headers;
  if (settings.tls !== undefined) options.tls = { ...settings.tls };
  if (settings.caFingerprint !== undefined) options.caFingerprint = settings.caFingerprint;
  return new Client(options);
}
