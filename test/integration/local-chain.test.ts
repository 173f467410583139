import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import type { DocumentRecord } from '#ports/status-repository.ts';
import { archiveManifestKey, archiveManifestSchema } from '#shared/documents/archive-manifest.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';
import { parsePemBundle } from '#signature/certificates.ts';
import { toPem } from '#signature/csr.ts';
import { DEFAULT_POLICY } from '#signature/policy.ts';
import { validatePdf } from '#signature/validate-pdf.ts';
import { makeSignaturePki, type SignaturePki } from '#test/support/signing-pki.ts';
import { type DevAuth, loadDevAuth, signDevToken } from '../../scripts/local/dev-token.ts';
import { localCredentials, localRegion } from '../../scripts/local/emulators.ts';
import { type LocalStack, startLocalStack } from '../../scripts/local/local-stack.ts';
import { makeOrgIdentity, type OrgIdentity } from '../unit/countersign/signing-fixture.ts';
import { makeSignedPdf } from '../unit/signature/signed-pdf.ts';

const ISSUER = '000.00.08.H48'; // Sở Thông tin và Truyền thông (seed)
const RECIPIENT = '000.00.02.H48'; // Sở Nội vụ, a provincial inbox
const clientConfig = { region: localRegion, credentials: localCredentials };

let dir: string;
let pki: SignaturePki;
let org: OrgIdentity;
let auth: DevAuth;
let stack: LocalStack;
let api: string;
let s3: S3Client;
let dynamodb: DynamoDBClient;
let repository: DynamoDbStatusRepository;

/**
 * A directory file like the one `npm start` writes: the seed, with the issuer's organization key
 * and chain as files (relative paths, resolved from the file's folder) and the test PKI's
 * organization registered as one its leaders sign under.
 */
async function writeDirectory(): Promise<string> {
  await writeFile(join(dir, 'keys', 'org.key'), org.keyPem, { mode: 0o600 });
  await writeFile(
    join(dir, 'keys', 'org-chain.pem'),
    org.chain.map((der) => toPem(der, 'CERTIFICATE')).join(''),
  );
  const agencies = QUANG_NGAI_DIRECTORY.agencies.map((a) =>
    a.code === ISSUER
      ? {
          ...a,
          signerOrganizations: [...a.signerOrganizations, 'Sở TT&TT thử nghiệm'],
          organizationSigning: {
            key: { kind: 'file', path: 'keys/org.key' },
            certificateChain: { kind: 'file', path: 'keys/org-chain.pem' },
          },
        }
      : a,
  );
  const file = join(dir, 'directory.json');
  await writeFile(file, JSON.stringify(agencies));
  return file;
}

/** Trust for the verify step: the leader's root as anchor, its intermediate as a pool member. */
async function writeTrust(): Promise<string> {
  const trust = join(dir, 'trust');
  await mkdir(join(trust, 'anchors'), { recursive: true });
  await mkdir(join(trust, 'intermediates'), { recursive: true });
  await copyFile(pki.root.certFile, join(trust, 'anchors', 'test-root.pem'));
  await copyFile(pki.intermediate.certFile, join(trust, 'intermediates', 'test-intermediate.pem'));
  return trust;
}

const leaderSigned = () =>
  makeSignedPdf({ sign: (content) => pki.sign({ signer: pki.rsaSigner, content, cades: true }) });

const today = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

let nextNumber = 100;
function requestFor(pdf: Buffer, overrides: Record<string, unknown> = {}) {
  nextNumber += 1;
  return {
    number: nextNumber,
    notation: 'STTTT-VP',
    typeCode: 'cong-van',
    subject: 'Về việc thử nghiệm gửi nhận văn bản điện tử trên máy cục bộ',
    promulgationDate: today(),
    signer: { name: 'Nguyễn Văn A', position: 'Giám đốc' },
    urgency: 'normal',
    secrecy: 'none',
    recipients: [RECIPIENT],
    sha256: createHash('sha256').update(pdf).digest('hex'),
    size: pdf.length,
    ...overrides,
  };
}

async function postDocument(body: unknown, token = signDevToken(auth, { agency: ISSUER })) {
  return fetch(`${api}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
}

const createdSchema = z.object({
  id: z.string(),
  upload: z.object({ url: z.url(), fields: z.record(z.string(), z.string()) }),
});

/** What a browser does with the pre-signed POST: the form fields, then the file last. */
async function upload(form: z.infer<typeof createdSchema>['upload'], pdf: Buffer) {
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
  body.append('file', new Blob([pdf], { type: 'application/pdf' }), 'document.pdf');
  return fetch(form.url, { method: 'POST', body, signal: AbortSignal.timeout(10_000) });
}

/** Announces and uploads `pdf` through the API and the emulator's S3, as an agency would. */
async function submit(pdf: Buffer): Promise<string> {
  const response = await postDocument(requestFor(pdf));
  expect(response.status).toBe(201);
  const created = createdSchema.parse(await response.json());
  const uploaded = await upload(created.upload, pdf);
  expect(uploaded.ok, await uploaded.clone().text()).toBe(true);
  return created.id;
}

async function settled(id: string, timeoutMs = 30_000): Promise<DocumentRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = await repository.get(id);
    if (record && (record.status === 'ROUTED' || record.status === 'REJECTED')) return record;
    if (Date.now() > deadline) {
      throw new Error(`document ${id} still ${record?.status ?? 'missing'} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function getObject(bucket: string, key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
}

beforeAll(async () => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  dir = await mkdtemp(join(tmpdir(), 'edoc-local-chain-'));
  await mkdir(join(dir, 'keys'));
  pki = makeSignaturePki();
  org = makeOrgIdentity();
  const [directoryFile, trustDir] = [await writeDirectory(), await writeTrust()];
  const stateDir = join(dir, 'state');
  auth = await loadDevAuth(stateDir);
  stack = await startLocalStack({
    stateDir,
    ports: { aws: 0, dynamodb: 0 },
    trustDir,
    directoryFile,
    api: { port: 0, auth },
    pollWaitSeconds: 1,
  });
  api = stack.endpoints.api ?? '';
  s3 = new S3Client({ ...clientConfig, endpoint: stack.endpoints.aws, forcePathStyle: true });
  dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: stack.endpoints.dynamodb });
  repository = new DynamoDbStatusRepository(dynamodb, stack.resources.table);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  s3?.destroy();
  dynamodb?.destroy();
  pki?.cleanup();
  org?.pki.cleanup();
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

describe('the local stack end to end', () => {
  it('takes a leader-signed PDF from POST /documents to ROUTED, countersigned and archived', async () => {
    const pdf = leaderSigned();

    const id = await submit(pdf);

    const record = await settled(id);
    expect(record.status, JSON.stringify(record.results)).toBe('ROUTED');
    expect(record.history.map((e) => e.status)).toEqual([
      'AWAITING_UPLOAD',
      'UPLOADED',
      'VERIFIED',
      'COUNTERSIGNED',
      'ROUTED',
    ]);
    const countersigned = await getObject(
      stack.resources.buckets.incoming,
      z.object({ key: z.string() }).parse(record.results.countersigned).key,
    );
    const report = validatePdf(countersigned, {
      trustAnchors: [pki.root.der, ...parsePemBundle(await readFile(org.pki.rootFile, 'latin1'))],
      intermediates: [pki.intermediate.der],
      crls: [],
      validationTime: new Date(),
      policy: DEFAULT_POLICY,
    });
    expect(report.indication, JSON.stringify(report.reasons)).toBe('TOTAL_PASSED');
    expect(report.signatures.map((s) => s.signer?.organization)).toEqual([
      'Sở TT&TT thử nghiệm',
      'UBND tỉnh Quảng Ngãi',
    ]);
    const manifest = archiveManifestSchema.parse(
      JSON.parse(
        (
          await getObject(
            stack.resources.buckets.archive,
            archiveManifestKey(ISSUER, record.year, id),
          )
        ).toString('utf8'),
      ),
    );
    const archived = await getObject(
      stack.resources.buckets.archive,
      manifest.files.countersigned.key,
    );
    expect(archived.equals(countersigned)).toBe(true);
    const deliveries = await repository.deliveries(id);
    expect(deliveries.map((d) => [d.recipient, d.state])).toEqual([[RECIPIENT, 'SENT']]);
  });

  it('rejects a tampered PDF as SIGNATURE_TOTAL_FAILED and never countersigns it', async () => {
    const pdf = leaderSigned();
    pdf[pdf.indexOf('/MediaBox') + 2] = 'X'.charCodeAt(0);

    const id = await submit(pdf);

    const record = await settled(id);
    expect(record.status).toBe('REJECTED');
    expect(JSON.stringify(record.results)).toContain('SIGNATURE_TOTAL_FAILED');
    expect(record.history.map((e) => e.status)).not.toContain('COUNTERSIGNED');
  });

  it('refuses a secret document with 422', async () => {
    const response = await postDocument(requestFor(leaderSigned(), { secrecy: 'mat' }));

    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: { code: 'SECRET_DOCUMENT_REFUSED' } });
  });

  it.each([
    ['no token', undefined],
    ['an expired token', () => signDevToken(auth, { agency: ISSUER, ttlSeconds: -60 })],
    [
      'a token signed with another secret',
      () => signDevToken({ ...auth, secret: Buffer.alloc(32, 7) }, { agency: ISSUER }),
    ],
    [
      'a token for another audience',
      () => signDevToken({ ...auth, audience: 'someone-else' }, { agency: ISSUER }),
    ],
    [
      'an unsigned token (alg none)',
      () => {
        const [, payload] = signDevToken(auth, { agency: ISSUER }).split('.');
        const header = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url');
        return `${header}.${payload}.`;
      },
    ],
  ])('answers 401 to a request with %s, before the handler', async (_, token) => {
    const pdf = leaderSigned();
    const response = await fetch(`${api}/documents`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token()}` } : {}),
      },
      body: JSON.stringify(requestFor(pdf)),
      signal: AbortSignal.timeout(10_000),
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
  });

  it('passes the token claims to the handler: an admin token may not issue documents', async () => {
    const token = signDevToken(auth, { agency: ISSUER, role: 'admin' });

    const response = await postDocument(requestFor(leaderSigned()), token);

    expect(response.status).toBe(403);
  });

  it('serves GET /openapi.json without a token, as a public route', async () => {
    const response = await fetch(`${api}/openapi.json`, { signal: AbortSignal.timeout(10_000) });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ openapi: expect.stringMatching(/^3\./) });
  });

  it('answers 404 to a path no route matches, token or not', async () => {
    const response = await fetch(`${api}/no-such-route`, { signal: AbortSignal.timeout(10_000) });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });
});
