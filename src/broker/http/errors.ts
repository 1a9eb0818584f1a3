/**
 * Errors as the REST API answers them: `{"error": {"code", "message", "field"?}}` with the HTTP
 * status that fits the code. The codes are the ones the wire protocol and the CLI use.
 */
import type { FastifyError } from 'fastify';
import { TqError } from '../../model/errors.ts';
import { RemoteError } from '../../protocol/errors.ts';

export interface ApiError {
  status: number;
  code: string;
  message: string;
  field?: string;
}

const STATUS: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  INVALID_STATE: 409,
  STALE_TOKEN: 409,
  TOO_LARGE: 413,
  STORAGE_FULL: 507,
  READ_ONLY: 503,
  CLOSED: 503,
  SHUTTING_DOWN: 503,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
  UNAUTHORIZED: 401,
};

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
  }
}

interface AjvError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** `/tasks/0/type` under `body` -> `body.tasks[0].type`; the root of a part is the part itself. */
function fieldName(part: string, instancePath: string, child?: string): string {
  const segments = instancePath.split('/').slice(1);
  if (child !== undefined) segments.push(child);
  let name = part;
  for (const segment of segments) {
    const key = segment.replaceAll('~1', '/').replaceAll('~0', '~');
    name += /^\d+$/.test(key) ? `[${key}]` : `.${key}`;
  }
  return name;
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

/** Any error a route or fastify raised, as the API answers it. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof TqError || error instanceof RemoteError) {
    return { status: STATUS[error.code] ?? 500, code: error.code, message: error.message };
  }
  const fastify = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (Array.isArray(fastify.validation) && fastify.validation.length > 0) return validationError(fastify.validationContext ?? 'request', fastify.validation);
  switch (fastify.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'TOO_LARGE', message: `the request body is over the broker's limit: send fewer or smaller tasks (${fastify.message})` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'INVALID_ARGUMENT', message: 'send the body as JSON, with Content-Type: application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'INVALID_ARGUMENT', message: 'the body is empty: send JSON, or leave out the Content-Type header' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'INVALID_ARGUMENT', message: `the body is not valid JSON: ${fastify.message}` };
  }
  if (fastify instanceof SyntaxError || (typeof fastify.statusCode === 'number' && fastify.statusCode === 400 && /JSON/.test(fastify.message))) {
    return { status: 400, code: 'INVALID_ARGUMENT', message: `the body is not valid JSON: ${fastify.message}` };
  }
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return { status: fastify.statusCode, code: 'INVALID_ARGUMENT', message: fastify.message };
  }
  return { status: 500, code: 'INTERNAL', message: `internal error: ${error instanceof Error ? error.message : String(error)}` };
}

export function errorBody(error: ApiError): { error: { code: string; message: string; field?: string } } {
  return { error: error.field === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, field: error.field } };
}
