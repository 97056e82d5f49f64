/**
 * One backend the integration tests can run against. Adding a backend is one file in
 * src/backends/ that exports a BackendDefinition, plus its line in src/backends/index.ts.
 */
export interface BackendDefinition {
  /** Lowercase id; the tests find the backend's URL in `OTELPACK_IT_<ID>_URL`. */
  id: string;
  /** `real`: the backend's own software. `fake`: a protocol fake written from its documentation. */
  kind: 'real' | 'fake';
  /** One line for the run's summary, e.g. `VictoriaMetrics 1.79 (Debian package)`. */
  description: string;
  /** The service's name in integration/docker-compose.yml (how the same tests reach it there). */
  composeService: string;
  /** The URL the compose service is reached at from the host (fixed, documented ports). */
  composeUrl: string;
  /**
   * Whether it can run on this machine. A missing binary is a reason, not an error: a developer
   * running by hand is told what to install; CI (CI=true) fails instead.
   */
  available(): Promise<Availability>;
  /** How to start it on `port` (127.0.0.1), with `dir` as its private temporary directory. */
  command(context: LaunchContext): LaunchCommand;
  /** Resolves true once the backend answers like itself at `url`. Polled until startTimeoutMs. */
  ready(url: string): Promise<boolean>;
  /** Default 30,000. */
  startTimeoutMs?: number;
  /**
   * What a client needs in its environment besides the URL to be let in (a fake's test
   * credentials, such as the New Relic fake's license key): the packed-install smoke test gives
   * it to the README snippets it runs against this backend.
   */
  clientEnvironment?: Record<string, string>;
}

export type Availability = { ok: true } | { ok: false; reason: string; install: string };

export interface LaunchContext {
  port: number;
  /** A fresh temporary directory for data and config; removed when the backend stops. */
  dir: string;
  /** Absolute path of the integration package, for fakes that are scripts in it. */
  packageDir: string;
}

export interface LaunchCommand {
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** The URL the tests use (default `http://127.0.0.1:<port>`). */
  url?: string;
}

export function envVarFor(id: string): string {
  return `OTELPACK_IT_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}
