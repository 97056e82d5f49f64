import { diag } from '@opentelemetry/api';

/**
 * A `(status, reason)` callback for an exporter's refused requests that says once, at ERROR, what
 * to check when the backend refused the credentials (401 or 403): otherwise a bad token is only
 * a count of rejected records, the silent non-delivery users of the old vendor exporters met.
 * Other statuses, and every refusal after the first, say nothing more.
 */
export function reportRefusedCredentialsOnce(
  message: (status: number, reason: string) => string,
): (status: number, reason: string) => void {
  let reported = false;
  return (status, reason) => {
    if ((status !== 401 && status !== 403) || reported) return;
    reported = true;
    diag.error(message(status, reason));
  };
}
