import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { buildEdxmlDocument } from '#shared/edxml/envelope.ts';
import { formatDocumentId, formatEdxmlDate, formatEdxmlTimestamp } from '#shared/edxml/fields.ts';
import { loadAgencyDirectory } from '#shared/routing/directory.ts';
import { parsePemBundle } from '#signature/certificates.ts';
import { countersignPdf } from '#signature/countersign.ts';
import { FileSigner } from '#signature/signers/file-signer.ts';
import { plainPdf } from '../demo.ts';
import { STAND_IN_ADMIN_PATH } from './axis-stand-in.ts';
import type { LocalReference } from './local-reference.ts';

export interface MinistryLetter {
  /** A national-axis agency with a local leader key (`reference.axisSenders`). */
  readonly from: string;
  /** Agencies of the province it is addressed to. */
  readonly to: readonly string[];
  readonly number: string;
  readonly notation: string;
  readonly subject: string;
  /** The PDF to carry; a one-page letter signed with the sender's local leader key when omitted. */
  readonly pdf?: Buffer;
  /** @default now */
  readonly at?: Date;
}

/**
 * An edXML package as a ministry would send it over the axis, for the stand-in's waiting list:
 * MessageHeader from the local directory's names, one signed PDF attached. The signature is made
 * with the ministry's leader key under the local CA, so the poller's verification passes on a
 * local stack whose trust is the local one.
 */
export async function ministryPackage(
  reference: LocalReference,
  letter: MinistryLetter,
): Promise<Buffer> {
  const directory = loadAgencyDirectory(
    JSON.parse(await readFile(reference.directoryFile, 'utf8')),
  );
  const organization = (code: string) => ({
    OrganId: code,
    OrganName: directory.find(code)?.name ?? code,
  });
  const at = letter.at ?? new Date();
  const date = formatEdxmlDate(at);
  const pdf = letter.pdf ?? (await signAsSender(reference, letter));
  return buildEdxmlDocument({
    MessageHeader: {
      From: organization(letter.from),
      To: letter.to.map(organization),
      DocumentId: formatDocumentId({
        organId: letter.from,
        promulgationDate: date,
        codeNumber: letter.number,
        codeNotation: letter.notation,
      }),
      Code: { CodeNumber: letter.number, CodeNotation: letter.notation },
      PromulgationInfo: { Place: 'Hà Nội', PromulgationDate: date },
      DocumentType: { Type: '1', TypeName: 'Công văn' },
      Subject: letter.subject,
      SignerInfo: { FullName: 'Lãnh đạo (thử nghiệm)' },
      OtherInfo: { Priority: '0' },
    },
    TraceHeaderList: {
      TraceHeader: [{ OrganId: letter.from, Timestamp: formatEdxmlTimestamp(at) }],
    },
    attachments: [
      {
        ContentId: 'main',
        ContentType: 'application/pdf',
        AttachmentName: `${letter.number}-${letter.notation}.pdf`,
        content: pdf,
      },
    ],
  });
}

async function signAsSender(reference: LocalReference, letter: MinistryLetter): Promise<Buffer> {
  const leader = reference.axisSenders.find((l) => l.agency === letter.from);
  if (leader === undefined) {
    throw new Error(
      `no local leader key for ${letter.from}; axis senders: ${reference.axisSenders.map((l) => l.agency).join(', ')}`,
    );
  }
  const text = `Cong van ${letter.number}/${letter.notation} (thu nghiem truc lien thong)`;
  const { pdf } = await countersignPdf(plainPdf(text), {
    signer: new FileSigner(await readFile(leader.keyFile, 'latin1')),
    certificateChain: parsePemBundle(await readFile(leader.chainFile, 'latin1')),
    reason: 'Lãnh đạo ký ban hành',
  });
  return pdf;
}

/** Puts a package on the stand-in's waiting list; the axis id it was given. */
export async function injectPackage(standInOrigin: string, edxml: Buffer): Promise<string> {
  const response = await fetch(new URL(`${STAND_IN_ADMIN_PATH}/inbound`, standInOrigin), {
    method: 'POST',
    headers: { 'content-type': 'application/xml' },
    body: new Uint8Array(edxml),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status !== 201) {
    throw new Error(`the axis stand-in answered ${response.status}: ${text}`);
  }
  return z.object({ docId: z.string() }).parse(JSON.parse(text)).docId;
}

const USAGE = `usage: node scripts/local/axis-inbound.ts --to <code>[,<code>] [--from <ministry>]
         [--number 2887] [--notation VPCP-KSTT] [--subject "…"] [--pdf signed.pdf]
Puts a ministry's edXML package on the axis stand-in of a running \`npm start\`; the axis poller
delivers it to the agencies' inboxes on its next run and answers 01. Without --pdf the letter is
signed with the ministry's leader key in .edoc-local/keys/. EDOC_AXIS_PORT as for npm start.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      to: { type: 'string' },
      from: { type: 'string', default: '000.00.00.G01' },
      number: { type: 'string', default: String(Math.floor(Date.now() / 1000) % 100_000) },
      notation: { type: 'string', default: 'VPCP-KSTT' },
      subject: { type: 'string', default: 'Văn bản thử nghiệm gửi qua trục liên thông' },
      pdf: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || values.to === undefined) {
    console.error(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const port = z.coerce
    .number()
    .int()
    .min(1)
    .max(65_535)
    .parse(process.env.EDOC_AXIS_PORT ?? 4001);
  const stateDir = fileURLToPath(new URL('../../.edoc-local/', import.meta.url));
  const { prepareLocalReference } = await import('./local-reference.ts');
  const reference = await prepareLocalReference(stateDir);
  const edxml = await ministryPackage(reference, {
    from: values.from,
    to: values.to.split(',').filter(Boolean),
    number: values.number,
    notation: values.notation,
    subject: values.subject,
    ...(values.pdf === undefined ? {} : { pdf: await readFile(values.pdf) }),
  });
  const docId = await injectPackage(`http://127.0.0.1:${port}`, edxml);
  console.log(
    `queued ${values.number}/${values.notation} from ${values.from} to ${values.to} as ${docId}; ` +
      'the axis poller picks it up on its next run',
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
