export { LightstepMetricExporter, LightstepSpanExporter, lightstep } from './exporter';
export { INGEST_HOSTS, INGEST_PATHS, LIGHTSTEP_OPTIONS } from './options';
export type {
  LightstepExporterOptions,
  LightstepMetricExporterOptions,
  LightstepRegion,
} from './options';
export { MISSING_TOKEN, TOKEN_HEADER, TOKEN_LENGTHS, checkToken, lightstepConfig } from './config';
export type { LightstepResolved } from './config';
