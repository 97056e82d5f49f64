import { diag } from '@opentelemetry/api';
import { describeError } from '../errors';
import type { Entry } from '../pipeline/entry';
import type { SpoolCodec } from './codec';
import { defaultSpoolCodec } from './codec';
import { DiskRecordQueue } from './disk-queue';
import type { ResolvedSpoolOptions } from './options';

/**
 * Opens the exporter's spool. A spool that cannot be opened (a directory it may not write,
 * one a live process holds) must not take the application down with it: the exporter runs on
 * the in-memory queue, says so in an ERROR line, and `stats().spool.error` keeps why.
 */
export function openSpool<R>(
  spool: ResolvedSpoolOptions<R>,
  senderCodec: SpoolCodec<R> | undefined,
  clockOriginMs: number,
  label: string,
  onFsync: (durationMs: number) => void,
): { queue: DiskRecordQueue<Entry<R>> } | { error: string } {
  try {
    const queue = new DiskRecordQueue<Entry<R>>({
      directory: spool.directory,
      maxBytes: spool.maxBytes,
      fsync: spool.fsync,
      fsyncIntervalMs: spool.fsyncIntervalMs,
      segmentBytes: spool.segmentBytes,
      codec: spool.codec ?? senderCodec ?? (defaultSpoolCodec as SpoolCodec<R>),
      clockOriginMs,
      onFsync,
    });
    return { queue };
  } catch (error) {
    const why = describeError(error);
    diag.error(
      `${label}: the spool at ${spool.directory} cannot be used (${why}); records are held in memory only and a crash loses them`,
    );
    return { error: why };
  }
}
