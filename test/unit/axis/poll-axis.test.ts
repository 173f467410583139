import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AxisRejectedError, AxisUnavailableError } from '#shared/axis/errors.ts';
import { pollAxis, salvageResponseFor } from '#shared/axis/poll-axis.ts';
import { RELEASED_LEASE } from '#shared/axis/ports.ts';
import { inboundDocumentId } from '#shared/axis/receive-package.ts';
import { buildEdxmlDocument } from '#shared/edxml/envelope.ts';
import { formatDocumentId } from '#shared/edxml/fields.ts';
import { buildStatusMessage, type EdxmlStatusCode } from '#shared/edxml/status-message.ts';
import { DEFAULT_POLICY } from '#signature/policy.ts';
import { InMemoryStatusRepository } from '#test/support/in-memory-pipeline.ts';
import { makeSignedPdf } from '../signature/signed-pdf.ts';
import { makeSignaturePki, type SignaturePki } from '../signature/test-pki.ts';
import {
  FakeAxis,
  fixedClock,
  MemoryLedger,
  MemoryStore,
  makeInboundDocument,
  makeInboundPackage,
  OUR_AGENCY,
  SELF,
  SENDER,
} from './fakes.ts';

let pki: SignaturePki;
let signedPdf: Buffer;
/** The certificates are issued as the tests start: validate a little after that. */
const NOW = new Date(Date.now() + 10 * 60_000).toISOString();

beforeAll(() => {
  pki = makeSignaturePki();
  signedPdf = makeSignedPdf({ sign: (content) => pki.sign({ signer: pki.rsaSigner, content }) });
});

afterAll(() => pki.cleanup());

function makeWorld(clockIso = NOW) {
  return {
    client: new FakeAxis(),
    store: new MemoryStore(),
    ledger: new MemoryLedger(),
    repository: new InMemoryStatusRepository(),
    trust: {
      trustAnchors: [pki.root.der],
      intermediates: [pki.intermediate.der],
      crls: [],
      policy: DEFAULT_POLICY,
    },
    clock: fixedClock(clockIso),
    self: SELF,
    servesAgency: (code: string) => code === OUR_AGENCY,
  };
}

const expectedResponseFor = {
  OrganId: SENDER,
  Code: '2887/VPCP-KSTT',
  PromulgationDate: '2019/04/09',
  DocumentId: `${SENDER},2019/04/09,2887/VPCP-KSTT`,
};

/** The signed PDF with one byte of its page changed: the signature no longer covers it. */
const tampered = () =>
  Buffer.from(
    signedPdf.toString('latin1').replace('/MediaBox [0 0 595 842]', '/MediaBox [0 0 596 842]'),
    'latin1',
  );

describe('pollAxis: packages', () => {
  it('verifies the PDF, delivers the document to the addressed agency inbox and answers 01', async () => {
    const deps = makeWorld();
    const bytes = makeInboundPackage({}, signedPdf);
    deps.client.waiting.set('A1', bytes);

    const result = await pollAxis(deps);

    const id = inboundDocumentId('A1');
    expect(result.received).toEqual([{ docId: 'A1', documentId: id }]);
    expect(await deps.repository.get(id)).toMatchObject({
      issuer: SENDER,
      status: 'ROUTED',
      number: '2887',
      notation: 'VPCP-KSTT',
      year: 2019,
      attributes: { subject: 'Gửi, nhận văn bản điện tử có ký số', recipients: [OUR_AGENCY] },
      results: { verification: { indication: 'TOTAL_PASSED' } },
    });
    expect(await deps.repository.deliveries(id)).toEqual([
      { recipient: OUR_AGENCY, channel: 'national-axis', state: '01', updatedAt: NOW },
    ]);
    const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(deps.store.objects.get(`axis/inbound/${sha256(bytes)}.edxml`)).toEqual(bytes);
    expect(deps.store.objects.get(`axis/inbound/${sha256(signedPdf)}.pdf`)).toEqual(signedPdf);
    expect(deps.client.statuses).toEqual([
      expect.objectContaining({
        StatusCode: '01',
        ResponseFor: expectedResponseFor,
        From: { OrganId: OUR_AGENCY, OrganName: 'Sở Thông tin và Truyền thông' },
      }),
    ]);
    expect(deps.ledger.claims.get('A1')).toMatchObject({
      answered: [`01#${OUR_AGENCY}`],
      finishedAt: NOW,
    });
    expect(result.late).toEqual([]);
  });

  it('refuses a package whose PDF was changed after signing with 02 and the reason, delivering nothing', async () => {
    const deps = makeWorld();
    deps.client.waiting.set('T1', makeInboundPackage({}, tampered()));

    const result = await pollAxis(deps);

    expect(result.refused).toEqual([
      { docId: 'T1', reason: expect.stringMatching(/invalid signature: 2887-VPCP-KSTT\.pdf/) },
    ]);
    expect(deps.client.statuses).toEqual([
      expect.objectContaining({
        StatusCode: '02',
        ResponseFor: expectedResponseFor,
        From: { OrganId: OUR_AGENCY, OrganName: 'Sở Thông tin và Truyền thông' },
        Description: expect.stringMatching(/TOTAL_FAILED|HASH_FAILURE|FORMAT_FAILURE/),
      }),
    ]);
    expect(deps.repository.records.size).toBe(0);
    expect(deps.store.objects.size).toBe(0);
  });

  it('refuses an unsigned PDF and a package without any PDF', async () => {
    const deps = makeWorld();
    const unsigned = Buffer.from(
      '%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
    );
    deps.client.waiting.set('U1', makeInboundPackage({}, unsigned));
    deps.client.waiting.set(
      'N1',
      buildEdxmlDocument({
        ...makeInboundDocument(),
        attachments: [
          {
            ContentId: 'note',
            ContentType: 'text/plain',
            AttachmentName: 'note.txt',
            content: Buffer.from('xin chào'),
          },
        ],
      }),
    );
    const result = await pollAxis(deps);
    expect(result.refused).toEqual([
      { docId: 'U1', reason: expect.stringMatching(/^invalid signature: 2887-VPCP-KSTT\.pdf/) },
      { docId: 'N1', reason: expect.stringContaining('carries no PDF') },
    ]);
    expect(deps.repository.records.size).toBe(0);
  });

  it('refuses an invalid package with 02 from the hub, storing and recording nothing', async () => {
    const deps = makeWorld();
    const broken = makeInboundPackage({}, signedPdf)
      .toString('utf8')
      .replaceAll('edXML:Subject>', 'edXML:Subjekt>');
    deps.client.waiting.set('B1', Buffer.from(broken));

    const result = await pollAxis(deps);

    expect(result.refused).toEqual([{ docId: 'B1', reason: expect.stringContaining('Subjekt') }]);
    expect(deps.store.objects.size).toBe(0);
    expect(deps.repository.records.size).toBe(0);
    expect(deps.client.statuses).toEqual([
      expect.objectContaining({ StatusCode: '02', ResponseFor: expectedResponseFor, From: SELF }),
    ]);
  });

  it('refuses a package addressed to none of our agencies', async () => {
    const deps = makeWorld();
    deps.client.waiting.set(
      'M1',
      makeInboundPackage(
        { To: [{ OrganId: '000.00.00.H35', OrganName: 'UBND tỉnh Kon Tum' }] },
        signedPdf,
      ),
    );
    const result = await pollAxis(deps);
    expect(result.refused).toEqual([
      { docId: 'M1', reason: expect.stringMatching(/misaddressed/) },
    ]);
    expect(deps.client.statuses[0]).toMatchObject({ StatusCode: '02', From: SELF });
  });

  it('answers nothing when not even the sender can be read, and keeps reporting it', async () => {
    const deps = makeWorld();
    deps.client.waiting.set('G1', Buffer.from('this is not XML'));
    const first = await pollAxis(deps);
    const again = await pollAxis(deps);
    expect(first.unanswerable).toEqual([{ docId: 'G1', reason: expect.any(String) }]);
    expect(again.unanswerable).toEqual(first.unanswerable);
    expect(deps.client.statuses).toEqual([]);
    expect(deps.client.fetched).toEqual(['G1']);
  });
});

describe('pollAxis: exactly once per axis id', () => {
  it('lets only one of two overlapping polls handle a package', async () => {
    const deps = makeWorld();
    deps.client.waiting.set('A1', makeInboundPackage({}, signedPdf));

    const [one, two] = await Promise.all([pollAxis(deps), pollAxis(deps)]);

    expect([...one.received, ...two.received]).toHaveLength(1);
    expect([...one.skipped, ...two.skipped]).toEqual([{ docId: 'A1', reason: 'held' }]);
    expect(deps.client.fetched).toEqual(['A1']);
    expect(deps.client.statuses.map((s) => s.StatusCode)).toEqual(['01']);
  });

  it('skips a package handled by an earlier poll that the axis still lists', async () => {
    const deps = makeWorld();
    deps.client.waiting.set('A1', makeInboundPackage({}, signedPdf));
    await pollAxis(deps);
    const again = await pollAxis(deps);
    expect(again.skipped).toEqual([{ docId: 'A1', reason: 'finished' }]);
    expect(deps.client.fetched).toEqual(['A1']);
    expect(deps.client.statuses).toHaveLength(1);
  });

  it('after a failed 01, answers on the next poll without fetching or delivering again', async () => {
    const deps = makeWorld();
    deps.client.waiting.set('A1', makeInboundPackage({}, signedPdf));
    deps.client.failStatus = new AxisUnavailableError('503');
    await expect(pollAxis(deps)).rejects.toBeInstanceOf(AxisUnavailableError);
    expect(deps.ledger.claims.get('A1')).toMatchObject({
      answered: [],
      leaseUntil: RELEASED_LEASE,
    });

    deps.client.failStatus = undefined;
    const result = await pollAxis(deps);

    expect(result.received).toEqual([{ docId: 'A1', documentId: inboundDocumentId('A1') }]);
    expect(deps.client.fetched).toEqual(['A1']);
    expect(deps.client.statuses.map((s) => s.StatusCode)).toEqual(['01']);
    expect(await deps.repository.deliveries(inboundDocumentId('A1'))).toHaveLength(1);
  });

  it('leaves a live claim of a crashed poller alone, and takes it over once the lease expired', async () => {
    const deps = makeWorld();
    deps.client.waiting.set('A1', makeInboundPackage({}, signedPdf));
    const later = new Date(Date.parse(NOW) + 60_000).toISOString();
    await deps.ledger.claim('A1', 'crashed-run', { now: NOW, leaseUntil: later });

    const held = await pollAxis(deps);
    expect(held.skipped).toEqual([{ docId: 'A1', reason: 'held' }]);
    expect(deps.client.fetched).toEqual([]);

    const afterLease = {
      ...deps,
      clock: fixedClock(new Date(Date.parse(later) + 1).toISOString()),
    };
    const taken = await pollAxis(afterLease);
    expect(taken.received.map((r) => r.docId)).toEqual(['A1']);
    expect(deps.client.statuses.map((s) => s.StatusCode)).toEqual(['01']);
  });

  it('reports an answer that crossed midnight (Vietnam time) as late', async () => {
    const deps = makeWorld();
    deps.client.waiting.set('A1', makeInboundPackage({}, signedPdf));
    const yesterday = new Date(Date.parse(NOW) - 24 * 3600_000).toISOString();
    await deps.ledger.claim('A1', 'crashed-run', { now: yesterday, leaseUntil: yesterday });
    const result = await pollAxis(deps);
    expect(result.late).toEqual(['A1']);
  });

  it('goes on past a message the axis refuses to hand over, and stops on an outage', async () => {
    const deps = makeWorld();
    deps.client.waiting.set('X1', Buffer.alloc(0));
    deps.client.waiting.set('A1', makeInboundPackage({}, signedPdf));
    deps.client.failGet.set('X1', new AxisRejectedError('NOT_FOUND', 'gone', 404));
    const result = await pollAxis(deps);
    expect(result.failed).toEqual([{ docId: 'X1', code: 'NOT_FOUND' }]);
    expect(result.received.map((r) => r.docId)).toEqual(['A1']);
    expect(deps.ledger.claims.get('X1')?.finishedAt).toBeUndefined();

    const down = makeWorld();
    down.client.waiting.set('A1', makeInboundPackage({}, signedPdf));
    down.client.failGet.set('A1', new AxisUnavailableError('timeout'));
    await expect(pollAxis(down)).rejects.toBeInstanceOf(AxisUnavailableError);
  });

  it('handles at most maxPerPoll messages per run', async () => {
    const deps = makeWorld();
    for (const id of ['A', 'B', 'C']) deps.client.waiting.set(id, makeInboundPackage());
    const result = await pollAxis(deps, { maxPerPoll: 2 });
    expect(result.refused.map((r) => r.docId)).toEqual(['A', 'B']);
  });
});

describe('pollAxis: status messages about documents we sent', () => {
  const OURS = '000.00.08.H48';
  const MINISTRY = '000.00.00.G22';

  async function sentDocument(deps: ReturnType<typeof makeWorld>) {
    await deps.repository.create(
      {
        id: 'doc-1',
        issuer: OURS,
        year: 2019,
        number: '15',
        notation: 'STTTT-VP',
        createdAt: NOW,
        attributes: {},
      },
      { at: NOW, status: 'ROUTED', actor: 'route' },
    );
    await deps.repository.recordDeliveries('doc-1', [
      { recipient: MINISTRY, channel: 'national-axis', state: 'SENT', updatedAt: NOW },
    ]);
  }

  const statusFrom = (code: EdxmlStatusCode, number = '15', description?: string) =>
    buildStatusMessage({
      ResponseFor: {
        OrganId: OURS,
        Code: `${number}/STTTT-VP`,
        PromulgationDate: '2019/05/16',
        DocumentId: formatDocumentId({
          organId: OURS,
          promulgationDate: '2019/05/16',
          codeNumber: number,
          codeNotation: 'STTTT-VP',
        }),
      },
      From: { OrganId: MINISTRY, OrganName: 'Văn phòng Chính phủ' },
      StatusCode: code,
      ...(description === undefined ? {} : { Description: description }),
      Timestamp: '2019/05/16 10:00:00',
    });

  it('moves the recipient delivery on 01 then 03, and keeps a refusal reason on 02', async () => {
    const deps = makeWorld();
    await sentDocument(deps);
    deps.client.waiting.set('S1', statusFrom('01'));
    const first = await pollAxis(deps);
    deps.client.waiting.clear();
    deps.client.waiting.set('S2', statusFrom('02', '15', 'thiếu chữ ký của tổ chức'));
    const second = await pollAxis(deps);

    expect(first.statuses).toEqual([
      {
        docId: 'S1',
        outcome: {
          kind: 'applied',
          documentId: 'doc-1',
          recipient: MINISTRY,
          from: 'SENT',
          code: '01',
        },
      },
    ]);
    expect(second.statuses[0]?.outcome).toMatchObject({ kind: 'applied', from: '01', code: '02' });
    expect(await deps.repository.deliveries('doc-1')).toEqual([
      expect.objectContaining({ state: '02', reason: 'thiếu chữ ký của tổ chức' }),
    ]);
    expect(deps.client.statuses).toEqual([]);
  });

  it('does not apply a step the delivery model forbids, nor crash on an unknown document', async () => {
    const deps = makeWorld();
    await sentDocument(deps);
    deps.client.waiting.set('S1', statusFrom('15'));
    deps.client.waiting.set('S2', statusFrom('03', '999'));

    const result = await pollAxis(deps);

    expect(result.statuses).toEqual([
      {
        docId: 'S1',
        outcome: expect.objectContaining({ kind: 'not-allowed', from: 'SENT', code: '15' }),
      },
      { docId: 'S2', outcome: expect.objectContaining({ kind: 'unknown-document' }) },
    ]);
    expect((await deps.repository.deliveries('doc-1'))[0]?.state).toBe('SENT');
    expect(deps.ledger.claims.get('S2')?.finishedAt).toBe(NOW);
  });
});

describe('salvageResponseFor', () => {
  it('reads the four identifying fields of a package that fails validation', () => {
    const broken = makeInboundPackage()
      .toString('utf8')
      .replace(/<edXML:SignerInfo>.*<\/edXML:SignerInfo>/, '');
    expect(salvageResponseFor(Buffer.from(broken))).toEqual(expectedResponseFor);
  });

  it('gives up when a field is malformed, rather than answering for the wrong document', () => {
    const broken = makeInboundPackage()
      .toString('utf8')
      .replace('<edXML:PromulgationDate>2019/04/09', '<edXML:PromulgationDate>2019/13/09');
    expect(salvageResponseFor(Buffer.from(broken))).toBeUndefined();
  });

  it('refuses XML with a DOCTYPE like the parser does', () => {
    const hostile = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>${makeInboundPackage()
      .toString('utf8')
      .replace(/^<\?xml[^>]*>/, '')}`;
    expect(salvageResponseFor(Buffer.from(hostile))).toBeUndefined();
  });
});
