/**
 * Background timers are unref'd, so an exporter never keeps a process alive by itself. While
 * someone awaits the pipeline (a direct-mode export, forceFlush, shutdown, a blocked export),
 * one ref'd handle keeps the process alive for them, bounded by their own deadlines.
 */
export class KeepAlive {
  private holders = 0;
  private handle: NodeJS.Timeout | undefined;

  hold(): void {
    if (this.holders++ === 0) this.handle = setInterval(() => {}, 1 << 30);
  }

  release(): void {
    if (--this.holders === 0) {
      clearInterval(this.handle);
      this.handle = undefined;
    }
  }

  /** Holds the process open until `work` settles. */
  around<T>(work: Promise<T>): Promise<T> {
    this.hold();
    return work.finally(() => this.release());
  }
}
