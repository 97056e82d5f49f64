import { errorCodeOf } from '../errors';

/** No room left: the disk is full, or the user's quota is. Room may come back (a deleted segment). */
export function isDiskFull(error: unknown): boolean {
  const code = errorCodeOf(error);
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/**
 * The disk failed the operation (no room, or an I/O error), rather than the platform declining
 * it: a directory fsync that answers EISDIR, EPERM, EINVAL or ENOTSUP is a platform that cannot
 * sync a directory, not a failure.
 */
export function isDiskFailure(error: unknown): boolean {
  return isDiskFull(error) || errorCodeOf(error) === 'EIO';
}
