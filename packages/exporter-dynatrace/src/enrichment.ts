import { readFileSync } from 'node:fs';
import { setOwnField } from '@otelpack/batching-core';

/*
 * A OneAgent on the host answers a read of these "indirection" files with the path of a file
 * describing the process (dt.entity.process_group_instance, dt.entity.host, …); without a
 * OneAgent they do not exist. The JavaScript utilities read the JSON form, the Java ones the
 * properties form, then a fixed file that newer OneAgents write; all three are tried in that order.
 */
export const JSON_INDIRECTION_FILE = 'dt_metadata_e617c525669e072eebe3d0f08212e8f2.json';
export const PROPERTIES_INDIRECTION_FILE =
  'dt_metadata_e617c525669e072eebe3d0f08212e8f2.properties';
export const HOST_METADATA_FILE = '/var/lib/dynatrace/enrichment/dt_metadata.properties';

export type ReadText = (path: string) => string;

const readText: ReadText = (path) => readFileSync(path, 'utf8');

/** `key=value` lines; `#` and `!` comments, blank lines and entries with an empty side left out. */
export function parseProperties(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const at = line.search(/[=:]/);
    if (at <= 0) continue;
    const key = line.slice(0, at).trim();
    const value = line.slice(at + 1).trim();
    // Assigned, a key named `__proto__` would be lost (setOwnField says why).
    if (key !== '' && value !== '') setOwnField(result, key, value);
  }
  return result;
}

function stringEntries(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return result;
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (key !== '' && typeof entry === 'string' && entry !== '') setOwnField(result, key, entry);
  }
  return result;
}

/** The first line of an indirection file: the path the OneAgent gives, or undefined. */
function indirect(file: string, read: ReadText): string | undefined {
  try {
    const target = read(file).split(/\r?\n/)[0].trim();
    return target === '' ? undefined : target;
  } catch {
    return undefined;
  }
}

/**
 * The OneAgent's metadata for this process, or `{}` where there is no OneAgent (or its files
 * cannot be read: enrichment is a bonus, never a reason not to export).
 */
export function readOneAgentMetadata(read: ReadText = readText): Record<string, string> {
  const jsonTarget = indirect(JSON_INDIRECTION_FILE, read);
  if (jsonTarget !== undefined) {
    try {
      return stringEntries(JSON.parse(read(jsonTarget)));
    } catch {
      // fall through to the properties form
    }
  }
  const propertiesTarget = indirect(PROPERTIES_INDIRECTION_FILE, read) ?? HOST_METADATA_FILE;
  try {
    return parseProperties(read(propertiesTarget));
  } catch {
    return {};
  }
}
