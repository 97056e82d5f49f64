import { diag } from '@opentelemetry/api';

/**
 * Failover over several endpoints of one backend (URLs, hosts, clients): the sender sends through
 * `current`; when a send through it fails in a way another endpoint may not (a retryable answer,
 * a network error, a host fault), `moveOn` makes the next endpoint current, so the core's retry
 * of that batch, and every batch after it, goes there. It never loops or retries by itself: the
 * core decides when to send again. A permanent answer about the data should not move it (the next
 * endpoint would refuse the same data); one about the endpoint may (remote write's sender moves
 * on from a receiver that does not take the protocol version it sends); a success keeps it where
 * it is.
 *
 * The endpoints are held privately: they may be clients or transports holding credentials.
 */
export class Failover<T> {
  readonly #endpoints: readonly T[];
  readonly #labels: readonly string[];
  readonly #name: string;
  #current = 0;
  #failovers = 0;

  /**
   * @param endpoints tried in order, then round again
   * @param labelOf an endpoint's name for logs, without credentials
   * @param name the exporter's name, for the log line
   */
  constructor(endpoints: readonly T[], labelOf: (endpoint: T) => string, name: string) {
    if (endpoints.length === 0) throw new Error('Failover needs at least one endpoint');
    this.#endpoints = [...endpoints];
    this.#labels = this.#endpoints.map(labelOf);
    this.#name = name;
  }

  /** The endpoint the next send goes to. */
  get current(): T {
    return this.#endpoints[this.#current];
  }

  /** Its label (no credentials). */
  get currentLabel(): string {
    return this.#labels[this.#current];
  }

  get labels(): readonly string[] {
    return this.#labels;
  }

  /** Times the current endpoint moved on. */
  get failovers(): number {
    return this.#failovers;
  }

  get size(): number {
    return this.#endpoints.length;
  }

  /** Every endpoint, e.g. to close them. */
  all(): readonly T[] {
    return this.#endpoints;
  }

  /**
   * After `failed` failed with `reason`: the next endpoint becomes current, unless `failed` is
   * no longer current (a concurrent send moved on already: moving again would skip a healthy one).
   */
  moveOn(failed: T, reason: string): void {
    if (this.#endpoints.length < 2 || this.#endpoints[this.#current] !== failed) return;
    const from = this.#labels[this.#current];
    this.#current = (this.#current + 1) % this.#endpoints.length;
    this.#failovers++;
    diag.warn(
      `otelpack ${this.#name}: ${from} failed (${reason}); the next sends go to ${this.currentLabel}`,
    );
  }

  toJSON(): object {
    return { endpoints: this.#labels, current: this.currentLabel, failovers: this.#failovers };
  }
}
