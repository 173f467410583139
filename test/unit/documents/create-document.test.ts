import { describe, expect, it } from 'vitest';
import {
  type CreateDocumentDeps,
  createDocument,
  UPLOAD_EXPIRES_SECONDS,
} from '#shared/documents/create-document.ts';
import { numberClaimKey } from '#shared/documents/document-record.ts';
import type { SecretRefusalAudit } from '#shared/documents/plan-upload.ts';
import type { AuditLog } from '#shared/ports/audit-log.ts';
import type {
  HistoryEntry,
  NewDocument,
  StatusRepository,
} from '#shared/ports/status-repository.ts';
import type { PresignPostRequest, UploadPresigner } from '#shared/ports/upload-presigner.ts';
import type { RolloutPolicy } from '#shared/routing/rollout-policy.ts';
import { SEED_DOCUMENT_TYPES } from '#shared/routing/seed-document-types.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';

const DEPARTMENT_OF_IC = '000.00.08.H48';
const PROVINCIAL_COMMITTEE = '000.00.00.H48';
const DEPARTMENT_OF_FINANCE = '000.00.03.H48';
const GOVERNMENT_OFFICE = '000.00.00.G01';
const SHA = 'ab'.repeat(32);
const NOW = new Date('2019-05-20T02:00:00Z');

class InMemoryRepository implements Pick<StatusRepository, 'create'> {
  readonly documents = new Map<string, { doc: NewDocument; entry: HistoryEntry }>();
  readonly #claims = new Map<string, string>();

  async create(doc: NewDocument, entry: HistoryEntry) {
    const { pk } = numberClaimKey(doc.issuer, doc.year, doc.number, doc.notation);
    const existingId = this.#claims.get(pk);
    if (existingId !== undefined) return { created: false as const, existingId };
    this.#claims.set(pk, doc.id);
    this.documents.set(doc.id, { doc, entry });
    return { created: true as const };
  }
}

class InMemoryAuditLog implements AuditLog {
  readonly records: SecretRefusalAudit[] = [];
  async recordSecretRefusal(audit: SecretRefusalAudit) {
    this.records.push(audit);
  }
}

class RecordingPresigner implements UploadPresigner {
  readonly requests: PresignPostRequest[] = [];
  async presignPost(request: PresignPostRequest) {
    this.requests.push(request);
    return { url: 'https://uploads.example/incoming', fields: { key: request.key } };
  }
}

function makeDeps(overrides: Partial<CreateDocumentDeps> = {}) {
  const repository = new InMemoryRepository();
  const audit = new InMemoryAuditLog();
  const presigner = new RecordingPresigner();
  let ids = 0;
  const deps: CreateDocumentDeps = {
    repository,
    audit,
    presigner,
    clock: { now: () => NOW },
    newId: () => {
      ids += 1;
      return `doc-${ids}`;
    },
    directory: QUANG_NGAI_DIRECTORY,
    catalogue: SEED_DOCUMENT_TYPES,
    maxBytes: 10 * 1024 * 1024,
    ...overrides,
  };
  return { deps, repository, audit, presigner };
}

function makeBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    number: 215,
    notation: 'STTTT-BCVT',
    typeCode: 'cong-van',
    subject: 'Thí điểm gửi, nhận văn bản điện tử trong tỉnh',
    promulgationDate: '2019-05-20',
    signer: { name: 'Lê Văn Cường', position: 'Giám đốc' },
    urgency: 'Khẩn',
    secrecy: 'none',
    recipients: [PROVINCIAL_COMMITTEE],
    sha256: SHA,
    size: 84_000,
    ...overrides,
  };
}

const makePolicy = (overrides: Partial<RolloutPolicy> = {}): RolloutPolicy => ({
  phaseId: 'province-pilot',
  channelsOpen: ['province'],
  enrolledAgencies: [DEPARTMENT_OF_IC, PROVINCIAL_COMMITTEE],
  electronicOnlyTypes: 'catalogue',
  ...overrides,
});

describe('createDocument', () => {
  it('creates the record awaiting upload and hands out a form for exactly that PDF', async () => {
    const { deps, repository, presigner } = makeDeps();

    const result = await createDocument(deps, { issuer: DEPARTMENT_OF_IC, body: makeBody() });

    expect(result).toEqual({
      kind: 'created',
      id: 'doc-1',
      upload: {
        url: 'https://uploads.example/incoming',
        fields: { key: `incoming/${DEPARTMENT_OF_IC}/doc-1.pdf` },
        expiresAt: new Date(NOW.getTime() + UPLOAD_EXPIRES_SECONDS * 1000).toISOString(),
      },
      warnings: [],
    });
    expect(presigner.requests).toEqual([
      {
        key: `incoming/${DEPARTMENT_OF_IC}/doc-1.pdf`,
        contentType: 'application/pdf',
        maxBytes: 84_000,
        sha256Hex: SHA,
        expiresSeconds: 900,
      },
    ]);
    const stored = repository.documents.get('doc-1');
    expect(stored?.doc).toMatchObject({
      issuer: DEPARTMENT_OF_IC,
      year: 2019,
      number: '215',
      notation: 'STTTT-BCVT',
      attributes: { urgency: 'khan', declaredSha256: SHA, declaredSize: 84_000 },
    });
    expect(stored?.entry).toEqual({
      at: NOW.toISOString(),
      status: 'AWAITING_UPLOAD',
      actor: DEPARTMENT_OF_IC,
    });
  });

  it('takes the issuer from the identity and refuses a body that names one', async () => {
    const { deps, repository, presigner } = makeDeps();

    const result = await createDocument(deps, {
      issuer: DEPARTMENT_OF_IC,
      body: makeBody({ issuer: PROVINCIAL_COMMITTEE }),
    });

    expect(result).toEqual({
      kind: 'invalid',
      details: [{ field: 'issuer', message: 'is not accepted: the issuer is the calling agency' }],
    });
    expect(repository.documents.size).toBe(0);
    expect(presigner.requests).toEqual([]);
  });

  it('reports every field problem at once and stores nothing', async () => {
    const { deps, repository, audit, presigner } = makeDeps();

    const result = await createDocument(deps, {
      issuer: DEPARTMENT_OF_IC,
      body: makeBody({ sha256: 'not-a-digest', size: 11 * 1024 * 1024, urgency: 'soon' }),
    });

    expect(result.kind).toBe('invalid');
    if (result.kind !== 'invalid') return;
    expect(result.details.map((d) => d.field).sort()).toEqual(['sha256', 'size', 'urgency']);
    expect(result.details.find((d) => d.field === 'size')?.message).toBe(
      `must be at most ${10 * 1024 * 1024} bytes`,
    );
    expect(repository.documents.size).toBe(0);
    expect(audit.records).toEqual([]);
    expect(presigner.requests).toEqual([]);
  });

  it('answers a number already used this year with the document that holds it', async () => {
    const { deps, repository } = makeDeps();
    await createDocument(deps, { issuer: DEPARTMENT_OF_IC, body: makeBody() });

    const again = await createDocument(deps, {
      issuer: DEPARTMENT_OF_IC,
      body: makeBody({ subject: 'Gửi lại', sha256: 'cd'.repeat(32) }),
    });

    expect(again).toEqual({ kind: 'duplicate', existingId: 'doc-1' });
    expect([...repository.documents.keys()]).toEqual(['doc-1']);
  });

  it('refuses a document marked Mật and keeps only the audit record of the attempt', async () => {
    const { deps, repository, audit, presigner } = makeDeps();

    const result = await createDocument(deps, {
      issuer: DEPARTMENT_OF_IC,
      body: makeBody({ secrecy: 'Mật', subject: 'Nội dung mật' }),
    });

    expect(result).toEqual({ kind: 'refused-secret', auditId: 'doc-1' });
    expect(audit.records).toEqual([
      {
        id: 'doc-1',
        at: NOW.toISOString(),
        issuer: DEPARTMENT_OF_IC,
        secrecy: 'mat',
        declared: { number: 215, notation: 'STTTT-BCVT', typeCode: 'cong-van', sha256: SHA },
      },
    ]);
    expect(JSON.stringify(audit.records)).not.toContain('Nội dung mật');
    expect(repository.documents.size).toBe(0);
    expect(presigner.requests).toEqual([]);
  });

  it('refuses a Tuyệt mật document even when the rest of the body is garbage', async () => {
    const { deps, repository, audit } = makeDeps();

    const result = await createDocument(deps, {
      issuer: DEPARTMENT_OF_IC,
      body: { secrecy: 'tuyet_mat', number: 'x', recipients: 3 },
    });

    expect(result.kind).toBe('refused-secret');
    expect(audit.records.map((r) => [r.secrecy, r.declared])).toEqual([['tuyet-mat', {}]]);
    expect(repository.documents.size).toBe(0);
  });

  it('forbids a caller missing from the directory and stores nothing, not even an audit', async () => {
    const { deps, repository, audit, presigner } = makeDeps();

    const result = await createDocument(deps, {
      issuer: '000.00.99.H48',
      body: makeBody({ secrecy: 'mat' }),
    });

    expect(result).toEqual({
      kind: 'forbidden',
      message: '000.00.99.H48 is not in the agency directory',
    });
    expect(repository.documents.size).toBe(0);
    expect(audit.records).toEqual([]);
    expect(presigner.requests).toEqual([]);
  });

  it('forbids an agency outside the province, which has no organization key here', async () => {
    const { deps, repository } = makeDeps();

    const result = await createDocument(deps, { issuer: GOVERNMENT_OFFICE, body: makeBody() });

    expect(result.kind).toBe('forbidden');
    expect(repository.documents.size).toBe(0);
  });

  it('forbids an agency not enrolled in the current phase, read when the request comes', async () => {
    let policy = makePolicy();
    const { deps, repository } = makeDeps({ currentPolicy: async () => policy });
    const body = makeBody({ notation: 'STC-NS', recipients: [PROVINCIAL_COMMITTEE] });

    const before = await createDocument(deps, { issuer: DEPARTMENT_OF_FINANCE, body });
    policy = makePolicy({ phaseId: 'official', enrolledAgencies: 'all' });
    const after = await createDocument(deps, { issuer: DEPARTMENT_OF_FINANCE, body });

    expect(before).toEqual({
      kind: 'forbidden',
      message: expect.stringContaining(
        'is not enrolled to issue e-documents in phase province-pilot',
      ),
    });
    expect(after.kind).toBe('created');
    expect(repository.documents.size).toBe(1);
  });

  it('creates the document with a warning for a recipient the phase cannot reach', async () => {
    const { deps } = makeDeps({ currentPolicy: async () => makePolicy() });

    const result = await createDocument(deps, {
      issuer: DEPARTMENT_OF_IC,
      body: makeBody({ recipients: [PROVINCIAL_COMMITTEE, DEPARTMENT_OF_FINANCE] }),
    });

    expect(result.kind).toBe('created');
    if (result.kind !== 'created') return;
    expect(result.warnings.map((w) => w.field)).toEqual(['recipients[1]']);
  });
});
