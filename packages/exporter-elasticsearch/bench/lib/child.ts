import { fork } from 'node:child_process';
import { resolve } from 'node:path';

export const PACKAGE_DIR = resolve(__dirname, '..', '..');

/**
 * Runs one scenario module in its own process (no shared heap or JIT state) and returns the
 * result it posts; the child (ours, by its pid) is killed if it overruns `timeoutMs`.
 */
export function runInChild<T>(modulePath: string, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    const child = fork(modulePath, [], {
      cwd: PACKAGE_DIR,
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let outcome: { value?: T; error?: string } | undefined;
    const timer = setTimeout(() => {
      outcome ??= { error: `${modulePath} did not finish within ${timeoutMs} ms` };
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (message: { result?: T; error?: string }) => {
      outcome ??=
        message.error !== undefined ? { error: message.error } : { value: message.result };
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (outcome && outcome.error === undefined) resolvePromise(outcome.value as T);
      else
        reject(
          new Error(outcome?.error ?? `${modulePath} exited (${code ?? signal}) without a result`),
        );
    });
  });
}

/** The child's side: post the result or the failure, then leave. */
export function reportToParent<T>(work: () => Promise<T>): void {
  const send = (message: object) => {
    if (process.send) process.send(message, () => process.exit(0));
    else process.stdout.write(`${JSON.stringify(message, null, 2)}\n`, () => process.exit(0));
  };
  work().then(
    (result) => send({ result }),
    (error: unknown) =>
      send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
}
