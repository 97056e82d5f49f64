export {
  ElasticsearchLogRecordExporter,
  ElasticsearchMetricExporter,
  ElasticsearchSpanExporter,
  createElasticsearchClient,
} from './exporters';
export { ELASTICSEARCH_DEFAULTS, ELASTICSEARCH_OPTIONS } from './options';
export type {
  ElasticsearchAuth,
  ElasticsearchExporterOptions,
  ElasticsearchMetricExporterOptions,
  ElasticsearchSetupOptions,
} from './options';
export type { BulkRecord } from './bulk/record';
export type { IndexDateSuffix, MappingMode } from './mapping/types';
