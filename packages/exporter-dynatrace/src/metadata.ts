/*
 * Metadata lines (`#key gauge dt.meta.description=…`) describe a metric once; the ingest keeps what
 * it was told. One is written with a metric's points until the ingest has settled it (taken it, or
 * refused it by name): the mapping asks this memory, the sender tells it. Marking a line when it
 * was only mapped would lose it for good when its request is refused or dropped (retries spent,
 * queue full).
 */

// Lines remembered, so that a program making ever new metric names cannot grow this without end.
const METADATA_MEMORY = 10_000;

/** Whether a line of the protocol is a metadata line (they alone start with `#`). */
export function isMetadataLine(line: string): boolean {
  return line.charCodeAt(0) === 0x23;
}

/** The metadata lines the ingest has settled, shared by an exporter's mapping and sender. */
export class MetadataMemory {
  private readonly settled = new Set<string>();

  constructor(private readonly limit = METADATA_MEMORY) {}

  isSettled(line: string): boolean {
    return this.settled.has(line);
  }

  /** The ingest settled these lines of a request; their metadata lines need not go again. */
  markSettled(lines: Iterable<string>): void {
    for (const line of lines) {
      if (!isMetadataLine(line) || this.settled.has(line)) continue;
      // Forgetting costs a repeated metadata line, which the ingest takes again harmlessly.
      if (this.settled.size >= this.limit) this.settled.clear();
      this.settled.add(line);
    }
  }
}
