import { diag } from '@opentelemetry/api';
import { isAbsolute, join, resolve } from 'node:path';
import { enumOption, integerOption } from '../config';
import { InvalidConfigError } from '../errors';
import type { Signal } from '../types';
import type { SpoolCodec } from './codec';
import type { FsyncPolicy } from './disk-queue';

/** The `spool` option: where accepted records are written so that a restart replays them. */
export interface SpoolOptions {
  /** The spool's directory; each exporter and signal gets `<directory>/<name>-<signal>`. */
  directory: string;
  /** Bytes on disk at most, per exporter and signal (default 1 GiB). */
  maxBytes?: number;
  /**
   * `interval` (default): written before the export's callback, fsynced every `fsyncIntervalMs`:
   * nothing lost to a process crash, at most that window to a power cut. `always`: fsynced
   * before the callback. `never`: left to the operating system.
   */
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  /** A segment file is closed, and the next begun, past this size (default 16 MiB). */
  segmentBytes?: number;
  /** How records become bytes. Default: the sender's `spoolCodec`, else V8 serialisation. */
  codec?: SpoolCodec<unknown>;
}

export const SPOOL_DEFAULTS = {
  maxBytes: 1024 * 1024 * 1024,
  fsync: 'interval' as FsyncPolicy,
  fsyncIntervalMs: 1_000,
  segmentBytes: 16 * 1024 * 1024,
};

export interface ResolvedSpoolOptions<R> {
  /** This exporter's and signal's own directory. */
  directory: string;
  maxBytes: number;
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  segmentBytes: number;
  codec: SpoolCodec<R> | undefined;
}

/** Names an exporter's directory: safe as one path segment whatever the name holds. */
export function spoolSubdirectory(name: string, signal: Signal): string {
  return `${name.replace(/[^A-Za-z0-9._-]/g, '_')}-${signal}`;
}

export function resolveSpoolOptions<R>(
  value: unknown,
  name: string,
  signal: Signal,
): ResolvedSpoolOptions<R> | undefined {
  if (value === undefined || value === false) return undefined;
  const given: Partial<SpoolOptions> =
    typeof value === 'string' ? { directory: value } : (value as Partial<SpoolOptions>);
  if (!given || typeof given !== 'object') {
    throw new InvalidConfigError(
      'spool',
      'expected { directory, maxBytes?, fsync? } or a directory',
    );
  }
  for (const key of Object.keys(given)) {
    if (
      !['directory', 'maxBytes', 'fsync', 'fsyncIntervalMs', 'segmentBytes', 'codec'].includes(key)
    ) {
      throw new InvalidConfigError(`spool.${key}`, 'unknown option');
    }
  }
  if (typeof given.directory !== 'string' || given.directory.trim() === '') {
    throw new InvalidConfigError(
      'spool.directory',
      'is required: a directory this process may write',
    );
  }
  const d = SPOOL_DEFAULTS;
  const maxBytes = integerOption('spool.maxBytes', given.maxBytes, d.maxBytes, { min: 1024 });
  const codec = given.codec as SpoolCodec<R> | undefined;
  if (
    codec !== undefined &&
    (typeof codec !== 'object' ||
      typeof codec.encode !== 'function' ||
      typeof codec.decode !== 'function')
  ) {
    throw new InvalidConfigError(
      'spool.codec',
      'expected { encode(records), decode(bytes, count) }',
    );
  }
  const base = isAbsolute(given.directory) ? given.directory : resolve(given.directory);
  return {
    directory: join(base, spoolSubdirectory(name, signal)),
    maxBytes,
    fsync: enumOption('spool.fsync', given.fsync, ['always', 'interval', 'never'], d.fsync),
    fsyncIntervalMs: integerOption(
      'spool.fsyncIntervalMs',
      given.fsyncIntervalMs,
      d.fsyncIntervalMs,
      {
        min: 1,
      },
    ),
    segmentBytes: segmentBytesFor(given.segmentBytes, maxBytes),
    codec,
  };
}

/**
 * A segment is deleted only once every record in it is acknowledged, so the spool must hold
 * several: by default a quarter of `maxBytes` (at most 16 MiB). A size given past half of it is
 * cut to half, with a warning: refused, a configuration that started before would now stop the
 * application at its start.
 */
function segmentBytesFor(given: unknown, maxBytes: number): number {
  const bound = Math.max(64, Math.floor(maxBytes / 2));
  const fallback = Math.max(64, Math.min(SPOOL_DEFAULTS.segmentBytes, Math.floor(maxBytes / 4)));
  const bytes = integerOption('spool.segmentBytes', given, fallback, { min: 64 });
  if (bytes <= bound) return bytes;
  diag.warn(
    `otelpack spool: spool.segmentBytes ${bytes} is more than half of spool.maxBytes; ${bound} is used (a segment is deleted only once all its records are delivered, so the spool must hold more than one)`,
  );
  return bound;
}

/**
 * The environment's form: a directory alone (`/var/spool/otelpack`), or `key=value` pairs
 * separated by commas (`directory=/var/spool/otelpack,fsync=always,maxBytes=268435456`), or
 * `false`, as the option takes it (off: a deployment that switches it off must not spool into a
 * directory named `false`). `true` names no directory and is refused.
 */
export function spoolFromText(text: string, variable: string): SpoolOptions | false {
  const trimmed = text.trim();
  const lower = trimmed.toLowerCase();
  if (lower === 'false') return false;
  if (lower === 'true') {
    throw new InvalidConfigError(
      variable,
      "names no directory: give one (a path, or directory=<path>,fsync=...) or 'false' for no spool",
    );
  }
  if (!trimmed.includes('=')) return { directory: trimmed };
  const out: Record<string, unknown> = {};
  for (const pair of trimmed.split(',')) {
    const at = pair.indexOf('=');
    if (at < 0) throw new InvalidConfigError(variable, `expected key=value pairs, got '${pair}'`);
    const key = pair.slice(0, at).trim();
    const raw = pair.slice(at + 1).trim();
    out[key] =
      ['maxBytes', 'fsyncIntervalMs', 'segmentBytes'].includes(key) && /^\d+$/.test(raw)
        ? Number(raw)
        : raw;
  }
  return out as unknown as SpoolOptions;
}
