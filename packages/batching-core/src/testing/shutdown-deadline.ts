import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { diag, DiagLogLevel } from '@opentelemetry/api';

/*
 * What a shutdown-deadline test needs, whatever the SDK version: a backend that is down, one
 * that accepts connections and never answers, and the WARN lines the exporters say meanwhile.
 * The SDK's providers are the caller's (SDK 2.x and 3.x differ in their constructors).
 */

/** A backend that accepts connections, reads what it is sent, and never answers. */
export interface StalledBackend {
  url: string;
  /** Connections accepted so far (a test can check the exporter did reach it). */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startStalledBackend(): Promise<StalledBackend> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The URL of a port that was just free: connecting to it is refused (a backend that is down). */
export async function downBackendUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Collects every WARN (and ERROR) line said through `diag` until `stop()`. */
export function captureDiagWarnings(): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  const keep = (message: string, ...args: unknown[]) =>
    lines.push([message, ...args.map(String)].join(' '));
  diag.setLogger(
    { error: keep, warn: keep, info: () => {}, debug: () => {}, verbose: () => {} },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return { lines, stop: () => diag.disable() };
}

/** How long `shutdown` took, in milliseconds. */
export async function timeShutdown(shutdown: () => Promise<unknown>): Promise<number> {
  const startedMs = Date.now();
  await shutdown();
  return Date.now() - startedMs;
}
