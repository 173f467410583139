import * as z from 'zod';
import type {
  DocumentIndex,
  DocumentSummary,
  Page,
  ReceivedDelivery,
} from '../ports/document-index.ts';
import type { DownloadPresigner } from '../ports/download-presigner.ts';
import type {
  DeliveryRecord,
  DocumentRecord,
  StatusRepository,
} from '../ports/status-repository.ts';
import { DELIVERY_STATES, DOCUMENT_STATUSES } from '../status/document-status.ts';
import {
  adminListDocumentsQuerySchema,
  type DocumentDetail,
  inboxQuerySchema,
  listDocumentsQuerySchema,
} from './api-schemas.ts';
import { verificationSummarySchema } from './archive-manifest.ts';
import type { Caller } from './caller.ts';
import {
  AccessDeniedError,
  DocumentNotFoundError,
  InvalidRequestError,
  NotCountersignedError,
} from './errors.ts';
import { fieldErrors } from './field-errors.ts';

/** How long the link to a countersigned PDF stays valid. */
export const FILE_LINK_SECONDS = 300;

export type Access = 'issuer' | 'recipient' | 'admin';

export interface LoadedDocument {
  readonly record: DocumentRecord;
  readonly deliveries: readonly DeliveryRecord[];
  readonly access: Access;
}

const documentIdSchema = z.string().min(1).max(128);

/**
 * Reads a document for the caller: its issuer, an agency it was delivered to, or an
 * administrator. Anyone else gets DocumentNotFoundError, exactly as for an unknown id.
 */
export async function loadDocument(
  repository: Pick<StatusRepository, 'get' | 'deliveries'>,
  caller: Caller,
  id: string,
): Promise<LoadedDocument> {
  if (!documentIdSchema.safeParse(id).success) throw new DocumentNotFoundError(id);
  const record = await repository.get(id);
  if (record === undefined) throw new DocumentNotFoundError(id);
  const deliveries = await repository.deliveries(id);
  const access: Access | undefined =
    record.issuer === caller.agency
      ? 'issuer'
      : deliveries.some((d) => d.recipient === caller.agency)
        ? 'recipient'
        : caller.role === 'admin'
          ? 'admin'
          : undefined;
  if (access === undefined) throw new DocumentNotFoundError(id);
  return { record, deliveries, access };
}

/** Parses a query or body, refusing it with one detail per problem field. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new InvalidRequestError(fieldErrors(parsed.error));
  return parsed.data;
}

export interface ListDeps {
  readonly index: DocumentIndex;
}

export type DocumentList =
  | { readonly direction: 'sent'; readonly page: Page<DocumentSummary> }
  | { readonly direction: 'received'; readonly page: Page<ReceivedDelivery> };

/** `GET /documents`: the caller's own documents, sent or received, never another agency's. */
export async function listDocuments(
  deps: ListDeps,
  caller: Caller,
  query: unknown,
): Promise<DocumentList> {
  const { direction, status, from, to, limit, cursor } = parseRequest(
    listDocumentsQuerySchema,
    query,
  );
  const range = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  const page = { limit, ...(cursor ? { cursor } : {}) };
  if (direction === 'sent') {
    const sentStatus = z.enum(DOCUMENT_STATUSES).optional().safeParse(status);
    if (!sentStatus.success) {
      throw new InvalidRequestError([
        { field: 'status', message: `must be one of ${DOCUMENT_STATUSES.join(', ')}` },
      ]);
    }
    return {
      direction,
      page: await deps.index.sentBy(caller.agency, {
        ...range,
        ...page,
        ...(sentStatus.data ? { status: sentStatus.data } : {}),
      }),
    };
  }
  const state = z.enum(DELIVERY_STATES).optional().safeParse(status);
  if (!state.success) {
    throw new InvalidRequestError([
      { field: 'status', message: `must be one of ${DELIVERY_STATES.join(', ')}` },
    ]);
  }
  return {
    direction,
    page: await deps.index.receivedBy(caller.agency, {
      ...range,
      ...page,
      ...(state.data ? { status: state.data } : {}),
    }),
  };
}

/** `GET /inbox`: deliveries to the caller, newest first. */
export async function listInbox(
  deps: ListDeps,
  caller: Caller,
  query: unknown,
): Promise<Page<ReceivedDelivery>> {
  const { limit, cursor } = parseRequest(inboxQuerySchema, query);
  return deps.index.receivedBy(caller.agency, { limit, ...(cursor ? { cursor } : {}) });
}

/** `GET /admin/documents`: any agency's documents, for administrators only. */
export async function listAgencyDocuments(
  deps: ListDeps,
  caller: Caller,
  query: unknown,
): Promise<Page<DocumentSummary>> {
  requireAdmin(caller);
  const { agency, status, from, to, limit, cursor } = parseRequest(
    adminListDocumentsQuerySchema,
    query,
  );
  return deps.index.sentBy(agency, {
    limit,
    ...(status ? { status } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(cursor ? { cursor } : {}),
  });
}

export function requireAdmin(caller: Caller): void {
  if (caller.role !== 'admin') throw new AccessDeniedError('this route is for administrators');
}

const attributesViewSchema = z.looseObject({
  subject: z.string().optional(),
  typeCode: z.string().optional(),
  urgency: z.string().optional(),
  promulgationDate: z.string().optional(),
  signer: z.object({ name: z.string(), position: z.string() }).optional(),
  recipients: z.array(z.string()).default([]),
});
const routingViewSchema = z.object({
  paperCopyRequired: z.boolean(),
  paperRecipients: z.array(z.string()).default([]),
});
const rejectionViewSchema = z.object({
  reasons: z.array(z.object({ code: z.string(), message: z.string() })),
});
const countersignedViewSchema = z.object({ key: z.string().min(1) });

/** `GET /documents/{id}`: status, history, deliveries and what the pipeline found. */
export async function getDocument(
  deps: { readonly repository: Pick<StatusRepository, 'get' | 'deliveries'> },
  caller: Caller,
  id: string,
): Promise<DocumentDetail> {
  const { record, deliveries, access } = await loadDocument(deps.repository, caller, id);
  const { subject, typeCode, urgency, promulgationDate, signer, recipients } =
    attributesViewSchema.parse(record.attributes);
  const verification = verificationSummarySchema.safeParse(record.results['verification']);
  const routing = routingViewSchema.safeParse(record.results['routing']);
  const rejection = rejectionViewSchema.safeParse(record.results['rejection']);
  const visible =
    access === 'recipient' ? deliveries.filter((d) => d.recipient === caller.agency) : deliveries;
  return {
    id: record.id,
    issuer: record.issuer,
    year: record.year,
    number: record.number,
    notation: record.notation,
    ...(subject === undefined ? {} : { subject }),
    ...(typeCode === undefined ? {} : { typeCode }),
    ...(urgency === undefined ? {} : { urgency }),
    ...(promulgationDate === undefined ? {} : { promulgationDate }),
    ...(signer === undefined ? {} : { signer }),
    // A recipient learns who else received the document from the document itself, as on paper.
    recipients,
    status: record.status,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    history: record.history.map((h) => ({ ...h })),
    deliveries: visible.map(({ recipient, channel, state, updatedAt, reason }) => ({
      recipient,
      channel,
      state,
      updatedAt,
      ...(reason === undefined ? {} : { reason }),
    })),
    verification: verification.success ? verification.data : null,
    paperCopy: routing.success
      ? { required: routing.data.paperCopyRequired, recipients: routing.data.paperRecipients }
      : null,
    rejectionReasons: rejection.success ? rejection.data.reasons : [],
    countersigned: countersignedViewSchema.safeParse(record.results['countersigned']).success,
  };
}

/**
 * `GET /documents/{id}/file`: a short-lived link to the countersigned PDF, for the issuer and
 * the recipients it was delivered to electronically. Administrators see the record, not the file.
 */
export async function getFileLink(
  deps: {
    readonly repository: Pick<StatusRepository, 'get' | 'deliveries'>;
    readonly presigner: DownloadPresigner;
  },
  caller: Caller,
  id: string,
): Promise<{ readonly url: string; readonly expiresSeconds: number }> {
  const { record, deliveries, access } = await loadDocument(deps.repository, caller, id);
  if (access === 'admin') {
    throw new AccessDeniedError('only the issuer and the recipients download the file');
  }
  const own = deliveries.find((d) => d.recipient === caller.agency);
  if (access === 'recipient' && own?.state === 'UNDELIVERABLE') {
    throw new AccessDeniedError('this document reaches your agency on paper');
  }
  const countersigned = countersignedViewSchema.safeParse(record.results['countersigned']);
  if (!countersigned.success) throw new NotCountersignedError(id);
  const url = await deps.presigner.presignGet(countersigned.data.key, {
    expiresSeconds: FILE_LINK_SECONDS,
  });
  return { url, expiresSeconds: FILE_LINK_SECONDS };
}
