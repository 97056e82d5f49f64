/*
 * Content negotiation: which request bodies are accepted, which response type is sent, and the
 * compatibility checks on the vendor media types (`application/vnd.elasticsearch+json;
 * compatible-with=8`) that the official client sends.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { EsError, StringError } from './errors';

const BODY_MEDIA_TYPES = new Set([
  'application/json',
  'application/x-ndjson',
  'application/vnd.elasticsearch+json',
  'application/vnd.elasticsearch+x-ndjson',
]);

type MediaType = { type: string; params: Map<string, string> };

function parseMediaType(value: string): MediaType | undefined {
  const [type, ...rest] = value.split(';').map((p) => p.trim());
  if (!type || !type.includes('/')) return undefined;
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq > 0) params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
  }
  return { type: type.toLowerCase(), params };
}

/** The vendor type back to a client that asked for it, plain JSON to everyone else. */
export function responseContentType(headers: IncomingHttpHeaders, major: number): string {
  const accept = parseMediaType(String(headers.accept ?? ''));
  return accept?.type === 'application/vnd.elasticsearch+json'
    ? `application/vnd.elasticsearch+json;compatible-with=${major}`
    : 'application/json';
}

/**
 * Elasticsearch refuses bodies it cannot parse (406), and requests whose compatibility
 * headers name a major it cannot serve or disagree with each other (400): the official client
 * sends the vendor types, so a client from the wrong major is caught here as it would be there.
 */
export function checkMediaTypes(
  headers: IncomingHttpHeaders,
  hasBody: boolean,
  major: number,
): void {
  const contentType = headers['content-type'];
  const content = contentType === undefined ? undefined : parseMediaType(contentType);
  if (hasBody && (content === undefined || !BODY_MEDIA_TYPES.has(content.type))) {
    throw new StringError(406, `Content-Type header [${contentType ?? ''}] is not supported`);
  }
  const accept = headers.accept === undefined ? undefined : parseMediaType(headers.accept);
  const versionOf = (name: string, value: string, media: MediaType | undefined) => {
    if (!media || !media.type.startsWith('application/vnd.elasticsearch+')) return undefined;
    const raw = media.params.get('compatible-with');
    const version = raw === undefined ? Number.NaN : Number(raw);
    if (version !== major && version !== major - 1) {
      throw mediaTypeError(
        `${name} version must be either version ${major} or ${major - 1}, but found ${raw ?? ''}. ${name}=${value}`,
      );
    }
    return version;
  };
  const contentVersion =
    hasBody && contentType ? versionOf('Content-Type', contentType, content) : undefined;
  const acceptVersion = headers.accept ? versionOf('Accept', headers.accept, accept) : undefined;
  const acceptIsJson = accept !== undefined && accept.type.includes('json');
  if (
    hasBody &&
    acceptIsJson &&
    (contentVersion !== undefined || acceptVersion !== undefined) &&
    contentVersion !== acceptVersion
  ) {
    throw mediaTypeError(
      `A compatible version is required on both Content-Type and Accept headers if either one has requested a compatible version and the compatible versions must match. Accept=${headers.accept}, Content-Type=${contentType}`,
    );
  }
}

function mediaTypeError(cause: string): EsError {
  return new EsError(
    400,
    'media_type_header_exception',
    'Invalid media-type value on headers [Content-Type, Accept]',
    {},
    { causedBy: { type: 'status_exception', reason: cause } },
  );
}
