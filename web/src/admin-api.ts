import * as z from 'zod';
import {
  agencyViewSchema,
  documentTypeListSchema,
  reportListSchema,
  statsSchema,
} from '#shared/documents/api-schemas.ts';
import type { AGENCY_KINDS, CHANNELS } from '#shared/routing/directory.ts';
import { ApiError, type ApiMethod } from './api.ts';
import type { Workspace } from './context.ts';

type Method = ApiMethod;

/** One authenticated call of the API, answered through `schema` or thrown as an `ApiError`. */
export type AdminRequest = <T extends z.ZodType>(
  schema: T,
  method: Method,
  path: string,
  body?: unknown,
) => Promise<z.infer<T>>;

/** The administrator screens' calls (PUT and DELETE too) through the console's one API client. */
export function adminRequest(workspace: Pick<Workspace, 'api'>): AdminRequest {
  return (schema, method, path, body) => workspace.api.request(schema, method, path, body);
}

const keySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('kms'), keyId: z.string() }),
  z.object({ kind: z.literal('pkcs11'), tokenLabel: z.string(), keyLabel: z.string() }),
  z.object({ kind: z.literal('file'), path: z.string() }),
]);
const chainSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('object'), key: z.string() }),
  z.object({ kind: z.literal('file'), path: z.string() }),
]);

/**
 * An agency as the directory editor lists it: the public view, plus what an administrator's list
 * may carry for editing (signer organizations, key references, the item's version).
 */
export const editableAgencySchema = agencyViewSchema.extend({
  signerOrganizations: z.array(z.string()).optional(),
  organizationSigning: z.object({ key: keySchema, certificateChain: chainSchema }).optional(),
  version: z.number().int().optional(),
});
export type EditableAgency = z.infer<typeof editableAgencySchema>;

export const editableDocumentTypeSchema = documentTypeListSchema.shape.items.element.extend({
  version: z.number().int().optional(),
});
export type EditableDocumentType = z.infer<typeof editableDocumentTypeSchema>;

export type KeyReferenceInput = z.infer<typeof keySchema>;
export type ChainReferenceInput = z.infer<typeof chainSchema>;

/** The body of `POST /admin/agencies` (and of `PUT`, with `version`). */
export interface AgencyInput {
  readonly code: string;
  readonly codeStatus: 'official' | 'illustrative';
  readonly name: string;
  readonly kind: (typeof AGENCY_KINDS)[number];
  readonly channel: (typeof CHANNELS)[number];
  readonly focalPoint: { readonly name: string; readonly email: string; readonly phone: string };
  readonly enrolment: readonly string[];
  readonly signerOrganizations: readonly string[];
  readonly organizationSigning?: {
    readonly key: KeyReferenceInput;
    readonly certificateChain: ChainReferenceInput;
  };
}

export interface DocumentTypeInput {
  readonly code: string;
  readonly name: string;
  readonly abbreviation: string | null;
  readonly issuanceForm: 'electronic-only' | 'electronic-and-paper';
  readonly retentionYears: number;
}

/** Edits answer the saved item; the screens reload their list, so any JSON body is accepted. */
const savedSchema = z.unknown();

const versionQuery = (version: number | undefined) =>
  version === undefined ? '' : `?version=${version}`;

export const listEditableAgencies = (request: AdminRequest) =>
  request(z.object({ items: z.array(editableAgencySchema) }), 'GET', '/agencies');

export const createAgency = (request: AdminRequest, agency: AgencyInput) =>
  request(savedSchema, 'POST', '/admin/agencies', agency);

export const updateAgency = (request: AdminRequest, agency: AgencyInput, version?: number) =>
  request(
    savedSchema,
    'PUT',
    `/admin/agencies/${encodeURIComponent(agency.code)}`,
    version === undefined ? agency : { ...agency, version },
  );

export const deleteAgency = (request: AdminRequest, code: string, version?: number) =>
  request(
    savedSchema,
    'DELETE',
    `/admin/agencies/${encodeURIComponent(code)}${versionQuery(version)}`,
  );

export const listEditableDocumentTypes = (request: AdminRequest) =>
  request(z.object({ items: z.array(editableDocumentTypeSchema) }), 'GET', '/document-types');

export const createDocumentType = (request: AdminRequest, type: DocumentTypeInput) =>
  request(savedSchema, 'POST', '/admin/document-types', type);

export const updateDocumentType = (
  request: AdminRequest,
  type: DocumentTypeInput,
  version?: number,
) =>
  request(
    savedSchema,
    'PUT',
    `/admin/document-types/${encodeURIComponent(type.code)}`,
    version === undefined ? type : { ...type, version },
  );

export const deleteDocumentType = (request: AdminRequest, code: string, version?: number) =>
  request(
    savedSchema,
    'DELETE',
    `/admin/document-types/${encodeURIComponent(code)}${versionQuery(version)}`,
  );

/**
 * `GET /admin/stats` with the figures the rollout report computes but the current API leaves out
 * (rejections by reason, upload-to-arrival latency): shown when the API sends them.
 */
export const dashboardStatsSchema = statsSchema;
export type DashboardStats = z.infer<typeof dashboardStatsSchema>;

export const dashboardStats = (
  request: AdminRequest,
  query: { from: string; to: string; groupBy: 'agency' | 'channel' | 'status' },
) => request(dashboardStatsSchema, 'GET', `/admin/stats?${new URLSearchParams(query).toString()}`);

/** One page of `GET /admin/reports`; `ApiClient.reports` reads the first only. */
export const listReportPage = (request: AdminRequest, cursor?: string) =>
  request(
    reportListSchema,
    'GET',
    `/admin/reports${cursor === undefined ? '' : `?cursor=${encodeURIComponent(cursor)}`}`,
  );

/** The API's answer to an edit made on a stale copy (optimistic concurrency). */
export const isStaleEdit = (error: unknown): boolean =>
  error instanceof ApiError && error.status === 409;

/** Field errors of a 400, by field path (`focalPoint.email`, `signerOrganizations[1]`). */
export function fieldErrorsOf(error: unknown): ReadonlyMap<string, string> {
  if (!(error instanceof ApiError) || error.status !== 400) return new Map();
  const out = new Map<string, string>();
  for (const { field, message } of error.details) {
    const previous = out.get(field);
    out.set(field, previous === undefined ? message : `${previous}; ${message}`);
  }
  return out;
}
