import { diag } from '@opentelemetry/api';
import { redact } from '@otelpack/batching-core';
import type { ErrorLogParams, Logger, LogParams, WarnLogParams } from '@clickhouse/client';

/**
 * Routes @clickhouse/client's own log lines to `diag`, the pack's only log sink (the client's
 * default logger writes to the console). Only the module, the message and an error's message
 * are passed on, scrubbed of credentials: the client's `args` can hold query parameters.
 */
export class DiagClickHouseLogger implements Logger {
  trace({ module, message }: LogParams): void {
    diag.verbose(line(module, message));
  }

  debug({ module, message }: LogParams): void {
    diag.debug(line(module, message));
  }

  info({ module, message }: LogParams): void {
    diag.info(line(module, message));
  }

  warn({ module, message, err }: WarnLogParams): void {
    diag.warn(line(module, message, err));
  }

  error({ module, message, err }: ErrorLogParams): void {
    // The exporter reports every failed insert itself, with its outcome; the client's own
    // account of the same failure is detail.
    diag.debug(line(module, message, err));
  }
}

function line(module: string, message: string, err?: Error): string {
  const text = `otelpack clickhouse (${module}): ${message}${err ? `: ${err.message}` : ''}`;
  return redact(text);
}
