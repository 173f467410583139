import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy, { type MiddlewareObj } from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { DynamoDbAuditLog } from '#adapters/dynamodb-audit-log.ts';
import { readRolloutPolicy } from '#adapters/dynamodb-rollout-policy.ts';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { S3UploadPresigner } from '#adapters/s3-upload-presigner.ts';
import {
  type CreateDocumentDeps,
  type CreateDocumentResult,
  createDocument,
} from '#shared/documents/create-document.ts';
import type { FieldError } from '#shared/documents/field-errors.ts';
import { DEFAULT_MAX_UPLOAD_BYTES } from '#shared/documents/metadata.ts';
import { SEED_DOCUMENT_TYPES } from '#shared/routing/seed-document-types.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';
import { makeS3Client } from './lib/aws-clients.ts';
import { intEnv, requiredEnv } from './lib/env.ts';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

const logger = new Logger();
const tableName = requiredEnv('TABLE_NAME');
const dynamodb = new DynamoDBClient({});
const deps: CreateDocumentDeps = {
  repository: new DynamoDbStatusRepository(dynamodb, tableName),
  audit: new DynamoDbAuditLog(dynamodb, tableName),
  presigner: new S3UploadPresigner(makeS3Client(), requiredEnv('INCOMING_BUCKET')),
  clock: { now: () => new Date() },
  newId: randomUUID,
  directory: QUANG_NGAI_DIRECTORY,
  catalogue: SEED_DOCUMENT_TYPES,
  maxBytes: intEnv('MAX_UPLOAD_BYTES', DEFAULT_MAX_UPLOAD_BYTES),
  currentPolicy: () => readRolloutPolicy(dynamodb, tableName),
};

/** The JWT authorizer has checked signature, issuer, audience and expiry; these are its claims. */
const callerSchema = z
  .object({
    requestContext: z.object({
      authorizer: z.object({
        jwt: z.object({
          claims: z.object({
            'custom:agency': z.string().min(1),
            'custom:role': z.enum(['agency', 'admin']),
          }),
        }),
      }),
    }),
  })
  .transform(({ requestContext }) => ({
    agency: requestContext.authorizer.jwt.claims['custom:agency'],
    role: requestContext.authorizer.jwt.claims['custom:role'],
  }));

const json = (statusCode: number, body: unknown): Result => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

const errorResponse = (
  statusCode: number,
  code: string,
  message: string,
  details: readonly FieldError[] = [],
  extra: Record<string, unknown> = {},
): Result => json(statusCode, { error: { code, message, details, ...extra } });

const forbidden = (message: string) => errorResponse(403, 'FORBIDDEN', message);

function toResponse(result: CreateDocumentResult): Result {
  switch (result.kind) {
    case 'created':
      return {
        ...json(201, { id: result.id, upload: result.upload, warnings: result.warnings }),
        headers: { 'Content-Type': 'application/json', Location: `/documents/${result.id}` },
      };
    case 'invalid':
      return errorResponse(400, 'INVALID_DOCUMENT', 'the document is not valid', result.details);
    case 'forbidden':
      return forbidden(result.message);
    case 'duplicate':
      return errorResponse(
        409,
        'DUPLICATE_NUMBER',
        'this number and notation are already used this year',
        [{ field: 'number', message: `is already used by document ${result.existingId}` }],
        { existingId: result.existingId },
      );
    case 'refused-secret':
      return errorResponse(
        422,
        'SECRET_DOCUMENT_REFUSED',
        'secret documents are not exchanged electronically (Decision 28/2018/QĐ-TTg); the attempt is recorded',
      );
  }
}

/** Every route needs an authenticated caller; which roles a route takes, the route decides. */
const requireCaller = (): MiddlewareObj<Event, Result> => ({
  before: ({ event }) =>
    callerSchema.safeParse(event).success
      ? undefined
      : forbidden('no agency identity in the token'),
});

const ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'MALFORMED_BODY',
  404: 'NOT_FOUND',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  500: 'INTERNAL_ERROR',
};

/**
 * Runs after http-error-handler (middy runs onError last-registered first) and puts its status
 * and exposed message into the API's error envelope. Thrown 422s come only from the JSON body
 * parser, so they are malformed bodies: 400 here, leaving 422 to the secret-document refusal.
 */
const errorEnvelope = (): MiddlewareObj<Event, Result> => ({
  onError: (request) => {
    const status = request.response?.statusCode ?? 500;
    const statusCode = status === 422 ? 400 : status;
    const message = statusCode >= 500 ? 'internal error' : (request.response?.body ?? '');
    request.response = errorResponse(statusCode, ERROR_CODES[statusCode] ?? 'ERROR', message);
  },
});

/** Client errors (404, 415, malformed JSON) are answered, not logged as failures. */
const logUnexpected = (error: Error) => {
  const status = 'statusCode' in error ? Number(error.statusCode) : 500;
  if (status >= 500) logger.error('request failed', error);
};

const postDocument = middy<Event, Result>()
  .use(httpJsonBodyParser())
  .handler(async (event) => {
    const caller = callerSchema.safeParse(event);
    if (!caller.success) return forbidden('no agency identity in the token');
    if (caller.data.role !== 'agency') return forbidden('only an agency account issues documents');
    logger.appendKeys({ agency: caller.data.agency });
    const result = await createDocument(deps, { issuer: caller.data.agency, body: event.body });
    logger.info('document request handled', {
      outcome: result.kind,
      ...(result.kind === 'created' ? { documentId: result.id } : {}),
      ...(result.kind === 'refused-secret' ? { auditId: result.auditId } : {}),
    });
    return toResponse(result);
  });

export const handler = middy<Event, Result>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(requireCaller())
  .use(errorEnvelope())
  .use(httpErrorHandler({ logger: logUnexpected }))
  .handler(
    httpRouterHandler<Event, Result>([
      { method: 'POST', path: '/documents', handler: postDocument },
    ]),
  );
