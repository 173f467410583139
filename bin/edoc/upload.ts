import { createHash } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { z } from 'zod';
import {
  createdDocumentSchema,
  type DocumentDetail,
  documentDetailSchema,
} from '#shared/documents/api-schemas.ts';
import {
  type DocumentMetadataInput,
  makeDocumentMetadataSchema,
} from '#shared/documents/metadata.ts';
import { isTerminal } from '#shared/status/document-status.ts';
import { type ApiClient, ApiError, apiClientFrom, apiOptionSpec } from './api-client.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

export type CreatedDocument = z.infer<typeof createdDocumentSchema>;
type HistoryEntry = DocumentDetail['history'][number];

/** What POST /documents needs besides the file's digest and size, which are computed. */
export type DocumentRequest = Omit<DocumentMetadataInput, 'sha256' | 'size'>;

/** Bytes handed to the connection so far, of the whole multipart body. */
export type ProgressListener = (sent: number, total: number) => void;

/** The SHA-256 of a file or buffer as a Blob, read as a stream. */
export async function sha256Of(file: Blob): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of file.stream()) hash.update(chunk);
  return hash.digest('hex');
}

/** Announces the document (POST /documents) with the file's SHA-256 and size. */
export async function announceDocument(
  client: ApiClient,
  request: DocumentRequest,
  file: Blob,
): Promise<CreatedDocument> {
  const body = { ...request, sha256: await sha256Of(file), size: file.size };
  return client.request('POST', '/documents', { body, expect: 201, schema: createdDocumentSchema });
}

/**
 * Sends the file with the pre-signed POST as a browser would: the form's fields in their order,
 * then the file last. The body is a Blob over the file, streamed with a known length (S3 refuses
 * chunked POSTs), and counted as it is read for `onProgress`.
 */
export async function postUploadForm(
  form: CreatedDocument['upload'],
  file: Blob,
  fileName: string,
  onProgress: ProgressListener = () => undefined,
): Promise<void> {
  const boundary = `----edoc-${crypto.randomUUID()}`;
  const part = (headers: string) => `--${boundary}\r\n${headers}\r\n\r\n`;
  const fields = Object.entries(form.fields)
    .map(
      ([name, value]) =>
        `${part(`Content-Disposition: form-data; name="${quote(name)}"`)}${value}\r\n`,
    )
    .join('');
  const head = part(
    `Content-Disposition: form-data; name="file"; filename="${quote(fileName)}"\r\nContent-Type: application/pdf`,
  );
  const body = new Blob([fields, head, file, `\r\n--${boundary}--\r\n`]);
  let sent = 0;
  const counted = body.stream().pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        sent += chunk.byteLength;
        controller.enqueue(chunk);
        onProgress(sent, body.size);
      },
    }),
  );
  let response: Response;
  try {
    response = await fetch(form.url, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(body.size),
      },
      body: counted,
      duplex: 'half',
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiError(0, 'UPLOAD_FAILED', `cannot send the file to ${form.url}: ${reason}`);
  }
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  const xml = await response.text().catch(() => '');
  const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
  throw new ApiError(
    response.status,
    code ?? 'UPLOAD_REFUSED',
    `the storage refused the upload${message ? `: ${message}` : ''}`,
  );
}

const quote = (text: string) => text.replace(/["\r\n\\]/g, '_');

export interface FollowOptions {
  /** Called once per history entry, in order, including those already there. */
  readonly onEntry?: (entry: HistoryEntry) => void;
  /** @default 500 */
  readonly intervalMs?: number;
  /** @default 300_000 */
  readonly timeoutMs?: number;
}

/** Polls GET /documents/{id} until the status is terminal (ROUTED or REJECTED). */
export async function followDocument(
  client: ApiClient,
  id: string,
  options: FollowOptions = {},
): Promise<DocumentDetail> {
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  let seen = 0;
  for (;;) {
    const detail = await getDocument(client, id);
    for (const entry of detail.history.slice(seen)) options.onEntry?.(entry);
    seen = Math.max(seen, detail.history.length);
    if (isTerminal(detail.status)) return detail;
    if (Date.now() > deadline) {
      throw new Error(`document ${id} is still ${detail.status}; follow it with edoc status ${id}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
}

export const getDocument = (client: ApiClient, id: string) =>
  client.request('GET', `/documents/${encodeURIComponent(id)}`, { schema: documentDetailSchema });

/** Command-line flags of the body fields, to name them in usage errors. */
const FLAG_OF: Readonly<Record<string, string>> = {
  number: '--number',
  notation: '--notation',
  typeCode: '--type',
  subject: '--subject',
  promulgationDate: '--promulgation-date',
  signer: '--signer-name/--signer-position',
  urgency: '--urgency',
  secrecy: '--secrecy',
  recipients: '--to',
};

const VIETNAM_OFFSET_MS = 7 * 3600_000;

/** Today's date in Vietnam, the latest date a document may carry. */
export const vietnamToday = (now = new Date()) =>
  new Date(now.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);

/**
 * `edoc upload`: announce, upload, then follow the document until ROUTED (exit 0) or REJECTED
 * (exit 1, with its reasons). API refusals exit 1 with their code; bad flags exit 2 before any
 * request is made.
 */
export async function uploadCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ...apiOptionSpec,
    number: { type: 'string' },
    notation: { type: 'string' },
    type: { type: 'string' },
    subject: { type: 'string' },
    to: { type: 'string' },
    urgency: { type: 'string', default: 'normal' },
    secrecy: { type: 'string', default: 'none' },
    'promulgation-date': { type: 'string' },
    'signer-name': { type: 'string' },
    'signer-position': { type: 'string' },
    'no-wait': { type: 'boolean' },
    timeout: { type: 'string', default: '300' },
  });
  const [path, ...extra] = positionals;
  if (path === undefined) throw new UsageError('the PDF file to upload is required');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  const required = {
    '--number': values.number,
    '--notation': values.notation,
    '--type': values.type,
    '--subject': values.subject,
    '--to': values.to,
    '--signer-name': values['signer-name'],
    '--signer-position': values['signer-position'],
  };
  const missing = Object.entries(required).filter(([, v]) => v === undefined);
  if (missing.length > 0) {
    throw new UsageError(`missing ${missing.map(([flag]) => flag).join(', ')}`);
  }
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  const request: DocumentRequest = {
    number: Number(values.number),
    notation: values.notation ?? '',
    typeCode: values.type ?? '',
    subject: values.subject ?? '',
    promulgationDate: values['promulgation-date'] ?? vietnamToday(),
    signer: { name: values['signer-name'] ?? '', position: values['signer-position'] ?? '' },
    urgency: values.urgency,
    secrecy: values.secrecy,
    recipients: (values.to ?? '')
      .split(',')
      .map((code) => code.trim())
      .filter((code) => code !== ''),
  };
  checkRequest(request);
  const client = apiClientFrom(values);
  const file = await openFile(path);

  const created = await announceDocument(client, request, file);
  console.log(`document ${created.id} announced`);
  for (const w of created.warnings) console.log(`  warning: ${w.field}: ${w.message}`);
  await postUploadForm(created.upload, file, basename(path), progressPrinter());
  if (values['no-wait']) {
    console.log(`uploaded; follow it with: edoc status ${created.id}`);
    return 0;
  }
  const detail = await followDocument(client, created.id, {
    timeoutMs: timeoutSeconds * 1000,
    onEntry: (e) =>
      console.log(`  ${e.status.padEnd(16)} ${e.at}  ${e.actor}${e.note ? `  ${e.note}` : ''}`),
  });
  if (detail.status === 'REJECTED') {
    console.log(`REJECTED ${detail.id}`);
    for (const r of detail.rejectionReasons) console.log(`  ${r.code}: ${r.message}`);
    return 1;
  }
  const deliveries = detail.deliveries.map((d) => `${d.recipient} (${d.state})`).join(', ');
  console.log(`ROUTED ${detail.id} to ${deliveries || 'no electronic recipient'}`);
  if (detail.paperCopy?.required) {
    console.log(`  paper copy required for ${detail.paperCopy.recipients.join(', ')}`);
  }
  return 0;
}

/** The body checked as the API will check it (but for the deployment's size limit). */
function checkRequest(request: DocumentRequest): void {
  const schema = makeDocumentMetadataSchema(Number.MAX_SAFE_INTEGER);
  const parsed = schema.safeParse({ ...request, sha256: '0'.repeat(64), size: 1 });
  if (parsed.success) return;
  const problems = parsed.error.issues.map((issue) => {
    const [field] = issue.path;
    return `${FLAG_OF[String(field)] ?? String(field)}: ${issue.message}`;
  });
  throw new UsageError(problems.join('; '));
}

async function openFile(path: string): Promise<Blob> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`${path} is not a file`);
    return await openAsBlob(path, { type: 'application/pdf' });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new UsageError(`cannot read ${path}: ${reason}`, { cause: error });
  }
}

/** One line per tenth of the body, and one at the end. */
function progressPrinter(): ProgressListener {
  let printed = -1;
  return (sent, total) => {
    const tenth = Math.floor((sent / total) * 10);
    if (tenth === printed) return;
    printed = tenth;
    console.log(`  upload ${sent} / ${total} bytes (${Math.floor((sent / total) * 100)}%)`);
  };
}
