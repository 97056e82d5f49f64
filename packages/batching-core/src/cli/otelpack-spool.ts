#!/usr/bin/env node
import { describeError } from '../errors';
import { emptySpool, inspectSpool } from '../spool/inspect';
import type { SegmentInspection, SpoolQueueInspection } from '../spool/inspect';

/*
 * otelpack-spool: what an exporter's disk spool holds, and emptying it, for operators. Reads
 * and deletes only under the rules the exporters follow (inspect changes nothing; empty takes
 * each queue's lock first, so a live exporter's spool is never emptied under it).
 */

const USAGE = `usage: otelpack-spool inspect <directory> [--json] [--segments]
       otelpack-spool empty <directory> [--yes]

<directory> is the exporters' spool directory (the spool option's directory, holding one
<name>-<signal> directory per exporter and signal) or one of those directories.

inspect   what each queue holds: records waiting to be sent, how old they are, batches sent
          before the last process stopped, damage, bytes on disk. Changes nothing.
empty     deletes the records each queue holds (its segment and acknowledgement files), under
          the queue's lock: refused while a live process holds it. Without --yes, says what
          it would delete.

Exit code: 0 done, 1 a queue could not be read or emptied, 2 usage.`;

const FLAGS: Record<string, readonly string[]> = {
  inspect: ['--json', '--segments'],
  empty: ['--yes'],
};

/** Runs one command; returns the exit code (2: usage, 1: a queue could not be read or emptied). */
export function main(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void = out,
): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    out(USAGE);
    return 0;
  }
  const [command, ...rest] = argv;
  const allowed = command === undefined ? undefined : FLAGS[command];
  // Flags may come before or after the directory; `--` ends them (a directory named like one).
  const end = rest.indexOf('--');
  const options = end < 0 ? rest : rest.slice(0, end);
  const flags = options.filter((a) => a.startsWith('--'));
  const places = [
    ...options.filter((a) => !a.startsWith('--')),
    ...(end < 0 ? [] : rest.slice(end + 1)),
  ];
  const wrong = allowed ? flags.filter((f) => !allowed.includes(f)) : [];
  if (!allowed || places.length !== 1 || wrong.length > 0) {
    err(
      !allowed
        ? USAGE
        : wrong.length > 0
          ? `otelpack-spool ${command}: unknown option ${wrong[0]}\n\n${USAGE}`
          : `otelpack-spool ${command}: give one directory\n\n${USAGE}`,
    );
    return 2;
  }
  const [directory] = places;
  try {
    if (command === 'inspect') return inspect(directory, flags, out, err);
    return empty(directory, flags.includes('--yes'), out, err);
  } catch (error) {
    err(`otelpack-spool: ${describeError(error)}`);
    return 1;
  }
}

function inspect(
  directory: string,
  flags: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): number {
  const queues = inspectSpool(directory);
  const unreadable = queues.filter((q) => q.error);
  for (const queue of unreadable) err(`otelpack-spool: ${queue.directory}: ${queue.error}`);
  if (flags.includes('--json')) {
    // A queue no process holds says `"lock": null` rather than leaving the key out.
    out(JSON.stringify(queues, (_key, value: unknown) => value ?? null, 2));
  } else if (queues.length === 0) {
    out(`${directory}: no spool here (no lock file, no segment, in it or one level down)`);
  } else {
    const nowMs = Date.now();
    for (const queue of queues) {
      if (!queue.error) describeQueue(queue, flags.includes('--segments'), nowMs, out);
    }
  }
  return unreadable.length > 0 ? 1 : 0;
}

function describeQueue(
  queue: SpoolQueueInspection,
  withSegments: boolean,
  nowMs: number,
  out: (line: string) => void,
): void {
  out(queue.directory);
  const lock = queue.lock;
  out(
    `  lock: ${
      !lock
        ? 'none (no process holds it)'
        : lock.stale
          ? `left by ${holderOf(lock)}, refreshed ${ago(lock.refreshedAtMs, nowMs)}: the next exporter to open it takes it over`
          : `held by ${holderOf(lock)}, refreshed ${ago(lock.refreshedAtMs, nowMs)}`
    }`,
  );
  const age =
    queue.oldestWaitingAtMs === undefined
      ? ''
      : ` (accepted ${new Date(queue.oldestWaitingAtMs).toISOString()}, ${ago(queue.oldestWaitingAtMs, nowMs)}, to ${new Date(queue.newestWaitingAtMs ?? queue.oldestWaitingAtMs).toISOString()})`;
  out(`  waiting: ${count(queue.waiting)} records${age}`);
  if (queue.sentBatchesWaiting > 0) {
    out(
      `  sent before the last stop, unanswered: ${plural(queue.sentBatchesWaiting, 'batch', 'batches')} (replayed as they were cut)`,
    );
  }
  out(
    `  on disk: ${plural(queue.segments.length, 'segment')}, ${bytes(queue.bytes)}; ${count(queue.records)} records written, ${count(queue.acknowledged)} delivered or dropped`,
  );
  const torn = queue.segments.reduce((sum, s) => sum + s.tornBytes, 0);
  const unreadable = queue.segments.filter((s) => s.problem);
  if (queue.damagedFrames > 0 || torn > 0 || unreadable.length > 0) {
    out(
      `  damage: ${count(queue.damagedFrames)} frames fail their checksum, ${count(torn)} bytes torn at a tail, ${unreadable.length} unreadable segments; the next start drops the records they held as corrupt, counted (a frame whose count cannot be read as one)`,
    );
  }
  if (withSegments) for (const segment of queue.segments) out(`    ${describeSegment(segment)}`);
}

function describeSegment(segment: SegmentInspection): string {
  if (segment.problem)
    return `${segment.file}  ${bytes(segment.bytes)}  unreadable: ${segment.problem}`;
  const damage =
    segment.damagedFrames > 0 || segment.tornBytes > 0
      ? `  damaged frames ${segment.damagedFrames}, torn bytes ${segment.tornBytes}`
      : '';
  return `${segment.file}  ${bytes(segment.bytes)}  records ${count(segment.records)}, waiting ${count(segment.waiting)}${damage}`;
}

function empty(
  directory: string,
  yes: boolean,
  out: (line: string) => void,
  err: (line: string) => void,
): number {
  if (!yes) {
    const queues = inspectSpool(directory);
    for (const queue of queues) {
      out(
        queue.error
          ? `cannot read ${queue.directory}: ${queue.error}`
          : `would delete ${queue.directory}: ${plural(queue.segments.length, 'segment')}, ${bytes(queue.bytes)}, ${count(queue.waiting)} records waiting to be sent${queue.lock && !queue.lock.stale ? ` (refused now: held by ${holderOf(queue.lock)})` : ''}`,
      );
    }
    out(queues.length === 0 ? `${directory}: no spool here` : 'run again with --yes to delete');
    return 0;
  }
  const { emptied, refused } = emptySpool(directory);
  for (const queue of emptied) {
    out(
      `emptied ${queue.directory}: ${plural(queue.files.length, 'file')}, ${count(queue.waiting)} records that were waiting deleted`,
    );
  }
  for (const { error } of refused) err(`otelpack-spool: not emptied: ${describeError(error)}`);
  if (emptied.length + refused.length === 0) out(`${directory}: no spool here`);
  return refused.length > 0 ? 1 : 0;
}

function holderOf(lock: { pid: number; host: string | undefined }): string {
  const who = lock.pid > 0 ? `process ${lock.pid}` : 'a process (its lock cannot be read)';
  return lock.host ? `${who} on host ${lock.host}` : who;
}

function ago(atMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - atMs) / 1000));
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  return `${(seconds / 3600).toFixed(1)} h ago`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

if (require.main === module) {
  process.exitCode = main(
    process.argv.slice(2),
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
  );
}
