import type * as z from 'zod';
import {
  agencyListSchema,
  approvalListSchema,
  approvalResultSchema,
  createdDocumentSchema,
  deliveryPageSchema,
  documentDetailSchema,
  documentPageSchema,
  documentTypeListSchema,
  errorEnvelopeSchema,
  receiptResultSchema,
  reportListSchema,
  rolloutViewSchema,
  statsSchema,
} from '#shared/documents/api-schemas.ts';
import type { DocumentMetadataInput } from '#shared/documents/metadata.ts';

export type DocumentDetail = z.infer<typeof documentDetailSchema>;
export type DocumentSummary = z.infer<typeof documentPageSchema>['items'][number];
export type ReceivedDelivery = z.infer<typeof deliveryPageSchema>['items'][number];
export type Agency = z.infer<typeof agencyListSchema>['items'][number];
export type DocumentType = z.infer<typeof documentTypeListSchema>['items'][number];
export type CreatedDocument = z.infer<typeof createdDocumentSchema>;
export type Stats = z.infer<typeof statsSchema>;
export type RolloutView = z.infer<typeof rolloutViewSchema>;
export type PendingApproval = z.infer<typeof approvalListSchema>['items'][number];
export type ReportEntry = z.infer<typeof reportListSchema>['items'][number];
export type ReceiptCode = '01' | '02' | '03' | '05' | '06';
export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** An answer of the API outside 2xx, with its error envelope when it sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: readonly { field: string; message: string }[];

  constructor(status: number, code: string, message: string, details: ApiError['details'] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/**
 * The agencies' API as the console uses it: bearer token on every call, answers checked against
 * the same zod schemas the API publishes (`shared/documents/api-schemas.ts`).
 */
export class ApiClient {
  readonly #base: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;

  /** `fetchImpl` lets tests answer for the API; the browser's `fetch` otherwise. */
  constructor(baseUrl: string, token: string, fetchImpl?: typeof fetch) {
    this.#base = baseUrl.replace(/\/+$/, '');
    this.#token = token;
    this.#fetch = fetchImpl ?? ((input, init) => fetch(input, init));
  }

  async #call<T extends z.ZodType>(
    schema: T,
    method: ApiMethod,
    path: string,
    body?: unknown,
  ): Promise<z.infer<T>> {
    const response = await this.#fetch(`${this.#base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.#token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const envelope = errorEnvelopeSchema.safeParse(json);
      if (envelope.success) {
        const { code, message, details } = envelope.data.error;
        throw new ApiError(response.status, code, message, details);
      }
      throw new ApiError(response.status, `HTTP_${response.status}`, text || response.statusText);
    }
    return schema.parse(json);
  }

  /**
   * Any call of the API with the same token, answer check and errors as the methods below; for
   * screens with calls of their own (the administrator's PUT and DELETE, `admin-api.ts`).
   */
  request = <T extends z.ZodType>(schema: T, method: ApiMethod, path: string, body?: unknown) =>
    this.#call(schema, method, path, body);

  agencies = () => this.#call(agencyListSchema, 'GET', '/agencies');
  documentTypes = () => this.#call(documentTypeListSchema, 'GET', '/document-types');
  createDocument = (metadata: DocumentMetadataInput) =>
    this.#call(createdDocumentSchema, 'POST', '/documents', metadata);
  document = (id: string) =>
    this.#call(documentDetailSchema, 'GET', `/documents/${encodeURIComponent(id)}`);
  sent = (cursor?: string) =>
    this.#call(documentPageSchema, 'GET', `/documents?direction=sent${page(cursor)}`);
  inbox = (cursor?: string) => this.#call(deliveryPageSchema, 'GET', `/inbox${page(cursor, '?')}`);
  receipt = (id: string, code: ReceiptCode, reason?: string) =>
    this.#call(
      receiptResultSchema,
      'POST',
      `/documents/${encodeURIComponent(id)}/receipts`,
      reason === undefined ? { code } : { code, reason },
    );
  rollout = () => this.#call(rolloutViewSchema, 'GET', '/admin/rollout');
  stats = (query: { from: string; to: string; groupBy: 'agency' | 'channel' | 'status' }) =>
    this.#call(statsSchema, 'GET', `/admin/stats?${new URLSearchParams(query).toString()}`);
  approvals = () => this.#call(approvalListSchema, 'GET', '/admin/approvals');
  decide = (phaseId: string, decision: 'approved' | 'rejected', note?: string) =>
    this.#call(
      approvalResultSchema,
      'POST',
      `/admin/approvals/${encodeURIComponent(phaseId)}`,
      note ? { decision, note } : { decision },
    );
  reports = () => this.#call(reportListSchema, 'GET', '/admin/reports');

  /**
   * A file behind one of the API's 302 redirects (document PDF, report), fetched with the token.
   * The browser follows the redirect to the pre-signed URL and drops the token on the way when the
   * storage is another origin; that origin must allow the console by CORS.
   */
  async download(path: string): Promise<Blob> {
    const response = await this.#fetch(`${this.#base}${path}`, {
      headers: { authorization: `Bearer ${this.#token}` },
    });
    if (!response.ok) {
      throw new ApiError(response.status, `HTTP_${response.status}`, response.statusText);
    }
    return response.blob();
  }
}

const page = (cursor: string | undefined, prefix = '&') =>
  cursor === undefined ? '' : `${prefix}cursor=${encodeURIComponent(cursor)}`;
