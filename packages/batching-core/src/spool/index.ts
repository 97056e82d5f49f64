export { DiskRecordQueue } from './disk-queue';
export type { DiskQueueOptions, FsyncPolicy, SpoolState } from './disk-queue';
export {
  bytesSpoolCodec,
  defaultSpoolCodec,
  recordsWrittenByV8,
  stringSpoolCodec,
  textSpoolCodec,
  v8Codec,
} from './codec';
export type { SpoolCodec } from './codec';
export { SpoolLockedError } from './lock';
export { SpoolLayout, SpoolPayloadReader, SpoolPayloadWriter, SpoolTable } from './payload';
export { SPOOL_DEFAULTS } from './options';
export type { SpoolOptions } from './options';
export { emptySpool, inspectSpool } from './inspect';
export type {
  EmptiedQueue,
  EmptiedSpool,
  SegmentInspection,
  SpoolQueueInspection,
} from './inspect';
export type { LockHolder } from './lock';
