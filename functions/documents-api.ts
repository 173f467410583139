import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy, { type MiddlewareObj } from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpRouterHandler from '@middy/http-router';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import * as z from 'zod';
import { DynamoDbAgencyKeyRegistry } from '#adapters/dynamodb-agency-key-registry.ts';
import { DynamoDbApprovalDesk } from '#adapters/dynamodb-approval-desk.ts';
import { DynamoDbAuditLog } from '#adapters/dynamodb-audit-log.ts';
import { DynamoDbDocumentIndex } from '#adapters/dynamodb-document-index.ts';
import { DynamoDbReferenceStore } from '#adapters/dynamodb-reference-store.ts';
import { DynamoDbReportSource } from '#adapters/dynamodb-report-source.ts';
import { DynamoDbRolloutOverview } from '#adapters/dynamodb-rollout-overview.ts';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { KmsKeyProvisioner } from '#adapters/kms-key-provisioner.ts';
import { S3DocumentStore } from '#adapters/s3-document-store.ts';
import { S3DownloadPresigner } from '#adapters/s3-download-presigner.ts';
import { S3ReportLibrary } from '#adapters/s3-report-library.ts';
import { S3UploadPresigner } from '#adapters/s3-upload-presigner.ts';
import { SfnApprovalGateway } from '#adapters/sfn-approval-gateway.ts';
import { SqsAxisOutbox } from '#adapters/sqs-step-queue.ts';
import {
  getReportLink,
  getRollout,
  getStats,
  listReports,
} from '#shared/documents/admin-overview.ts';
import {
  API_OPERATIONS,
  buildOpenApiDocument,
  type OperationId,
} from '#shared/documents/api-contract.ts';
import type { Caller } from '#shared/documents/caller.ts';
import {
  type CreateDocumentDeps,
  type CreateDocumentResult,
  createDocument,
} from '#shared/documents/create-document.ts';
import { recallDocument, reportReceipt } from '#shared/documents/delivery-receipts.ts';
import { listAgencies, listDocumentTypes } from '#shared/documents/directory-queries.ts';
import {
  getDocument,
  getFileLink,
  listAgencyDocuments,
  listDocuments,
  listInbox,
} from '#shared/documents/document-queries.ts';
import {
  AccessDeniedError,
  AgencyKeysUnavailableError,
  ApprovalNotFoundError,
  ApprovalNotPendingError,
  ApprovalsUnavailableError,
  ApprovalTaskClosedError,
  AxisRelayError,
  CertificateRefusedError,
  DeliveryTransitionError,
  DocumentNotFoundError,
  InvalidCursorError,
  InvalidRequestError,
  NoPendingKeyError,
  NotCountersignedError,
  NothingToRecallError,
  ReportNotFoundError,
  ReportsUnavailableError,
  UnknownAgencyError,
} from '#shared/documents/errors.ts';
import type { FieldError } from '#shared/documents/field-errors.ts';
import { DEFAULT_MAX_UPLOAD_BYTES } from '#shared/documents/metadata.ts';
import {
  createAgency,
  createDocumentType,
  deleteAgency,
  deleteDocumentType,
  ReferenceExistsError,
  ReferenceNotFoundError,
  StaleReferenceError,
  updateAgency,
  updateDocumentType,
} from '#shared/documents/reference-admin.ts';
import { decideApproval, listPendingApprovals } from '#shared/documents/rollout-approvals.ts';
import { installAgencyCertificate, provisionAgencyKey } from '#shared/keys/agency-keys.ts';
import { makeS3Client } from './lib/aws-clients.ts';
import { intEnv, optionalEnv, requiredEnv } from './lib/env.ts';
import { referenceCache } from './lib/reference.ts';
import { loadTrust } from './lib/trust.ts';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

const logger = new Logger();
const tableName = requiredEnv('TABLE_NAME');
const incomingBucket = requiredEnv('INCOMING_BUCKET');
const stateMachineArn = optionalEnv('STATE_MACHINE_ARN');
const dynamodb = new DynamoDBClient({});
const s3 = makeS3Client();
const repository = new DynamoDbStatusRepository(dynamodb, tableName);
const clock = { now: () => new Date() };
const index = new DynamoDbDocumentIndex(dynamodb, tableName, {
  issuerIndex: requiredEnv('ISSUER_INDEX'),
  recipientIndex: requiredEnv('RECIPIENT_INDEX'),
});
const presigner = new S3DownloadPresigner(s3, incomingBucket);
// The state machine ARN only says the deployment has one; SendTaskSuccess needs just the token.
const approvals = stateMachineArn
  ? {
      desk: new DynamoDbApprovalDesk(dynamodb, tableName),
      gateway: new SfnApprovalGateway(new SFNClient({})),
    }
  : undefined;
const reportsBucket = optionalEnv('REPORTS_BUCKET');
const reports = reportsBucket
  ? {
      library: new S3ReportLibrary(s3, reportsBucket),
      presigner: new S3DownloadPresigner(s3, reportsBucket),
    }
  : undefined;
const reference = await referenceCache(dynamodb, tableName);
const keyStage = optionalEnv('KEY_STAGE');
// Without a stage to tag keys with, the deployment does not provision keys: the routes answer 503.
const agencyKeys = keyStage
  ? {
      reference,
      keys: new KmsKeyProvisioner(new KMSClient({}), { stage: keyStage }),
      registry: new DynamoDbAgencyKeyRegistry(dynamodb, tableName),
      clock,
      certificates: new S3DocumentStore(s3, incomingBucket),
      trust: await loadTrust(
        optionalEnv('TRUST_DIR') ?? new URL('./trust', import.meta.url).pathname,
      ),
    }
  : undefined;
const stats = {
  // Ten 1 MB scan pages at most per request, well inside the function's ten seconds.
  source: new DynamoDbReportSource(dynamodb, tableName, {
    issuerIndex: requiredEnv('ISSUER_INDEX'),
    maxScanPages: 10,
  }),
  clock,
};
const axisOutboxUrl = optionalEnv('AXIS_OUTBOX_QUEUE_URL');
// Without the axis connector there is nobody to tell: receipts stay in the hub.
const delivery = {
  repository,
  clock,
  ...(axisOutboxUrl ? { axisOutbox: new SqsAxisOutbox(new SQSClient({}), axisOutboxUrl) } : {}),
};
const rollout = new DynamoDbRolloutOverview(dynamodb, tableName);
const referenceAdmin = {
  store: new DynamoDbReferenceStore(dynamodb, tableName),
  reference,
  clock,
};
const openApi = JSON.stringify(buildOpenApiDocument());
const deps: Omit<CreateDocumentDeps, 'directory' | 'catalogue'> = {
  repository,
  audit: new DynamoDbAuditLog(dynamodb, tableName),
  presigner: new S3UploadPresigner(s3, incomingBucket),
  clock,
  newId: randomUUID,
  maxBytes: intEnv('MAX_UPLOAD_BYTES', DEFAULT_MAX_UPLOAD_BYTES),
  currentPolicy: () => rollout.currentPolicy(),
};

/** The JWT authorizer has checked signature, issuer, audience and expiry; these are its claims. */
const callerSchema = z
  .object({
    requestContext: z.object({
      authorizer: z.object({
        jwt: z.object({
          claims: z.object({
            sub: z.string().min(1).optional(),
            'custom:agency': z.string().min(1),
            'custom:role': z.enum(['agency', 'admin']),
          }),
        }),
      }),
    }),
  })
  .transform(
    ({ requestContext: { authorizer } }): Caller => ({
      agency: authorizer.jwt.claims['custom:agency'],
      role: authorizer.jwt.claims['custom:role'],
      ...(authorizer.jwt.claims.sub ? { user: authorizer.jwt.claims.sub } : {}),
    }),
  );

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

const PUBLIC_ROUTES = new Set(
  API_OPERATIONS.filter((op) => 'public' in op && op.public).map((op) => `${op.method} ${op.path}`),
);

/**
 * Every route but the public ones needs an authenticated caller; which roles a route takes, the
 * route decides.
 */
const requireCaller = (): MiddlewareObj<Event, Result> => ({
  before: ({ event }) =>
    PUBLIC_ROUTES.has(`${event.requestContext.http.method} ${event.requestContext.http.path}`) ||
    callerSchema.safeParse(event).success
      ? undefined
      : forbidden('no agency identity in the token'),
});

type DomainErrorClass = abstract new (...args: never[]) => Error;

/** Refusals of the use cases, by class: status and code of the envelope. */
const DOMAIN_ERRORS: readonly (readonly [DomainErrorClass, number, string])[] = [
  [InvalidRequestError, 400, 'INVALID_REQUEST'],
  [InvalidCursorError, 400, 'INVALID_CURSOR'],
  [AccessDeniedError, 403, 'FORBIDDEN'],
  [DocumentNotFoundError, 404, 'DOCUMENT_NOT_FOUND'],
  [ApprovalNotFoundError, 404, 'APPROVAL_NOT_FOUND'],
  [ReportNotFoundError, 404, 'REPORT_NOT_FOUND'],
  [NotCountersignedError, 409, 'NOT_COUNTERSIGNED'],
  [DeliveryTransitionError, 409, 'INVALID_TRANSITION'],
  [NothingToRecallError, 409, 'NOTHING_TO_RECALL'],
  [ApprovalNotPendingError, 409, 'APPROVAL_DECIDED'],
  [ApprovalTaskClosedError, 409, 'APPROVAL_CLOSED'],
  [ApprovalsUnavailableError, 503, 'APPROVALS_UNAVAILABLE'],
  [ReportsUnavailableError, 503, 'REPORTS_UNAVAILABLE'],
  [UnknownAgencyError, 404, 'AGENCY_NOT_FOUND'],
  [CertificateRefusedError, 400, 'CERTIFICATE_REFUSED'],
  [NoPendingKeyError, 409, 'NO_PENDING_KEY'],
  [AgencyKeysUnavailableError, 503, 'KEYS_UNAVAILABLE'],
  [AxisRelayError, 503, 'AXIS_RELAY_PENDING'],
  [ReferenceNotFoundError, 404, 'REFERENCE_NOT_FOUND'],
  [ReferenceExistsError, 409, 'REFERENCE_EXISTS'],
  [StaleReferenceError, 409, 'STALE_VERSION'],
];

function domainErrorResponse(error: unknown): Result | undefined {
  const match = DOMAIN_ERRORS.find(([type]) => error instanceof type);
  if (!match || !(error instanceof Error)) return undefined;
  const [, status, code] = match;
  return errorResponse(
    status,
    code,
    error.message,
    error instanceof InvalidRequestError || error instanceof CertificateRefusedError
      ? error.details
      : [],
  );
}

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
    if (domainErrorResponse(request.error)) return; // answered by refusals()
    const status = request.response?.statusCode ?? 500;
    const statusCode = status === 422 ? 400 : status;
    const message = statusCode >= 500 ? 'internal error' : (request.response?.body ?? '');
    request.response = errorResponse(statusCode, ERROR_CODES[statusCode] ?? 'ERROR', message);
  },
});

/**
 * Answers the use cases' refusals in the envelope. Registered last, so it runs first on error,
 * before http-error-handler replaces an error it does not know with a bare 500.
 */
const refusals = (): MiddlewareObj<Event, Result> => ({
  onError: (request) => {
    const refusal = domainErrorResponse(request.error);
    if (refusal) request.response = refusal;
  },
});

/** Client errors (404, 415, malformed JSON, refusals) are answered, not logged as failures. */
const logUnexpected = (error: Error) => {
  if (domainErrorResponse(error)) return;
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
    const result = await createDocument(
      { ...deps, ...(await reference.current()) },
      { issuer: caller.data.agency, body: event.body },
    );
    logger.info('document request handled', {
      outcome: result.kind,
      ...(result.kind === 'created' ? { documentId: result.id } : {}),
      ...(result.kind === 'refused-secret' ? { auditId: result.auditId } : {}),
    });
    return toResponse(result);
  });

/** A route for an authenticated caller, whose identity `requireCaller` has already checked. */
const route = (
  run: (event: Event, caller: Caller) => Promise<Result>,
  options: { readonly body?: 'required' | 'optional' } = {},
) => {
  const base = middy<Event, Result>();
  if (options.body === 'optional') base.use(defaultEmptyBody());
  if (options.body) base.use(httpJsonBodyParser());
  return base.handler(async (event) => {
    const caller = callerSchema.parse(event);
    logger.appendKeys({ agency: caller.agency });
    return run(event, caller);
  });
};

/** Lets a route take no body at all, as `{}`. */
const defaultEmptyBody = (): MiddlewareObj<Event, Result> => ({
  before: ({ event }) => {
    if (event.body === undefined || event.body === '') {
      event.body = '{}';
      event.headers = { ...event.headers, 'content-type': 'application/json' };
    }
  },
});

const param = (event: Event, name: string): string => event.pathParameters?.[name] ?? '';
const queryOf = (event: Event): Record<string, string | undefined> =>
  event.queryStringParameters ?? {};
const ok = (body: unknown) => json(200, body);
/** An administrator's edit of the directory or catalogue, logged with who made it. */
const saved = (statusCode: number, body: { code: string; version: number }): Result => {
  logger.info('reference data edited', { code: body.code, version: body.version });
  return json(statusCode, body);
};
const redirect = (url: string): Result => ({
  statusCode: 302,
  headers: { Location: url, 'Cache-Control': 'no-store' },
});

const ROUTES: Record<OperationId, (event: Event, context: Context) => Promise<Result>> = {
  createDocument: postDocument,
  listDocuments: route(async (event, caller) =>
    ok((await listDocuments({ index }, caller, queryOf(event))).page),
  ),
  getDocument: route(async (event, caller) =>
    ok(await getDocument({ repository }, caller, param(event, 'id'))),
  ),
  getDocumentFile: route(async (event, caller) => {
    const link = await getFileLink({ repository, presigner }, caller, param(event, 'id'));
    return redirect(link.url);
  }),
  listInbox: route(async (event, caller) => ok(await listInbox({ index }, caller, queryOf(event)))),
  reportReceipt: route(
    async (event, caller) => {
      const result = await reportReceipt(delivery, caller, param(event, 'id'), event.body).catch(
        (error: unknown) => {
          // Answered 503 like any refusal, but it is our queue failing: log it as a failure.
          if (error instanceof AxisRelayError) logger.error('axis relay failed', error);
          throw error;
        },
      );
      logger.info('receipt reported', { documentId: result.documentId, state: result.state });
      return ok(result);
    },
    { body: 'required' },
  ),
  recallDocument: route(
    async (event, caller) => {
      const result = await recallDocument(delivery, caller, param(event, 'id'), event.body);
      logger.info('document recalled', {
        documentId: result.documentId,
        recalled: result.recalled,
      });
      return ok(result);
    },
    { body: 'optional' },
  ),
  listAgencyDocuments: route(async (event, caller) =>
    ok(await listAgencyDocuments({ index }, caller, queryOf(event))),
  ),
  listApprovals: route(async (_event, caller) =>
    ok(await listPendingApprovals({ approvals, clock }, caller)),
  ),
  decideApproval: route(
    async (event, caller) => {
      const result = await decideApproval(
        { approvals, clock },
        caller,
        param(event, 'phaseId'),
        event.body,
      );
      logger.info('rollout approval decided', {
        phaseId: result.phaseId,
        decision: result.decision,
      });
      return ok(result);
    },
    { body: 'required' },
  ),
  getRollout: route(async (_event, caller) => ok(await getRollout({ rollout }, caller))),
  listReports: route(async (event, caller) =>
    ok(await listReports({ reports }, caller, queryOf(event))),
  ),
  getReport: route(async (event, caller) => {
    const link = await getReportLink({ reports }, caller, event.pathParameters ?? {});
    return redirect(link.url);
  }),
  getStats: route(async (event, caller) =>
    ok(await getStats({ ...stats, ...(await reference.current()) }, caller, queryOf(event))),
  ),
  provisionAgencyKey: route(async (event, caller) => {
    const result = await provisionAgencyKey(agencyKeys, caller, param(event, 'code'));
    logger.info('agency key requested', { agencyCode: result.agency, keyId: result.keyId });
    return ok(result);
  }),
  installAgencyCertificate: route(
    async (event, caller) => {
      const result = await installAgencyCertificate(
        agencyKeys,
        caller,
        param(event, 'code'),
        event.body,
      );
      logger.info('agency certificate installed', {
        agencyCode: result.agency,
        keyId: result.keyId,
      });
      return ok(result);
    },
    { body: 'required' },
  ),
  listAgencies: route(async (_event, caller) =>
    ok(listAgencies({ reference: await reference.current() }, caller)),
  ),
  listDocumentTypes: route(async (_event, caller) =>
    ok(listDocumentTypes({ reference: await reference.current() }, caller)),
  ),
  createAgency: route(
    async (event, caller) => saved(201, await createAgency(referenceAdmin, caller, event.body)),
    { body: 'required' },
  ),
  updateAgency: route(
    async (event, caller) =>
      saved(200, await updateAgency(referenceAdmin, caller, param(event, 'code'), event.body)),
    { body: 'required' },
  ),
  deleteAgency: route(async (event, caller) =>
    saved(200, await deleteAgency(referenceAdmin, caller, param(event, 'code'), queryOf(event))),
  ),
  createDocumentType: route(
    async (event, caller) =>
      saved(201, await createDocumentType(referenceAdmin, caller, event.body)),
    { body: 'required' },
  ),
  updateDocumentType: route(
    async (event, caller) =>
      saved(
        200,
        await updateDocumentType(referenceAdmin, caller, param(event, 'code'), event.body),
      ),
    { body: 'required' },
  ),
  deleteDocumentType: route(async (event, caller) =>
    saved(
      200,
      await deleteDocumentType(referenceAdmin, caller, param(event, 'code'), queryOf(event)),
    ),
  ),
  getHealth: async () => ok({ status: 'ok' }),
  getOpenApi: async () => ({
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: openApi,
  }),
};

export const handler = middy<Event, Result>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(requireCaller())
  .use(errorEnvelope())
  .use(httpErrorHandler({ logger: logUnexpected }))
  .use(refusals())
  .handler(
    httpRouterHandler<Event, Result>(
      API_OPERATIONS.map((op) => ({
        method: op.method,
        path: op.path,
        handler: ROUTES[op.operationId],
      })),
    ),
  );
