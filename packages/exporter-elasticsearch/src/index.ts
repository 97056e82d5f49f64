export {
  ElasticsearchLogRecordExporter,
  ElasticsearchMetricExporter,
  ElasticsearchSpanExporter,
  createElasticsearchClient,
} from './exporters';
export { ELASTICSEARCH_DEFAULTS, ENVIRONMENT_VARIABLES } from './config';
export { ELASTICSEARCH_OPTION_NAMES } from './options';
export type {
  ElasticsearchAuth,
  ElasticsearchExporterOptions,
  ElasticsearchMetricExporterOptions,
  ElasticsearchSetupOptions,
  ElasticsearchTlsOptions,
} from './options';
export type { BulkRecord } from './bulk/record';
export type { IndexDateSuffix, MappingMode } from './mapping/types';
