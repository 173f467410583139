import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { incomingObjectKey } from '#shared/documents/document-record.ts';
import { countersignDocument } from '#shared/pipeline/countersign-document.ts';
import type { OrganizationSigners, ReferenceData, StepQueue } from '#shared/pipeline/ports.ts';
import { routeDocument } from '#shared/pipeline/route-document.ts';
import { verifyUpload } from '#shared/pipeline/verify-upload.ts';
import { loadAgencyDirectory } from '#shared/routing/directory.ts';
import type { RolloutPolicy } from '#shared/routing/rollout-policy.ts';
import { SEED_DOCUMENT_TYPES } from '#shared/routing/seed-document-types.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';
import { parsePemBundle } from '#signature/certificates.ts';
import { countersignPdf } from '#signature/countersign.ts';
import { DEFAULT_POLICY } from '#signature/policy.ts';
import { FileSigner } from '#signature/signers/file-signer.ts';
import { minimalPdf } from '../unit/pdf/pdf-factory.ts';
import {
  FaultInjector,
  type FaultInjectorOptions,
  faultyDocumentStore,
  faultyQueue,
  faultySigner,
  faultyStatusRepository,
} from './faulty-ports.ts';
import { mulberry32, type Random } from './fuzz-mutations.ts';
import { InMemoryDocumentStore, InMemoryStatusRepository } from './in-memory-pipeline.ts';
import { makeTestPki, type TestPki } from './signing-pki.ts';

/** SQS's redrive policy: after this many failed receives a message moves to the DLQ. */
export const MAX_RECEIVE_COUNT = 5;

interface Message<T> {
  readonly body: T;
  receiveCount: number;
  readonly errors: string[];
}

/**
 * A standard SQS queue as a consumer sees it: at-least-once (a message may come twice), unordered,
 * a failed message comes back until its receive count reaches MAX_RECEIVE_COUNT, then it sits in
 * the dead-letter queue.
 */
export class SimulatedQueue<T> {
  readonly name: string;
  readonly visible: Message<T>[] = [];
  readonly deadLetters: Message<T>[] = [];
  sent = 0;

  constructor(name: string) {
    this.name = name;
  }

  push(body: T): void {
    this.sent++;
    this.visible.push({ body, receiveCount: 0, errors: [] });
  }

  asStepQueue(this: SimulatedQueue<{ documentId: string }>): StepQueue {
    return { send: async (message) => this.push({ documentId: message.documentId }) };
  }
}

/** A queue and the function consuming it (a Lambda behind an SQS event source). */
export interface Consumer<T> {
  readonly queue: SimulatedQueue<T>;
  readonly handle: (body: T) => Promise<unknown>;
}

export interface DrainOptions {
  readonly random: Random;
  /** Messages processed at the same time (concurrent Lambda invocations). */
  readonly concurrency: number;
  /** Chance that a received message is delivered a second time, as a copy. */
  readonly duplicateRate: number;
  /** Stops a run that does not settle. @default 100_000 */
  readonly maxRounds?: number;
}

/**
 * Consumes every queue until all are empty: each round takes up to `concurrency` messages from
 * random queues and runs them together, so duplicates can race. A message that throws goes back
 * (or to the DLQ after MAX_RECEIVE_COUNT receives); one that returns is deleted.
 */
export async function drain(
  all: readonly Consumer<unknown>[],
  options: DrainOptions,
): Promise<{ rounds: number; receives: number }> {
  let rounds = 0;
  let receives = 0;
  const maxRounds = options.maxRounds ?? 100_000;
  for (;;) {
    const waiting = all.filter((c) => c.queue.visible.length > 0);
    if (waiting.length === 0) return { rounds, receives };
    if (++rounds > maxRounds) throw new Error(`the queues did not drain in ${maxRounds} rounds`);
    const batch: { consumer: Consumer<unknown>; message: Message<unknown> }[] = [];
    for (let i = 0; i < options.concurrency; i++) {
      const candidates = all.filter((c) => c.queue.visible.length > 0);
      if (candidates.length === 0) break;
      const consumer = options.random.pick(candidates);
      const [message] = consumer.queue.visible.splice(
        options.random.int(consumer.queue.visible.length),
        1,
      );
      if (message === undefined) break;
      batch.push({ consumer, message });
      if (options.random.chance(options.duplicateRate)) consumer.queue.push(message.body);
    }
    receives += batch.length;
    await Promise.all(
      batch.map(async ({ consumer, message }) => {
        message.receiveCount++;
        try {
          await consumer.handle(message.body);
        } catch (error) {
          message.errors.push(error instanceof Error ? `${error.name}: ${error.message}` : '?');
          if (message.receiveCount >= MAX_RECEIVE_COUNT) consumer.queue.deadLetters.push(message);
          else consumer.queue.visible.push(message);
        }
      }),
    );
  }
}

/** An agency of the seed directory with a leader key its certificate names it for. */
interface AgencyIdentity {
  readonly code: string;
  readonly leaderSigned: Buffer;
  readonly hasOrganizationKey: boolean;
}

/** What an uploaded document is, and so how it must end. */
export type DocumentKind = 'valid' | 'tampered' | 'checksum-mismatch' | 'no-organization-key';

export interface SimulatedDocument {
  readonly id: string;
  readonly issuer: string;
  readonly kind: DocumentKind;
  readonly objectKey: string;
}

/** Issuers: three with organization keys, one without (its documents end REJECTED). */
export const ISSUERS = ['000.00.08.H48', '000.00.02.H48', '000.00.03.H48', '000.00.04.H48'];
const NO_KEY_ISSUER = '000.00.04.H48';
/** A province recipient and one on the national axis, for every document. */
export const RECIPIENTS = ['000.00.01.H48', '000.00.00.G22'];

const officialPolicy: RolloutPolicy = {
  phaseId: 'official',
  channelsOpen: ['province', 'national-axis'],
  enrolledAgencies: 'all',
  electronicOnlyTypes: 'catalogue',
};

/** Keys and certificates shared by every world of a test file (openssl is slow). */
export interface PipelineIdentities {
  readonly pki: TestPki;
  readonly rootDer: Buffer;
  readonly agencies: readonly AgencyIdentity[];
  readonly organization: { readonly signer: FileSigner; readonly chain: Buffer[] };
  cleanup(): void;
}

const newRsaKey = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();

/**
 * One test PKI; per issuer a leader certificate naming the agency's registered organization and
 * a one-page PDF the leader signed with it (PAdES, by countersignPdf with the leader's key); one
 * organization key for every agency's countersignature.
 */
export async function makePipelineIdentities(): Promise<PipelineIdentities> {
  const pki = makeTestPki();
  const [rootDer] = parsePemBundle(readFileSync(pki.rootFile, 'latin1'));
  if (rootDer === undefined) throw new Error('the test PKI has no root');
  const agencies: AgencyIdentity[] = [];
  for (const code of ISSUERS) {
    const entry = QUANG_NGAI_DIRECTORY.agencies.find((a) => a.code === code);
    const organization = entry?.signerOrganizations[0];
    if (organization === undefined) throw new Error(`${code} names no signer organization`);
    const key = newRsaKey();
    const chain = pki.issue(key, `/C=VN/O=${organization}/CN=Lãnh đạo ${code}`);
    const { pdf } = await countersignPdf(minimalPdf(), {
      signer: new FileSigner(key),
      certificateChain: chain,
      fieldNamePrefix: 'Leader',
    });
    agencies.push({ code, leaderSigned: pdf, hasOrganizationKey: code !== NO_KEY_ISSUER });
  }
  const orgKey = newRsaKey();
  const organization = {
    signer: new FileSigner(orgKey),
    chain: pki.issue(orgKey, '/C=VN/O=UBND tỉnh Quảng Ngãi/CN=Văn phòng UBND tỉnh Quảng Ngãi'),
  };
  return { pki, rootDer, agencies, organization, cleanup: () => pki.cleanup() };
}

export interface PipelineWorldOptions {
  readonly seed: number;
  /** Fault rates per port call; none by default. */
  readonly faults?: FaultInjectorOptions['rates'];
  readonly yieldRate?: number;
}

/**
 * The three pipeline steps over in-memory ports, each port wrapped in the seeded fault injector,
 * the step queues and the upload notifications simulated as SQS queues with a DLQ.
 */
export function makePipelineWorld(identities: PipelineIdentities, options: PipelineWorldOptions) {
  const random = mulberry32(options.seed);
  const faults = new FaultInjector({
    seed: options.seed ^ 0x5bd1e995,
    rates: options.faults ?? {},
    ...(options.yieldRate === undefined ? {} : { yieldRate: options.yieldRate }),
  });
  const repository = new InMemoryStatusRepository();
  const documents = new InMemoryDocumentStore();
  const archive = new InMemoryDocumentStore();
  const uploads = new SimulatedQueue<string>('uploads');
  const toCountersign = new SimulatedQueue<{ documentId: string }>('countersign');
  const toRoute = new SimulatedQueue<{ documentId: string }>('route');
  const axisOutbox: { documentId: string; recipient: string; edxmlKey: string }[] = [];

  const faultyRepository = faultyStatusRepository(repository, faults);
  const faultyDocuments = faultyDocumentStore(documents, faults, 'documents');
  const clock = { now: () => new Date() };
  const reference: ReferenceData = {
    directory: loadAgencyDirectory(QUANG_NGAI_DIRECTORY.agencies),
    catalogue: SEED_DOCUMENT_TYPES,
    currentPolicy: async () => officialPolicy,
  };
  const organization = {
    signer: faultySigner(identities.organization.signer, faults),
    certificateChain: identities.organization.chain,
  };
  const signers: OrganizationSigners = {
    forAgency: async (code) =>
      identities.agencies.find((a) => a.code === code)?.hasOrganizationKey
        ? organization
        : undefined,
  };

  const consumers = [
    {
      queue: uploads,
      handle: (key: string) =>
        verifyUpload(
          {
            repository: faultyRepository,
            documents: faultyDocuments,
            reference,
            clock,
            next: faultyQueue(toCountersign.asStepQueue(), faults),
            settings: {
              trust: {
                trustAnchors: [identities.rootDer],
                intermediates: [],
                crls: [],
                policy: DEFAULT_POLICY,
              },
              signerBinding: 'organization-name',
              maxUploadBytes: 10 * 1024 * 1024,
            },
          },
          key,
        ),
    },
    {
      queue: toCountersign,
      handle: (m: { documentId: string }) =>
        countersignDocument(
          {
            repository: faultyRepository,
            documents: faultyDocuments,
            signers,
            clock,
            next: faultyQueue(toRoute.asStepQueue(), faults),
            reason: 'Ký số của cơ quan, tổ chức',
            location: 'Quảng Ngãi',
          },
          m.documentId,
        ),
    },
    {
      queue: toRoute,
      handle: (m: { documentId: string }) =>
        routeDocument(
          {
            repository: faultyRepository,
            stores: {
              documents: faultyDocuments,
              archive: faultyDocumentStore(archive, faults, 'archive'),
            },
            reference,
            clock,
            defaultRetentionYears: 10,
            axisOutbox: {
              send: async (message) => {
                axisOutbox.push({ ...message });
              },
            },
          },
          m.documentId,
        ),
    },
  ] as const;

  const uploaded: SimulatedDocument[] = [];

  /** Announces a document as POST /documents does, stores its bytes and notifies the upload. */
  async function upload(issuer: string, kind: DocumentKind): Promise<SimulatedDocument> {
    const agency = identities.agencies.find((a) => a.code === issuer);
    if (agency === undefined) throw new Error(`no identity for ${issuer}`);
    const id = `doc-${String(uploaded.length + 1).padStart(4, '0')}`;
    const objectKey = incomingObjectKey(issuer, id);
    const pdf = Buffer.from(agency.leaderSigned);
    if (kind === 'tampered') pdf[pdf.indexOf('/MediaBox') + 2] = 'X'.charCodeAt(0);
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    await repository.create(
      {
        id,
        issuer,
        year: 2019,
        number: String(uploaded.length + 1),
        notation: 'VP',
        createdAt: new Date().toISOString(),
        attributes: {
          typeCode: 'cong-van',
          subject: `Văn bản thử nghiệm ${id}`,
          promulgationDate: '2019-05-16',
          signer: { name: 'Nguyễn Văn A', position: 'Giám đốc' },
          urgency: 'normal',
          secrecy: 'none',
          recipients: RECIPIENTS,
          declaredSha256: kind === 'checksum-mismatch' ? 'a'.repeat(64) : sha256,
          declaredSize: pdf.length,
          objectKey,
        },
      },
      { at: new Date().toISOString(), status: 'AWAITING_UPLOAD', actor: issuer },
    );
    await documents.put(objectKey, pdf, { contentType: 'application/pdf' });
    uploads.push(objectKey);
    const doc = { id, issuer, kind, objectKey };
    uploaded.push(doc);
    return doc;
  }

  return {
    random,
    faults,
    repository,
    documents,
    archive,
    uploads,
    toCountersign,
    toRoute,
    axisOutbox,
    uploaded,
    upload,
    /** The step functions themselves, to run one directly. */
    steps: {
      verify: consumers[0].handle,
      countersign: consumers[1].handle,
      route: consumers[2].handle,
    },
    /** Runs every queue dry. */
    drain: (options: Omit<DrainOptions, 'random'>) =>
      drain(consumers as unknown as readonly Consumer<unknown>[], { random, ...options }),
    /** Messages of a document that ended in a DLQ. */
    deadLettersOf: (doc: SimulatedDocument) => [
      ...uploads.deadLetters.filter((m) => m.body === doc.objectKey),
      ...toCountersign.deadLetters.filter((m) => m.body.documentId === doc.id),
      ...toRoute.deadLetters.filter((m) => m.body.documentId === doc.id),
    ],
  };
}

export type PipelineWorld = ReturnType<typeof makePipelineWorld>;
