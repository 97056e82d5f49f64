import { diag } from '@opentelemetry/api';
import type { Client } from '@elastic/elasticsearch';
import type { HeaderProvider, SendResult } from '@otelpack/batching-core';
import { classifyClientError } from '../bulk/client-errors';
import type { SetupSettings } from '../config';
import type { DataStreamType, MappingMode } from '../mapping/types';
import { ilmPolicyBody, indexTemplateBody, setupResourceName } from './templates';

export interface IndexSetupOptions {
  client: Client;
  settings: SetupSettings;
  signal: DataStreamType;
  mode: MappingMode;
  exporterName: string;
  requestTimeoutMs: number;
  redact: (text: string) => string;
  /** The exporter's async headers (a rotating token): setup requests need them too. */
  headerProvider?: HeaderProvider;
}

/**
 * Puts the ILM policy and the index template once, before the first bulk request. It is not a
 * loop: a send that finds it not done yet runs it (or joins the run in progress). A retryable
 * failure (network, 429, 5xx) makes that send retryable, so the core retries both together; a
 * permanent one (403, 400) is logged once and indexing goes on without the template, because
 * holding data back would not fix a permission.
 */
export class IndexSetup {
  private done = false;
  private running: Promise<SendResult | undefined> | undefined;

  /** Holds the client, and so the credentials: private, out of JSON and inspect. */
  readonly #options: IndexSetupOptions;

  constructor(options: IndexSetupOptions) {
    this.#options = options;
  }

  get completed(): boolean {
    return this.done;
  }

  ensure(signal: AbortSignal): Promise<SendResult | undefined> {
    if (this.done) return Promise.resolve(undefined);
    this.running ??= this.run(signal).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(signal: AbortSignal): Promise<SendResult | undefined> {
    const { client, settings, requestTimeoutMs, redact, exporterName } = this.#options;
    const name = setupResourceName(settings.index);
    try {
      const headers = this.#options.headerProvider
        ? await this.#options.headerProvider()
        : undefined;
      const requestOptions = {
        signal,
        maxRetries: 0,
        requestTimeout: requestTimeoutMs,
        ...(headers ? { headers } : {}),
      };
      if (settings.ilm) {
        await client.transport.request(
          {
            method: 'PUT',
            path: `/_ilm/policy/${encodeURIComponent(name)}`,
            body: ilmPolicyBody(settings.ilm),
          },
          requestOptions,
        );
      }
      await client.transport.request(
        {
          method: 'PUT',
          path: `/_index_template/${encodeURIComponent(name)}`,
          body: indexTemplateBody(this.#options.signal, this.#options.mode, settings),
        },
        requestOptions,
      );
      this.done = true;
      diag.debug(`otelpack ${exporterName}: index template ${name} is in place`);
      return undefined;
    } catch (error) {
      const result = classifyClientError(error, redact);
      if (result.kind === 'permanent') {
        this.done = true;
        diag.error(
          `otelpack ${exporterName}: could not put index template or ILM policy ${name}; indexing without them: ${result.reason}`,
        );
        return undefined;
      }
      return result.kind === 'retryable'
        ? { ...result, reason: `index template setup: ${result.reason}` }
        : undefined;
    }
  }
}
