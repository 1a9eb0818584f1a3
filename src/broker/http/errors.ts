/**
 * Errors as the REST API answers them: `{"error": {"code", "message", "field"?}}` with the HTTP
 * status that fits the code. The codes are the ones the wire protocol and the CLI use.
 */
import type { FastifyError } from 'fastify';
import { type ErrorCode, TqError } from '../../model/errors.ts';
import { RemoteError } from '../../protocol/errors.ts';

export interface ApiError {
  status: number;
  code: string;
  message: string;
  field?: string;
}

/** Every model code has a status (the compiler checks none is left out); protocol codes beside them. */
const MODEL_STATUS: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  TOO_LARGE: 413,
  STALE_TOKEN: 409,
  INVALID_STATE: 409,
  STORAGE_FULL: 507,
  STORAGE_ERROR: 500,
  DATA_DIR_LOCKED: 503,
  UNSUPPORTED_FORMAT: 500,
  DATA_CORRUPT: 500,
  READ_ONLY: 503,
  CLOSED: 503,
};

const STATUS: Record<string, number> = {
  ...MODEL_STATUS,
  SHUTTING_DOWN: 503,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
  UNAUTHORIZED: 401,
};

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;

  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    if (field !== undefined) this.field = field;
  }
}

interface AjvError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** `body` and `tasks`, `0`, `type` -> `body.tasks[0].type`. */
export function fieldPath(part: string, keys: readonly string[]): string {
  let name = part;
  for (const key of keys) name += /^\d+$/.test(key) ? `[${key}]` : `.${key}`;
  return name;
}

/** `/tasks/0/type` under `body` -> `body.tasks[0].type`; the root of a part is the part itself. */
function fieldName(part: string, instancePath: string, child?: string): string {
  const keys = instancePath.split('/').slice(1).map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (child !== undefined) keys.push(child);
  return fieldPath(part, keys);
}

/**
 * The error that says most about a failed validation. Ajv reports every branch of a oneOf/anyOf:
 * a branch whose type does not even match the value says nothing, so those are dropped.
 */
function mostTelling(errors: AjvError[]): AjvError {
  const branchy = (error: AjvError) => error.keyword === 'oneOf' || error.keyword === 'anyOf';
  const meaningful = errors.filter((error) => !branchy(error));
  const deeper = meaningful.filter(
    (error) => error.keyword !== 'type' || !/\/(oneOf|anyOf)\/\d+\/type$/.test(error.schemaPath) || meaningful.every((other) => other.keyword === 'type'),
  );
  return deeper[0] ?? meaningful[0] ?? errors[0]!;
}

export function validationError(part: string, errors: AjvError[]): ApiError {
  const error = mostTelling(errors);
  const branchTypes = errors.filter((other) => other.keyword === 'type' && other.instancePath === error.instancePath && /\/(oneOf|anyOf)\/\d+\/type$/.test(other.schemaPath));
  if (error.keyword === 'type' && branchTypes.length > 1) {
    const field = fieldName(part, error.instancePath);
    return { status: 400, code: 'INVALID_ARGUMENT', message: `${field} must be ${branchTypes.map((other) => String(other.params.type)).join(' or ')}`, field };
  }
  const params = error.params;
  let field = fieldName(part, error.instancePath);
  let message: string;
  switch (error.keyword) {
    case 'required':
      field = fieldName(part, error.instancePath, String(params.missingProperty));
      message = `${field} is required`;
      break;
    case 'additionalProperties':
      field = fieldName(part, error.instancePath, String(params.additionalProperty));
      message = `${field} is not a known field`;
      break;
    case 'enum':
      message = `${field} must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`;
      break;
    case 'pattern':
      message = /A-Za-z0-9/.test(String(params.pattern))
        ? `${field} must be 1-128 characters from A-Z a-z 0-9 . _ : -`
        : `${field} must match ${String(params.pattern)}`;
      break;
    case 'oneOf':
    case 'anyOf':
      message = `${field} has the wrong shape: see /api/v1/openapi.json`;
      break;
    default:
      message = `${field} ${error.message ?? 'is invalid'}`;
  }
  return { status: 400, code: 'INVALID_ARGUMENT', message, field };
}

/**
 * Any error a route or fastify raised, as the API answers it; `contentType` is the request's, to
 * name in a refusal of its body.
 */
export function toApiError(error: unknown, contentType?: string): ApiError {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message, ...(error.field === undefined ? {} : { field: error.field }) };
  if (error instanceof TqError && error.field !== undefined) return { status: STATUS[error.code] ?? 500, code: error.code, message: error.message, field: error.field };
  if (error instanceof TqError || error instanceof RemoteError) {
    return { status: STATUS[error.code] ?? 500, code: error.code, message: error.message };
  }
  const fastify = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (Array.isArray(fastify.validation) && fastify.validation.length > 0) return validationError(fastify.validationContext ?? 'request', fastify.validation);
  switch (fastify.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'TOO_LARGE', message: `the request body is over the broker's limit: send fewer or smaller tasks (${fastify.message})` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        code: 'INVALID_ARGUMENT',
        message: `${contentType ? `the body is ${shown(contentType, 80)}` : 'the body has no Content-Type'}: send it as JSON, with Content-Type: application/json`,
      };
  }
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return { status: fastify.statusCode, code: 'INVALID_ARGUMENT', message: fastify.message };
  }
  return { status: 500, code: 'INTERNAL', message: `internal error: ${error instanceof Error ? error.message : String(error)}` };
}

/** Text from a request, cut to `max` characters for a message. */
export function shown(text: string, max = 200): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

export function errorBody(error: ApiError): { error: { code: string; message: string; field?: string } } {
  return { error: error.field === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, field: error.field } };
}
