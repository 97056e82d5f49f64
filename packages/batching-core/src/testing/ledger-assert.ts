import { AssertionError } from 'node:assert';
import type { PipelineStats } from '../pipeline';
import type { DeadLetter, UnmappedLetter } from '../types';

/**
 * Every way a pipeline's figures can disagree with each other, or undefined when they agree:
 * - the ledger: accepted = delivered + dropped + pending (+ leftInSpool, what a spool kept at
 *   shutdown for the next process);
 * - pending (summed from where records are) = queuedItems (counted on accept and release);
 * - the queue bounds hold, and no figure is negative.
 */
export function ledgerImbalance(stats: PipelineStats): string | undefined {
  const problems: string[] = [];
  const droppedSum = Object.values(stats.dropped).reduce((sum, n) => sum + n, 0);
  if (droppedSum !== stats.droppedTotal) {
    problems.push(`dropped reasons sum to ${droppedSum}, droppedTotal is ${stats.droppedTotal}`);
  }
  const leftInSpool = stats.leftInSpool ?? 0;
  if (stats.accepted !== stats.delivered + droppedSum + stats.pending + leftInSpool) {
    problems.push(
      `accepted ${stats.accepted} != delivered ${stats.delivered} + dropped ${droppedSum} + pending ${stats.pending}${leftInSpool ? ` + left in the spool ${leftInSpool}` : ''}`,
    );
  }
  const placed = stats.awaitingSendItems + stats.inFlightItems + stats.awaitingRetryItems;
  if (placed !== stats.pending) {
    problems.push(
      `awaitingSend + inFlight + awaitingRetry = ${placed}, pending is ${stats.pending}`,
    );
  }
  if (stats.queuedItems !== stats.pending) {
    problems.push(`queuedItems ${stats.queuedItems} != pending ${stats.pending}`);
  }
  if (stats.queuedItems > stats.maxQueueItems) {
    problems.push(`queuedItems ${stats.queuedItems} > maxQueueItems ${stats.maxQueueItems}`);
  }
  if (stats.queuedBytes > stats.maxQueueBytes) {
    problems.push(`queuedBytes ${stats.queuedBytes} > maxQueueBytes ${stats.maxQueueBytes}`);
  }
  for (const [name, value] of Object.entries(stats)) {
    if (typeof value === 'number' && value < 0) problems.push(`${name} is negative (${value})`);
  }
  if (stats.pending === 0 && stats.queuedBytes !== 0) {
    problems.push(`nothing pending but queuedBytes is ${stats.queuedBytes}`);
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** Throws an AssertionError naming every imbalance, with the figures. */
export function assertLedgerBalances(stats: PipelineStats, context = ''): void {
  const problem = ledgerImbalance(stats);
  if (problem) {
    throw new AssertionError({
      message: `ledger does not balance${context ? ` (${context})` : ''}: ${problem}\n${JSON.stringify(stats)}`,
    });
  }
}

/**
 * Narrows a dead-letter handler's argument to a delivery letter, for tests that collect dropped
 * records: a mapping letter where none is expected throws (and the pipeline logs it), so the
 * test's own counts come up short.
 */
export function deliveryLetter<R>(letter: DeadLetter<R> | UnmappedLetter): DeadLetter<R> {
  if (letter.stage !== 'delivery') {
    throw new Error(`expected a delivery dead letter, got a ${letter.stage} letter`);
  }
  return letter;
}
