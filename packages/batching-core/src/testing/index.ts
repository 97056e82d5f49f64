export { FaultSink, decodeNdjson } from './fault-sink';
export type {
  FaultRule,
  FaultSinkOptions,
  RecordedRequest,
  SinkFault,
  SinkResponse,
} from './fault-sink';
export { assertLedgerBalances, deliveryLetter, ledgerImbalance } from './ledger-assert';
export { NdjsonSinkSender } from './sink-sender';
export { seededRandom } from './seeded-random';
export { eventually } from './eventually';
export { withHangWatchdog } from './hang-watchdog';
export { doublingTextValue, doublingValue, selfReferringValue } from './hostile-values';
export { recordQueueConformance } from './record-queue-conformance';
export type {
  PersistentQueueHooks,
  RecordQueueFactory,
  ReopenedRecord,
  ReopenQueue,
} from './record-queue-conformance';
export { replayThroughSpool } from './spool-replay';
export {
  captureDiagWarnings,
  checkShutdownDeadline,
  downBackendUrl,
  startStalledBackend,
  timeShutdown,
} from './shutdown-deadline';
export type {
  ShutdownDeadlineCase,
  ShutdownDeadlineCheck,
  StalledBackend,
} from './shutdown-deadline';

// ---- The exporter kit's test suite, which every exporter package runs against itself.
export { runExporterKitSuite } from './kit-suite';
export type {
  ExporterKitSuiteOptions,
  KitExporter,
  KitOptionsDefinition,
  OptionSample,
} from './kit-suite';
