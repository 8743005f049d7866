import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from '../core/errors.ts';
import { redactText } from '../core/redact/index.ts';
import { ERROR_SCHEMA } from './schema.ts';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** Enclave's snake_case codes for the RFC 7644 3.12 scimType keywords. */
const SCIM_TYPES: Record<string, string> = {
  invalid_filter: 'invalidFilter',
  invalid_syntax: 'invalidSyntax',
  invalid_path: 'invalidPath',
  invalid_value: 'invalidValue',
  no_target: 'noTarget',
  mutability: 'mutability',
  uniqueness: 'uniqueness',
};

/** Fastify's own client errors that can reach a SCIM route. */
const FRAMEWORK_ERRORS: Record<string, [number, string, string | undefined]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'the request body is not valid JSON', 'invalidSyntax'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'the request body is empty', 'invalidSyntax'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'the request body is too large', undefined],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'send the body as application/scim+json', undefined],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'the Content-Length does not match the body', 'invalidSyntax'],
  FST_ERR_CTP_INVALID_TYPE: [400, 'the Content-Type header is not valid', 'invalidSyntax'],
};

export function sendScim(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  // Serialized here: Fastify's JSON serializer would be chosen by content type, and this keeps it explicit.
  return reply.status(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

function sendError(reply: FastifyReply, status: number, detail: string, scimType?: string): FastifyReply {
  const body = { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
  // Details may quote a path or key the client sent; a secret sent as one must not come back.
  return reply.status(status).type(SCIM_CONTENT_TYPE).send(redactText(JSON.stringify(body)));
}

/**
 * RFC 7644 3.12: SCIM clients get SCIM errors, not Enclave's {error:{…}} shape, for
 * everything under /scim/v2 — authentication, rate limits, bad JSON, schema mismatches —
 * and never a stack trace (WEB-08). Set inside the SCIM scope, so it also handles what the
 * app-wide hooks (request context, origin check, rate limit) throw on SCIM routes.
 */
export function registerScimErrors(scope: FastifyInstance): void {
  scope.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      reply.headers(error.headers);
      return sendError(reply, error.statusCode, error.message, SCIM_TYPES[error.code]);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issue = error.validation[0];
      const where = `${error.validationContext ?? 'request'}${issue?.instancePath ?? ''}`;
      return sendError(reply, 400, `the ${where} does not match the SCIM schema: ${issue?.message ?? 'invalid value'}`, 'invalidSyntax');
    }
    const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
    if (known) return sendError(reply, ...known);
    if (error.statusCode === 429) return sendError(reply, 429, 'too many requests; retry after the time in Retry-After');
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, error.statusCode, 'the request could not be processed');
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, 500, `something went wrong; quote request id ${request.id} when reporting it`);
  });
}
