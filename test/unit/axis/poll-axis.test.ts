import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AxisRejectedError, AxisUnavailableError } from '#shared/axis/errors.ts';
import { pollAxis, salvageResponseFor } from '#shared/axis/poll-axis.ts';
import {
  FakeAxis,
  fixedClock,
  MemoryInbound,
  MemoryStore,
  makeInboundPackage,
  OUR_AGENCY,
  SELF,
  SENDER,
} from './fakes.ts';

function makeWorld() {
  const deps = {
    client: new FakeAxis(),
    store: new MemoryStore(),
    inbound: new MemoryInbound(),
    clock: fixedClock(),
    self: SELF,
    servesAgency: (code: string) => code === OUR_AGENCY,
  };
  return deps;
}

const expectedResponseFor = {
  OrganId: SENDER,
  Code: '2887/VPCP-KSTT',
  PromulgationDate: '2019/04/09',
  DocumentId: `${SENDER},2019/04/09,2887/VPCP-KSTT`,
};

describe('pollAxis', () => {
  it('stores a valid package whole, records it and answers 01 from our recipient', async () => {
    const deps = makeWorld();
    const bytes = makeInboundPackage();
    deps.client.waiting.set('A1', bytes);

    const result = await pollAxis(deps);

    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(result.received).toEqual(['A1']);
    expect(deps.store.objects.get(`axis/inbound/${sha256}.edxml`)).toEqual(bytes);
    expect(deps.inbound.records.get('A1')).toMatchObject({
      packageKey: `axis/inbound/${sha256}.edxml`,
      documentId: expectedResponseFor.DocumentId,
      from: SENDER,
      recipients: [{ organId: OUR_AGENCY, organName: 'Sở Thông tin và Truyền thông' }],
      priority: '2',
      acknowledgedAt: '2019-05-16T01:30:00.000Z',
      attachments: [expect.objectContaining({ contentId: 'main', size: 19 })],
    });
    expect(deps.client.statuses).toEqual([
      expect.objectContaining({
        StatusCode: '01',
        ResponseFor: expectedResponseFor,
        From: { OrganId: OUR_AGENCY, OrganName: 'Sở Thông tin và Truyền thông' },
        Timestamp: '2019/05/16 08:30:00',
      }),
    ]);
  });

  it('refuses an invalid package with 02 and the reason, storing and recording nothing', async () => {
    const deps = makeWorld();
    const broken = makeInboundPackage()
      .toString('utf8')
      .replace('<edXML:Subject>', '<edXML:Subjekt>')
      .replace('</edXML:Subject>', '</edXML:Subjekt>');
    deps.client.waiting.set('B1', Buffer.from(broken));

    const result = await pollAxis(deps);

    expect(result.refused).toEqual([{ docId: 'B1', reason: expect.stringContaining('Subjekt') }]);
    expect(deps.store.objects.size).toBe(0);
    expect(deps.inbound.records.size).toBe(0);
    expect(deps.client.statuses).toEqual([
      expect.objectContaining({
        StatusCode: '02',
        ResponseFor: expectedResponseFor,
        From: SELF,
        Description: expect.stringContaining('Subjekt'),
      }),
    ]);
  });

  it('refuses a package whose attachment does not match its manifest', async () => {
    const deps = makeWorld();
    const tampered = makeInboundPackage()
      .toString('utf8')
      .replace(
        Buffer.from('%PDF-1.7 the letter').toString('base64'),
        Buffer.from('%PDF-1.7 forged!!!!').toString('base64'),
      );
    deps.client.waiting.set('T1', Buffer.from(tampered));
    const result = await pollAxis(deps);
    expect(result.refused.map((r) => r.docId)).toEqual(['T1']);
    expect(deps.client.statuses[0]?.StatusCode).toBe('02');
    expect(deps.inbound.records.size).toBe(0);
  });

  it('refuses a package addressed to none of our agencies', async () => {
    const deps = makeWorld();
    deps.client.waiting.set(
      'M1',
      makeInboundPackage({ To: [{ OrganId: '000.00.00.H35', OrganName: 'UBND tỉnh Kon Tum' }] }),
    );
    const result = await pollAxis(deps);
    expect(result.refused).toEqual([
      { docId: 'M1', reason: expect.stringMatching(/misaddressed/) },
    ]);
    expect(deps.client.statuses[0]).toMatchObject({ StatusCode: '02', From: SELF });
    expect(deps.inbound.records.size).toBe(0);
  });

  it('answers nothing and records nothing when not even the sender can be read', async () => {
    const deps = makeWorld();
    deps.client.waiting.set('G1', Buffer.from('this is not XML'));
    const result = await pollAxis(deps);
    expect(result.unanswerable).toEqual([{ docId: 'G1', reason: expect.any(String) }]);
    expect(deps.client.statuses).toEqual([]);
    expect(deps.inbound.records.size).toBe(0);
  });

  it('acknowledges again, without fetching, a package stored by a poll whose 01 failed', async () => {
    const deps = makeWorld();
    deps.client.waiting.set('A1', makeInboundPackage());
    deps.client.failStatus = new AxisUnavailableError('503');
    await expect(pollAxis(deps)).rejects.toBeInstanceOf(AxisUnavailableError);
    expect(deps.inbound.records.get('A1')?.acknowledgedAt).toBeUndefined();

    deps.client.failStatus = undefined;
    deps.client.failGet.set('A1', new Error('must not fetch again'));
    const result = await pollAxis(deps);

    expect(result.received).toEqual(['A1']);
    expect(deps.client.statuses).toEqual([
      expect.objectContaining({ StatusCode: '01', ResponseFor: expectedResponseFor }),
    ]);
    expect(deps.inbound.records.get('A1')?.acknowledgedAt).toBe('2019-05-16T01:30:00.000Z');
    expect(deps.store.objects.size).toBe(1);
  });

  it('goes on past a package the axis refuses to hand over, and stops on an outage', async () => {
    const deps = makeWorld();
    deps.client.waiting.set('X1', Buffer.alloc(0));
    deps.client.waiting.set('A1', makeInboundPackage());
    deps.client.failGet.set('X1', new AxisRejectedError('NOT_FOUND', 'gone', 404));
    const result = await pollAxis(deps);
    expect(result.failed).toEqual([{ docId: 'X1', code: 'NOT_FOUND' }]);
    expect(result.received).toEqual(['A1']);

    const down = makeWorld();
    down.client.waiting.set('A1', makeInboundPackage());
    down.client.failGet.set('A1', new AxisUnavailableError('timeout'));
    await expect(pollAxis(down)).rejects.toBeInstanceOf(AxisUnavailableError);
  });

  it('handles at most maxPerPoll packages per run', async () => {
    const deps = makeWorld();
    for (const id of ['A', 'B', 'C']) deps.client.waiting.set(id, makeInboundPackage());
    const result = await pollAxis(deps, { maxPerPoll: 2 });
    expect(result.received).toEqual(['A', 'B']);
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
