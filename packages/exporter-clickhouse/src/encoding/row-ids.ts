import { randomBytes } from 'node:crypto';

/*
 * Every encoded row gets a number, unique in this process, so that an insert's dedup token can
 * name its rows instead of hashing its body: a SHA-256 over every byte sent was a sixth of the
 * exporter's CPU. A retry sends the same row objects (the core keeps them), so it gets the same
 * token; any other insert holds at least one other row. The process's random prefix keeps two
 * processes (or a restart) writing to one table apart.
 */

/** This process's part of every token (a row replayed from the spool carries its writer's). */
export const PROCESS_ORIGIN = randomBytes(9).toString('base64url');

/** An origin for rows whose writer's is not known (spooled before origins were kept). */
export function freshOrigin(): string {
  return randomBytes(9).toString('base64url');
}
let lastRowId = 0;

export function nextRowId(): number {
  return ++lastRowId;
}

/**
 * The dedup token of an insert of these rows, in this order: the process, then the first and
 * last row, how many, and the sum of their numbers (a different set of as many rows between the
 * same two has another sum). Rows of another process (`origins`, replayed from the spool) make
 * a run each: a replayed batch keeps the token it had, and never takes one of this process's.
 */
export function rowsToken(
  ids: readonly number[],
  origins?: readonly (string | undefined)[],
): string {
  let token = '';
  let start = 0;
  while (start < ids.length) {
    const origin = origins?.[start] ?? PROCESS_ORIGIN;
    let end = start + 1;
    while (end < ids.length && (origins?.[end] ?? PROCESS_ORIGIN) === origin) end++;
    let sum = 0;
    for (let i = start; i < end; i++) sum += ids[i];
    token += `${token === '' ? '' : '+'}${origin}-${ids[start]}-${ids[end - 1]}-${end - start}-${sum}`;
    start = end;
  }
  return token;
}
