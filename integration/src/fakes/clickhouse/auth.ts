/*
 * Who is asking: ClickHouse's HTTP authentication in its three forms (X-ClickHouse-User/Key
 * headers, Basic auth, user/password URL parameters), with the server's refusals when they are
 * mixed. The front knows one user, `default`, with the password given on its command line.
 */
import type http from 'node:http';
import { raise } from './errors';

export function authenticate(
  request: http.IncomingMessage,
  url: URL,
  password: string,
): { user: string } {
  const headerUser = request.headers['x-clickhouse-user'];
  const headerKey = request.headers['x-clickhouse-key'];
  const authorization = request.headers.authorization;
  const inParameters =
    url.searchParams.has('user') ||
    url.searchParams.has('password') ||
    url.searchParams.has('quota_key');
  let user: string;
  let given: string;
  if (typeof headerUser === 'string' || typeof headerKey === 'string') {
    if (authorization) {
      raise(
        'AUTHENTICATION_FAILED',
        'Invalid authentication: it is not allowed to use X-ClickHouse HTTP headers and other authentication methods simultaneously.',
      );
    }
    user = typeof headerUser === 'string' ? headerUser : '';
    given = typeof headerKey === 'string' ? headerKey : '';
    if (user === '')
      raise('AUTHENTICATION_FAILED', 'Got an empty user name from X-ClickHouse HTTP headers.');
  } else if (authorization) {
    if (inParameters) {
      raise(
        'AUTHENTICATION_FAILED',
        'Invalid authentication: it is not allowed to use Authorization HTTP header and authentication via parameters simultaneously.',
      );
    }
    const [scheme, info = ''] = authorization.split(/\s+/, 2);
    if (scheme.toLowerCase() !== 'basic') {
      raise(
        'AUTHENTICATION_FAILED',
        `Invalid authentication: '${scheme}' HTTP Authorization scheme is not supported.`,
      );
    }
    const decoded = Buffer.from(info, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    user = colon < 0 ? decoded : decoded.slice(0, colon);
    given = colon < 0 ? '' : decoded.slice(colon + 1);
  } else {
    user = url.searchParams.get('user') ?? 'default';
    given = url.searchParams.get('password') ?? '';
  }
  if (user !== 'default' || given !== password) {
    raise(
      'AUTHENTICATION_FAILED',
      `${user}: Authentication failed: password is incorrect, or there is no user with such name.`,
    );
  }
  return { user };
}
