import { readFields } from './protobuf/reader';

/*
 * OTLP/HTTP's answers (opentelemetry-proto's collector/*_service.proto and google/rpc/status.proto):
 *
 *   Export{Trace,Logs,Metrics}ServiceResponse { Export…PartialSuccess partial_success = 1; }
 *   Export…PartialSuccess { int64 rejected_{spans,log_records,data_points} = 1; string error_message = 2; }
 *   google.rpc.Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
 *
 * in protobuf or JSON, as the Content-Type says. A body that does not decode is no partial
 * success (the request was accepted) and, on an error status, its text is the reason.
 */

export interface PartialSuccess {
  rejected: number;
  errorMessage: string;
}

/** gRPC's code names, for a reason a person reads. */
const RPC_CODES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

function isJson(contentType: string | undefined): boolean {
  return /\bjson\b/i.test(contentType ?? '');
}

function isProtobuf(contentType: string | undefined): boolean {
  return /protobuf/i.test(contentType ?? '');
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The partial success of a 2xx answer; undefined when there is none (full success). */
export function readPartialSuccess(
  body: Buffer,
  contentTypeHeader: string | string[] | undefined,
): PartialSuccess | undefined {
  if (body.length === 0) return undefined;
  const contentType = header(contentTypeHeader);
  try {
    if (isJson(contentType) || (!isProtobuf(contentType) && body[0] === 0x7b)) {
      const parsed = JSON.parse(body.toString('utf8')) as {
        partialSuccess?: Record<string, unknown>;
        partial_success?: Record<string, unknown>;
      };
      const partial = parsed?.partialSuccess ?? parsed?.partial_success;
      if (!partial || typeof partial !== 'object') return undefined;
      const count = Object.entries(partial).find(([key]) => /^rejected/i.test(key))?.[1];
      const message = partial.errorMessage ?? partial.error_message;
      const rejected = Number(count ?? 0);
      return {
        rejected: Number.isFinite(rejected) && rejected > 0 ? rejected : 0,
        errorMessage: typeof message === 'string' ? message : '',
      };
    }
    const outer = readFields(body).find((f) => f.field === 1 && f.bytes);
    if (!outer?.bytes) return undefined;
    let rejected = 0;
    let errorMessage = '';
    for (const field of readFields(outer.bytes)) {
      if (field.field === 1 && field.value !== undefined) rejected = field.value;
      if (field.field === 2 && field.bytes) errorMessage = field.bytes.toString('utf8');
    }
    // A negative int64 reads as a huge varint: no count the receiver could mean.
    if (rejected > Number.MAX_SAFE_INTEGER / 2) rejected = 0;
    return { rejected, errorMessage };
  } catch {
    return undefined;
  }
}

/**
 * The reason an error answer gives: a google.rpc.Status's code and message when the body is
 * one, else the start of the body's text.
 */
export function readErrorReason(
  body: Buffer,
  contentTypeHeader: string | string[] | undefined,
): string {
  if (body.length === 0) return '';
  const contentType = header(contentTypeHeader);
  let status: { code?: number; message?: string } | undefined;
  try {
    if (isJson(contentType)) {
      const parsed = JSON.parse(body.toString('utf8')) as { code?: unknown; message?: unknown };
      if (parsed && typeof parsed === 'object') {
        status = {
          ...(typeof parsed.code === 'number' ? { code: parsed.code } : {}),
          ...(typeof parsed.message === 'string' ? { message: parsed.message } : {}),
        };
      }
    } else if (isProtobuf(contentType)) {
      status = {};
      for (const field of readFields(body)) {
        if (field.field === 1 && field.value !== undefined) status.code = field.value;
        if (field.field === 2 && field.bytes) status.message = field.bytes.toString('utf8');
      }
    }
  } catch {
    status = undefined;
  }
  if (status && (status.message !== undefined || status.code !== undefined)) {
    const code =
      status.code !== undefined ? ` (${RPC_CODES[status.code] ?? `code ${status.code}`})` : '';
    return `${status.message ?? ''}${code}`.trim();
  }
  const text = body.subarray(0, 512).toString('utf8').replace(/\s+/g, ' ').trim();
  return body.length > 512 ? `${text}…` : text;
}
