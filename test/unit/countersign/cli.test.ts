import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { countersignCommand } from '#cli/countersign.ts';
import { UsageError } from '#cli/usage.ts';
import { openPdf } from '#pdf/document.ts';
import { findSignatures } from '#pdf/signatures.ts';
import { makeOrgIdentity } from './signing-fixture.ts';

const corpus = path.resolve(import.meta.dirname, '../../../../shared/corpus');
const org = makeOrgIdentity();
const dir = mkdtempSync(path.join(tmpdir(), 'edoc-countersign-cli-'));
const keyFile = path.join(dir, 'org.key');
const certFile = path.join(dir, 'chain.pem');
const errors: string[] = [];

const pem = (der: Buffer) =>
  `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;

beforeAll(() => {
  writeFileSync(keyFile, org.keyPem);
  writeFileSync(certFile, org.chain.map(pem).join(''));
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation((message: string) => {
    errors.push(message);
  });
});

afterAll(() => {
  org.pki.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('edoc countersign', () => {
  it('writes the countersigned PDF with the reason and location given', async () => {
    const input = path.join(corpus, 'pyhanko/pdf/minimal-xref.pdf');
    const out = path.join(dir, 'signed.pdf');

    const code = await countersignCommand([
      input,
      '--key',
      keyFile,
      '--cert',
      certFile,
      '--out',
      out,
      '--reason',
      'Ký số của cơ quan',
      '--location',
      'Quảng Ngãi',
    ]);

    expect(code).toBe(0);
    const written = readFileSync(out);
    expect(written.subarray(0, readFileSync(input).length).equals(readFileSync(input))).toBe(true);
    const [field] = findSignatures(openPdf(written));
    expect(field).toMatchObject({
      fieldName: 'OrgSignature1',
      reason: 'Ký số của cơ quan',
      location: 'Quảng Ngãi',
    });
  });

  it('draws a stamp where --stamp says', async () => {
    const out = path.join(dir, 'stamped.pdf');

    const code = await countersignCommand([
      path.join(corpus, 'pyhanko/pdf/minimal.pdf'),
      '--key',
      keyFile,
      '--cert',
      certFile,
      '--out',
      out,
      '--stamp',
      '10, 20, 110, 60',
    ]);

    expect(code).toBe(0);
    const doc = openPdf(readFileSync(out));
    const [field] = findSignatures(doc);
    const widget = field?.fieldRef ? doc.resolve(field.fieldRef) : undefined;
    expect(
      widget && typeof widget === 'object' && widget.kind === 'dict' && widget.entries.get('Rect'),
    ).toEqual({
      kind: 'array',
      items: [10, 20, 110, 60],
    });
  });

  it('exits 1 with the reason when the document cannot be countersigned', async () => {
    const code = await countersignCommand([
      path.join(corpus, 'dss/encrypted.pdf'),
      '--key',
      keyFile,
      '--cert',
      certFile,
      '--out',
      path.join(dir, 'never.pdf'),
    ]);

    expect(code).toBe(1);
    expect(errors.at(-1)).toMatch(/cannot countersign \(encrypted\)/);
  });

  it('raises usage errors for missing arguments, files or a bad TSA URL', async () => {
    const input = path.join(corpus, 'pyhanko/pdf/minimal.pdf');
    const out = path.join(dir, 'x.pdf');
    const cases = [
      ['--key', keyFile, '--cert', certFile, '--out', out],
      [input, '--key', keyFile, '--out', out],
      [input, '--key', keyFile, '--cert', path.join(dir, 'missing.pem'), '--out', out],
      [input, '--key', keyFile, '--cert', keyFile, '--out', out],
      [input, '--cert', certFile, '--out', out],
      [input, '--key', keyFile, '--cert', certFile, '--out', out, '--tsa', 'ftp://tsa'],
      [input, 'extra.pdf', '--key', keyFile, '--cert', certFile, '--out', out],
      [input, '--key', keyFile, '--cert', certFile, '--out', out, '--stamp', '10,10,5,20'],
      [input, '--key', keyFile, '--cert', certFile, '--out', out, '--stamp', '1,2,3'],
    ];

    for (const argv of cases) {
      await expect(countersignCommand(argv), argv.join(' ')).rejects.toBeInstanceOf(UsageError);
    }
  });
});
