import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/*
 * Every program the smoke test runs (npm, tsc, the check apps, the README snippets) runs through
 * here: as its own process group, with a time limit, its output kept for the report. When it
 * exits, anything still running in its group a second later is reported and ended, so that the
 * test leaves no process behind and a snippet that "exits" while a child keeps running does not
 * pass.
 */

export interface CommandResult {
  /** The exit code; null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** True when processes of its group were still running after it exited (they are ended). */
  leftRunning: boolean;
  /** stdout and stderr, interleaved as they came. */
  output: string;
  durationMs: number;
}

export interface CommandOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Also copy the output to this process's stdout as it comes (long steps such as npm). */
  echo?: boolean;
}

const KILL_GRACE_MS = 2_000;
/** How long what a command started may take to end after it: helpers that end with it. */
const EXIT_GRACE_MS = 1_000;

/** Process groups started here and not yet ended, for stopAllCommands. */
const activeGroups = new Set<number>();
/** Set by stopAllCommands: the run is ending, nothing new may start. */
let stopped = false;

export function runCommand(
  command: string,
  args: string[],
  options: CommandOptions,
): Promise<CommandResult> {
  const startedAt = Date.now();
  if (stopped) return Promise.reject(new Error(`${command} not started: the run is stopping`));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const chunks: Buffer[] = [];
    const collect = (chunk: Buffer) => {
      chunks.push(chunk);
      if (options.echo) process.stdout.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) endGroup(child.pid);
    }, options.timeoutMs);
    if (child.pid) activeGroups.add(child.pid);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not be started: ${error.message}`));
    });
    // At 'exit' the program is gone but what it started may still hold its output open, so the
    // group is looked at (and ended) then; the result waits for 'close', when the output is whole.
    let groupLooked: Promise<boolean> = Promise.resolve(false);
    child.once('exit', () => {
      const pid = child.pid ?? -1;
      groupLooked = pid > 0 ? outlivedBy(pid) : Promise.resolve(false);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      void groupLooked.then((leftRunning) => {
        activeGroups.delete(child.pid ?? -1);
        resolve({
          code,
          signal,
          timedOut,
          leftRunning,
          output: Buffer.concat(chunks).toString('utf8'),
          durationMs: Date.now() - startedAt,
        });
      });
    });
  });
}

/**
 * Whether processes of the group outlive its leader by more than EXIT_GRACE_MS (then they are
 * ended). A helper that ends as its parent does is not one: tsx's esbuild service exits when its
 * stdin closes with the parent, a few milliseconds after it, which a look at the very moment of
 * the exit counted as left running on a loaded machine.
 */
async function outlivedBy(pid: number): Promise<boolean> {
  const giveUpAt = Date.now() + EXIT_GRACE_MS;
  while (liveGroupMembers(pid).length > 0) {
    if (Date.now() >= giveUpAt) {
      endGroup(pid);
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

/** Ends every process group started here that is still running, and lets no new one start. */
export function stopAllCommands(): void {
  stopped = true;
  for (const pid of activeGroups) endGroup(pid);
}

/** The last `lines` lines of a command's output, for a problem report. */
export function outputTail(result: CommandResult, lines = 30): string {
  const text = result.output.trimEnd();
  return text === '' ? '(no output)' : text.split('\n').slice(-lines).join('\n');
}

/** What happened, in a few words: `exit 1`, `killed by SIGKILL`, `timed out after 30000 ms`. */
export function describeExit(result: CommandResult, timeoutMs: number): string {
  if (result.timedOut) return `timed out after ${timeoutMs} ms`;
  return result.signal ? `killed by ${result.signal}` : `exit ${result.code}`;
}

/**
 * The processes of group `pgid` that are running: from /proc, so that zombies (exited, waiting to
 * be reaped, which a container's init may never do) do not count.
 */
function liveGroupMembers(pgid: number): number[] {
  if (!existsSync('/proc/self/stat')) return groupSignalable(pgid) ? [pgid] : [];
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    // After the command name in parentheses: state, ppid, pgrp, …
    const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(group) === pgid && state !== 'Z') members.push(Number(entry));
  }
  return members;
}

/** Without /proc (not Linux): whether any process of the group, zombies included, is left. */
function groupSignalable(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the group, SIGKILL to whatever is left of it after the grace period. */
function endGroup(pid: number): void {
  signalGroup(pid, 'SIGTERM');
  setTimeout(() => {
    if (liveGroupMembers(pid).length > 0) signalGroup(pid, 'SIGKILL');
  }, KILL_GRACE_MS).unref();
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
