import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { describeError } from '../errors';
import type { Entry } from '../pipeline/entry';
import type { SpoolCodec } from './codec';
import { defaultSpoolCodec } from './codec';
import { DiskRecordQueue } from './disk-queue';
import { lockHolder } from './lock';
import type { ResolvedSpoolOptions } from './options';

/** When a spool looks for queues left under another name: after the process's exporters are made. */
export const UNREAD_QUEUE_CHECK_DELAY_MS = 30_000;

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
  onFsync: (durationMs: number, errorCode?: string) => void,
  unreadCheckDelayMs = UNREAD_QUEUE_CHECK_DELAY_MS,
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
    // Later, not now: the process's other exporters of the signal are still being made, and
    // their queues, not yet locked, would look unread.
    setTimeout(() => {
      if (!queue.isClosed) warnOfUnreadQueues(spool.directory, label);
    }, unreadCheckDelayMs).unref();
    return { queue };
  } catch (error) {
    const why = describeError(error);
    diag.error(
      `${label}: the spool at ${spool.directory} cannot be used (${why}); records are held in memory only and a crash loses them`,
    );
    return { error: why };
  }
}

/**
 * Each exporter reads only `<directory>/<name>-<signal>`: after a rename (or a name that now
 * sanitises differently) what the old name left stays on disk, replayed by nobody. Nothing can
 * tell such a queue from another exporter's that is merely stopped, so it is not taken over;
 * but a queue of the same signal beside this one that holds segments and no live lock some
 * time after this one opened is said once, at WARN, with how to look at it.
 */
function warnOfUnreadQueues(directory: string, label: string): void {
  try {
    const parent = dirname(directory);
    const own = basename(directory);
    const signal = own.slice(own.lastIndexOf('-'));
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === own || !entry.name.endsWith(signal)) continue;
      const queue = join(parent, entry.name);
      const segments = readdirSync(queue).filter((name) => name.endsWith('.seg')).length;
      if (segments === 0) continue;
      const holder = lockHolder(queue);
      if (holder && !holder.stale) continue;
      diag.warn(
        `${label}: ${queue} holds ${segments} spool segments that no running exporter reads (its exporter was named otherwise, or is not running); this exporter replays only ${directory}. \`npx otelpack-spool inspect ${parent}\` shows what they hold; an exporter named after that directory replays them.`,
      );
    }
  } catch {
    // A look around, not a condition of opening: an unreadable sibling is the sibling's business.
  }
}
