import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from '../core/errors.ts';
import { redactText } from '../core/redact/index.ts';
import type { HeaderWriter } from './security-headers.ts';

export interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: unknown };
}

/** Fastify's own client errors, mapped to stable codes with messages that echo nothing. */
const FASTIFY_CLIENT_ERRORS: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json', 'the request body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json', 'the request body is empty but declared as JSON'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body_too_large', 'the request body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'send the body as application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_content_length', 'the Content-Length does not match the body'],
  FST_ERR_CTP_INVALID_TYPE: [400, 'invalid_content_type', 'the Content-Type header is not valid'],
  FST_ERR_BAD_URL: [400, 'invalid_url', 'the request URL is not valid'],
  FST_ERR_ASYNC_CONSTRAINT: [400, 'invalid_request', 'the request could not be routed'],
};

function send(reply: FastifyReply, request: FastifyRequest, status: number, code: string, message: string, details?: unknown) {
  const body: ErrorBody = { error: { code, message, requestId: request.id, ...(details === undefined ? {} : { details }) } };
  // Validation details quote field names from the request; a secret sent as a key must not come back.
  return reply.status(status).type('application/json').send(redactText(JSON.stringify(body)));
}

function validationDetails(error: FastifyError): unknown {
  if (!hasZodFastifySchemaValidationErrors(error)) return undefined;
  return error.validation.map((issue) => ({
    location: error.validationContext ?? 'request',
    path: issue.instancePath || '/',
    message: issue.message ?? 'invalid value',
  }));
}

/**
 * Fastify answers a malformed URL before routing, outside the error handler; this gives
 * that answer the same body as every other error.
 */
export function frameworkErrorHandler(writeHeaders: HeaderWriter) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    writeHeaders(reply.raw);
    const [status, code, message] = FASTIFY_CLIENT_ERRORS[error.code] ?? [400, 'bad_request', 'the request could not be processed'];
    return send(reply, request, status, code, message);
  };
}

/** WEB-08: clients get `{error: {code, message, requestId}}` and never a stack, SQL, path or secret. */
export function registerErrorHandling(app: FastifyInstance, notFoundLimit: preHandlerHookHandler): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      reply.headers(error.headers);
      return send(reply, request, error.statusCode, error.code, error.message);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      return send(reply, request, 400, 'invalid_request', 'the request does not match the schema', validationDetails(error));
    }
    const known = error.code ? FASTIFY_CLIENT_ERRORS[error.code] : undefined;
    if (known) return send(reply, request, ...known);
    if (error.statusCode === 429) {
      return send(reply, request, 429, 'rate_limited', 'too many requests; retry after the time in Retry-After');
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return send(reply, request, error.statusCode, 'bad_request', 'the request could not be processed');
    }
    request.log.error({ err: error }, 'unhandled error');
    return send(reply, request, 500, 'internal_error', 'something went wrong; quote the request id when reporting it');
  });
  app.setNotFoundHandler({ preHandler: notFoundLimit }, (request, reply) =>
    send(reply, request, 404, 'not_found', 'no such route'),
  );
}
