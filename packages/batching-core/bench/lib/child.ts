import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { PACKAGE_DIR } from './core-build';

export { PACKAGE_DIR };

/** Node flags of every bench child: TypeScript through tsx, and gc() for clean measurements. */
export function childExecArgv(): string[] {
  return ['--import', 'tsx', '--expose-gc'];
}

/**
 * Runs one scenario module in its own process, so that scenarios share no heap, JIT state or
 * event loop, and returns the one result it posts; `args` are the child's command line and
 * `extraExecArgv` Node flags of its own. The child is killed (by its pid, it is ours) if it
 * overruns `timeoutMs`, so the bench always ends.
 */
export function runInChild<T>(
  modulePath: string,
  timeoutMs: number,
  args: readonly string[] = [],
  extraExecArgv: readonly string[] = [],
): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    const child = fork(modulePath, args, {
      cwd: PACKAGE_DIR,
      execArgv: [...childExecArgv(), ...extraExecArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: { ok: true; value: T } | { ok: false; error: string } | undefined;
    const timer = setTimeout(() => {
      result ??= { ok: false, error: `${modulePath} did not finish within ${timeoutMs} ms` };
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (message: { result?: T; error?: string }) => {
      if (message.error !== undefined) result ??= { ok: false, error: message.error };
      else result ??= { ok: true, value: message.result as T };
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result?.ok) resolvePromise(result.value);
      else
        reject(
          new Error(result?.error ?? `${modulePath} exited (${code ?? signal}) without a result`),
        );
    });
  });
}

/** The child's side: post the result (or the failure) to the parent, then leave. */
export function reportToParent<T>(work: () => Promise<T>): void {
  work().then(
    (value) => send({ result: value }),
    (error: unknown) =>
      send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
}

function send(message: object): void {
  if (!process.send) {
    // Run by hand: print instead, so a scenario can be debugged alone. Exit once written: a
    // write to a pipe is asynchronous.
    process.stdout.write(`${JSON.stringify(message, null, 2)}\n`, () =>
      process.exit('error' in message ? 1 : 0),
    );
    return;
  }
  // Exit only once the message is out; pools or servers left open must not keep us alive.
  process.send(message, () => process.exit('error' in message ? 1 : 0));
}

/** BENCH_DIAG=1 shows the core's diag errors and warnings, which are silent otherwise. */
export function diagFromEnv(): void {
  if (!process.env.BENCH_DIAG) return;
  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
}

export function forceGc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc');
  // Twice: the first pass can leave garbage that only the second finds (weak refs, finalizers).
  collect();
  collect();
}

export function waitForMessage<T>(child: ChildProcess, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no message from child ${child.pid} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: T): void => {
      cleanup();
      resolvePromise(message);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`child ${child.pid} exited (${code}) before answering`));
    };
    function cleanup(): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
