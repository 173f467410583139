import * as z from 'zod';
import {
  adminListDocumentsQuerySchema,
  agencyCreateBodySchema,
  agencyKeyRequestSchema,
  agencyListSchema,
  agencyUpdateBodySchema,
  approvalDecisionBodySchema,
  approvalListSchema,
  approvalResultSchema,
  createdDocumentSchema,
  deletedReferenceSchema,
  deliveryPageSchema,
  documentDetailSchema,
  documentPageSchema,
  documentTypeCreateBodySchema,
  documentTypeListSchema,
  documentTypeUpdateBodySchema,
  errorEnvelopeSchema,
  healthSchema,
  inboxQuerySchema,
  installCertificateBodySchema,
  installedCertificateSchema,
  listDocumentsQuerySchema,
  recallBodySchema,
  recallResultSchema,
  receiptBodySchema,
  receiptResultSchema,
  referenceDeleteQuerySchema,
  reportListQuerySchema,
  reportListSchema,
  rolloutViewSchema,
  savedAgencySchema,
  savedDocumentTypeSchema,
  statsQuerySchema,
  statsSchema,
} from './api-schemas.ts';
import { documentMetadataSchema } from './metadata.ts';

export interface ApiResponse {
  readonly description: string;
  readonly schema?: z.ZodType;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ApiOperation {
  readonly operationId: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** In API Gateway and http-router form: `/documents/{id}`. */
  readonly path: string;
  readonly summary: string;
  /** Served without the JWT authorizer. @default false */
  readonly public?: boolean;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** A body may be left out entirely. @default false */
  readonly bodyOptional?: boolean;
  readonly responses: Readonly<Record<number, ApiResponse>>;
}

const error = (description: string): ApiResponse => ({ description, schema: errorEnvelopeSchema });
const notFound = error('Unknown, or not visible to the caller (existence is not disclosed)');
const badRequest = error('Malformed query or body; `details` names each field');
const forbidden = error('The caller may see the resource but not do this');
const reportsUnavailable = error('No reports bucket in this deployment');

/**
 * Every route of the agencies' HTTP API. The handler registers exactly these (its routing table
 * is keyed by `operationId`), the CDK construct adds exactly these to the HttpApi, and
 * `GET /openapi.json` documents exactly these.
 */
export const API_OPERATIONS = [
  {
    operationId: 'createDocument',
    method: 'POST',
    path: '/documents',
    summary: 'Announce a signed document and get its upload form',
    body: documentMetadataSchema,
    responses: {
      201: { description: 'Created', schema: createdDocumentSchema },
      400: badRequest,
      403: forbidden,
      409: error('The number and notation are already used this year'),
      422: error('Secret documents are not exchanged electronically'),
    },
  },
  {
    operationId: 'listDocuments',
    method: 'GET',
    path: '/documents',
    summary: "The caller's documents, sent (by creation) or received (by delivery), newest first",
    query: listDocumentsQuerySchema,
    responses: {
      200: {
        description: 'One page; `items` are documents when sent, deliveries when received',
        schema: z.union([documentPageSchema, deliveryPageSchema]),
      },
      400: badRequest,
    },
  },
  {
    operationId: 'getDocument',
    method: 'GET',
    path: '/documents/{id}',
    summary: 'Status, history, deliveries, verification and paper-copy flag of one document',
    responses: {
      200: { description: 'The document', schema: documentDetailSchema },
      404: notFound,
    },
  },
  {
    operationId: 'getDocumentFile',
    method: 'GET',
    path: '/documents/{id}/file',
    summary: 'Redirect to a five-minute link to the countersigned PDF',
    responses: {
      302: {
        description: 'Pre-signed GET of the countersigned PDF',
        headers: { Location: 'The pre-signed URL' },
      },
      403: forbidden,
      404: notFound,
      409: error('Not countersigned yet'),
    },
  },
  {
    operationId: 'listInbox',
    method: 'GET',
    path: '/inbox',
    summary: 'Deliveries to the caller, newest first',
    query: inboxQuerySchema,
    responses: { 200: { description: 'One page', schema: deliveryPageSchema }, 400: badRequest },
  },
  {
    operationId: 'reportReceipt',
    method: 'POST',
    path: '/documents/{id}/receipts',
    summary: 'Report an edXML status code (01–06, or 15/16 to answer a recall) on my delivery',
    body: receiptBodySchema,
    responses: {
      200: { description: 'The delivery after the report', schema: receiptResultSchema },
      400: badRequest,
      403: forbidden,
      404: notFound,
      409: error('The delivery cannot move to this code from its current state'),
    },
  },
  {
    operationId: 'recallDocument',
    method: 'POST',
    path: '/documents/{id}/recall',
    summary: 'Ask every recipient to return the document (code 13)',
    body: recallBodySchema,
    bodyOptional: true,
    responses: {
      200: { description: 'Deliveries recalled and left unchanged', schema: recallResultSchema },
      400: badRequest,
      403: forbidden,
      404: notFound,
      409: error('No delivery can still be recalled'),
    },
  },
  {
    operationId: 'listAgencyDocuments',
    method: 'GET',
    path: '/admin/documents',
    summary: "Administrators: one agency's documents, newest first",
    query: adminListDocumentsQuerySchema,
    responses: {
      200: { description: 'One page', schema: documentPageSchema },
      400: badRequest,
      403: forbidden,
    },
  },
  {
    operationId: 'listApprovals',
    method: 'GET',
    path: '/admin/approvals',
    summary: 'Administrators: rollout phase reports waiting for a decision',
    responses: {
      200: { description: 'Pending approvals', schema: approvalListSchema },
      403: forbidden,
      503: error('No rollout state machine in this deployment'),
    },
  },
  {
    operationId: 'decideApproval',
    method: 'POST',
    path: '/admin/approvals/{phaseId}',
    summary: 'Administrators: approve or reject a phase report; the rollout resumes',
    body: approvalDecisionBodySchema,
    responses: {
      200: { description: 'Decision recorded and sent', schema: approvalResultSchema },
      400: badRequest,
      403: forbidden,
      404: error('No approval for this phase'),
      409: error('Already decided, or the rollout no longer waits'),
      503: error('No rollout state machine in this deployment'),
    },
  },
  {
    operationId: 'getRollout',
    method: 'GET',
    path: '/admin/rollout',
    summary: 'Administrators: the rollout policy in force, or the official-use default',
    responses: {
      200: { description: 'The current policy and where it came from', schema: rolloutViewSchema },
      403: forbidden,
    },
  },
  {
    operationId: 'listReports',
    method: 'GET',
    path: '/admin/reports',
    summary: 'Administrators: phase reports the rollout wrote, optionally of one schedule',
    query: reportListQuerySchema,
    responses: {
      200: { description: 'One page, in key order', schema: reportListSchema },
      400: badRequest,
      403: forbidden,
      503: reportsUnavailable,
    },
  },
  {
    operationId: 'getReport',
    method: 'GET',
    path: '/admin/reports/{scheduleId}/{phaseId}/{file}',
    summary: 'Administrators: redirect to a five-minute link to one report (JSON, CSV or HTML)',
    responses: {
      302: {
        description: 'Pre-signed GET of the report object',
        headers: { Location: 'The pre-signed URL' },
      },
      403: forbidden,
      404: error('No such report'),
      503: reportsUnavailable,
    },
  },
  {
    operationId: 'getStats',
    method: 'GET',
    path: '/admin/stats',
    summary: 'Administrators: document and delivery figures over a window, grouped',
    query: statsQuerySchema,
    responses: {
      200: {
        description: 'The figures; `complete` is false when the read stopped at its bound',
        schema: statsSchema,
      },
      400: badRequest,
      403: forbidden,
    },
  },
  {
    operationId: 'provisionAgencyKey',
    method: 'POST',
    path: '/admin/agencies/{code}/key',
    summary:
      "Administrators: create the agency's KMS signing key (or return the one pending) and its CSR",
    responses: {
      200: {
        description: 'The pending key and its PKCS#10 request',
        schema: agencyKeyRequestSchema,
      },
      403: forbidden,
      404: error('No agency with this code'),
    },
  },
  {
    operationId: 'installAgencyCertificate',
    method: 'PUT',
    path: '/admin/agencies/{code}/certificate',
    summary:
      'Administrators: install the chain issued for the pending key; the agency signs with it from then on',
    body: installCertificateBodySchema,
    responses: {
      200: {
        description: 'The key in service and its certificate',
        schema: installedCertificateSchema,
      },
      400: error('Malformed body, or the chain is refused; `details` list every reason'),
      403: forbidden,
      404: error('No agency with this code'),
      409: error('No key is waiting for a certificate'),
    },
  },
  {
    operationId: 'listAgencies',
    method: 'GET',
    path: '/agencies',
    summary:
      'The agency directory (focal points, signer organizations, key references and versions for administrators only)',
    responses: { 200: { description: 'Every agency', schema: agencyListSchema } },
  },
  {
    operationId: 'listDocumentTypes',
    method: 'GET',
    path: '/document-types',
    summary: 'The document-type catalogue (with versions for administrators)',
    responses: { 200: { description: 'Every type', schema: documentTypeListSchema } },
  },
  {
    operationId: 'createAgency',
    method: 'POST',
    path: '/admin/agencies',
    summary: 'Administrators: add an agency to the directory (in force everywhere within a minute)',
    body: agencyCreateBodySchema,
    responses: {
      201: { description: 'The agency as saved, at version 1 or above', schema: savedAgencySchema },
      400: badRequest,
      403: forbidden,
      409: error('An agency with this code already exists'),
    },
  },
  {
    operationId: 'updateAgency',
    method: 'PUT',
    path: '/admin/agencies/{code}',
    summary:
      'Administrators: replace a directory entry; send the version read, or answer 409 when stale',
    body: agencyUpdateBodySchema,
    responses: {
      200: { description: 'The agency as saved', schema: savedAgencySchema },
      400: badRequest,
      403: forbidden,
      404: error('No agency with this code'),
      409: error('The version sent is stale, or another edit came first'),
    },
  },
  {
    operationId: 'deleteAgency',
    method: 'DELETE',
    path: '/admin/agencies/{code}',
    summary: 'Administrators: remove an agency (seeded ones too); `version` as for PUT',
    query: referenceDeleteQuerySchema,
    responses: {
      200: { description: 'Removed', schema: deletedReferenceSchema },
      400: badRequest,
      403: forbidden,
      404: error('No agency with this code'),
      409: error('The version sent is stale, or another edit came first'),
    },
  },
  {
    operationId: 'createDocumentType',
    method: 'POST',
    path: '/admin/document-types',
    summary: 'Administrators: add a document type to the catalogue',
    body: documentTypeCreateBodySchema,
    responses: {
      201: { description: 'The type as saved', schema: savedDocumentTypeSchema },
      400: badRequest,
      403: forbidden,
      409: error('A type with this code already exists'),
    },
  },
  {
    operationId: 'updateDocumentType',
    method: 'PUT',
    path: '/admin/document-types/{code}',
    summary: 'Administrators: replace a catalogue entry; `version` as for agencies',
    body: documentTypeUpdateBodySchema,
    responses: {
      200: { description: 'The type as saved', schema: savedDocumentTypeSchema },
      400: badRequest,
      403: forbidden,
      404: error('No document type with this code'),
      409: error('The version sent is stale, or another edit came first'),
    },
  },
  {
    operationId: 'deleteDocumentType',
    method: 'DELETE',
    path: '/admin/document-types/{code}',
    summary: 'Administrators: remove a document type (seeded ones too)',
    query: referenceDeleteQuerySchema,
    responses: {
      200: { description: 'Removed', schema: deletedReferenceSchema },
      400: badRequest,
      403: forbidden,
      404: error('No document type with this code'),
      409: error('The version sent is stale, or another edit came first'),
    },
  },
  {
    operationId: 'getHealth',
    method: 'GET',
    path: '/health',
    summary: 'Liveness of the API function; checks nothing behind it',
    public: true,
    responses: { 200: { description: 'The function answers', schema: healthSchema } },
  },
  {
    operationId: 'getOpenApi',
    method: 'GET',
    path: '/openapi.json',
    summary: 'This document',
    public: true,
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
  },
] as const satisfies readonly ApiOperation[];

export type OperationId = (typeof API_OPERATIONS)[number]['operationId'];

const COMMON_ERRORS: Readonly<Record<number, ApiResponse>> = {
  401: { description: 'No valid token (answered by API Gateway)' },
  500: error('Internal error; nothing about it is disclosed'),
};

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });

function parameters(op: ApiOperation): Record<string, unknown>[] {
  const path = [...op.path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (!op.query) return path;
  const query = jsonSchema(op.query, 'input');
  const required = new Set(Array.isArray(query.required) ? query.required : []);
  const properties = (query.properties ?? {}) as Record<string, unknown>;
  return [
    ...path,
    ...Object.entries(properties).map(([name, schema]) => ({
      name,
      in: 'query',
      required: required.has(name),
      schema,
    })),
  ];
}

/** The OpenAPI 3.1 document of `API_OPERATIONS`, schemas generated from the zod objects. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of API_OPERATIONS as readonly ApiOperation[]) {
    const responses = Object.fromEntries(
      Object.entries({ ...op.responses, ...(op.public ? {} : COMMON_ERRORS) }).map(
        ([status, r]) => [
          status,
          {
            description: r.description,
            ...(r.schema
              ? { content: { 'application/json': { schema: jsonSchema(r.schema, 'output') } } }
              : {}),
            ...(r.headers
              ? {
                  headers: Object.fromEntries(
                    Object.entries(r.headers).map(([name, description]) => [
                      name,
                      { description, schema: { type: 'string' } },
                    ]),
                  ),
                }
              : {}),
          },
        ],
      ),
    );
    paths[op.path] ??= {};
    paths[op.path] = {
      ...paths[op.path],
      [op.method.toLowerCase()]: {
        operationId: op.operationId,
        summary: op.summary,
        security: op.public ? [] : [{ agencyJwt: [] }],
        parameters: parameters(op),
        ...(op.body
          ? {
              requestBody: {
                required: !op.bodyOptional,
                content: { 'application/json': { schema: jsonSchema(op.body, 'input') } },
              },
            }
          : {}),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'edoc-hub agency API',
      version: '1.0.0',
      description:
        'Exchange of signed official documents between the agencies of the province. Tokens ' +
        'carry the agency code (`custom:agency`) and role (`custom:role`: agency or admin).',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    components: {
      securitySchemes: {
        agencyJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
    paths,
  };
}
