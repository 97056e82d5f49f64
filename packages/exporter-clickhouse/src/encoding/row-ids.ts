import { randomBytes } from 'node:crypto';

/*
 * Every encoded row gets a number, unique in this process, so that an insert's dedup token can
 * name its rows instead of hashing its body: a SHA-256 over every byte sent was a sixth of the
 * exporter's CPU. A retry sends the same row objects (the core keeps them), so it gets the same
 * token; any other insert holds at least one other row. The process's random prefix keeps two
 * processes (or a restart) writing to one table apart.
 */

const PROCESS_PREFIX = randomBytes(9).toString('base64url');
let lastRowId = 0;

export function nextRowId(): number {
  return ++lastRowId;
}

/**
 * The dedup token of an insert of these rows, in this order: the process, then the first and
 * last row, how many, and the sum of their numbers (a different set of as many rows between the
 * same two has another sum).
 */
export function rowsToken(ids: readonly number[]): string {
  let sum = 0;
  for (let i = 0; i < ids.length; i++) sum += ids[i];
  return `${PROCESS_PREFIX}-${ids[0]}-${ids[ids.length - 1]}-${ids.length}-${sum}`;
}
