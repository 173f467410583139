import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DirectoryOrganizationSigners } from '#adapters/directory-organization-signers.ts';
import { loadTrust } from '#functions/lib/trust.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';
import { parsePemBundle } from '#signature/certificates.ts';
import { countersignPdf } from '#signature/countersign.ts';
import { FileSigner } from '#signature/signers/file-signer.ts';
import { validatePdf } from '#signature/validate-pdf.ts';
import { InMemoryDocumentStore } from '#test/support/in-memory-pipeline.ts';
import { type LocalReference, prepareLocalReference } from '../../scripts/local/local-reference.ts';
import { writeRevision } from '../unit/pdf/pdf-factory.ts';

const ISSUER = '000.00.08.H48';

let stateDir: string;
let reference: LocalReference;

const plainPdf = () =>
  writeRevision(
    Buffer.alloc(0),
    [
      [1, '<< /Type /Catalog /Pages 2 0 R >>'],
      [2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
      [3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>'],
    ],
    { trailer: '/Root 1 0 R' },
  );

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'edoc-local-reference-'));
  reference = await prepareLocalReference(stateDir);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(stateDir, { recursive: true, force: true });
});

describe('local reference data', () => {
  it('gives every issuing seed agency a leader key, and nobody else', () => {
    const issuers = QUANG_NGAI_DIRECTORY.agencies
      .filter((a) => a.organizationSigning !== undefined)
      .map((a) => a.code);

    expect(reference.leaders.map((l) => l.agency)).toEqual(issuers);
  });

  it('lets a PDF signed with a local leader key pass the verify step’s trust as that agency', async () => {
    const leader = reference.leaders.find((l) => l.agency === ISSUER);
    if (leader === undefined) throw new Error(`no leader key for ${ISSUER}`);
    const { pdf } = await countersignPdf(plainPdf(), {
      signer: new FileSigner(await readFile(leader.keyFile, 'latin1')),
      certificateChain: parsePemBundle(await readFile(leader.chainFile, 'latin1')),
    });
    const trust = await loadTrust(reference.trustDir);

    const report = validatePdf(pdf, { ...trust, validationTime: new Date() });

    expect(report.indication, JSON.stringify(report.reasons)).toBe('TOTAL_PASSED');
    expect(report.signatures.map((s) => s.signer?.organization)).toEqual([
      'Sở Thông tin và Truyền thông',
    ]);
  });

  it('writes a directory whose organization keys are local files the signer adapter can use', async () => {
    vi.stubEnv('DIRECTORY_FILE', reference.directoryFile);
    const { loadDirectory } = await import('#functions/lib/reference.ts');
    const directory = await loadDirectory();
    const signers = new DirectoryOrganizationSigners({
      directory,
      certificates: new InMemoryDocumentStore(),
    });

    const signing = await signers.forAgency('000.00.01.H48'); // a PKCS#11 key in the seed

    expect(directory.find('000.00.01.H48')?.organizationSigning?.key.kind).toBe('file');
    expect(signing?.certificateChain).toHaveLength(2);
    const { pdf } = await countersignPdf(plainPdf(), {
      signer: signing?.signer ?? new FileSigner(''),
      certificateChain: signing?.certificateChain ?? [],
    });
    const report = validatePdf(pdf, {
      ...(await loadTrust(reference.trustDir)),
      validationTime: new Date(),
    });
    expect(report.indication, JSON.stringify(report.reasons)).toBe('TOTAL_PASSED');
  });

  it('issues certificates openssl accepts for signing under the local CA', async () => {
    const leader = reference.leaders[0];
    if (leader === undefined) throw new Error('no leader keys');
    const leaf = join(stateDir, 'leaf.pem');
    const [first] = (await readFile(leader.chainFile, 'latin1')).match(
      /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n/g,
    ) ?? [''];
    await writeFile(leaf, first ?? '');

    const out = execFileSync(
      'openssl',
      ['verify', '-purpose', 'any', '-x509_strict', '-CAfile', reference.caFile, leaf],
      { encoding: 'utf8' },
    );

    expect(out.trim()).toBe(`${leaf}: OK`);
  });

  it('keeps keys, trust anchors and an edited directory across restarts', async () => {
    const ca = await readFile(reference.caFile, 'latin1');
    await writeFile(reference.directoryFile, '[]');

    const again = await prepareLocalReference(stateDir);

    expect(await readFile(again.caFile, 'latin1')).toBe(ca);
    expect(await readFile(again.directoryFile, 'utf8')).toBe('[]');
  });

  it('fails loading a directory file that does not validate, naming the file', async () => {
    const file = join(stateDir, 'broken-directory.json');
    await writeFile(file, JSON.stringify([{ code: 'not-a-code' }]));
    vi.stubEnv('DIRECTORY_FILE', file);
    const { DirectoryFileError, loadDirectory } = await import('#functions/lib/reference.ts');

    await expect(loadDirectory()).rejects.toThrow(DirectoryFileError);
    await expect(loadDirectory()).rejects.toThrow(file);
  });
});
