import { describe, expect, it } from 'vitest';
import { AxisRejectedError, AxisUnavailableError } from '#shared/axis/errors.ts';
import { sendToAxis, UnknownDeliveryError } from '#shared/axis/send-to-axis.ts';
import { FakeAxis, fixedClock, MemoryDeliveries, MemoryStore, SENDER } from './fakes.ts';

const message = { documentId: 'doc-1', recipient: SENDER, edxmlKey: 'axis/outbound/doc-1.edxml' };

function makeWorld(state: 'PENDING' | 'SENT' | '01' = 'PENDING') {
  const client = new FakeAxis();
  const store = new MemoryStore();
  const status = new MemoryDeliveries();
  store.objects.set(message.edxmlKey, Buffer.from('<edXML>package</edXML>'));
  status.add('doc-1', {
    recipient: SENDER,
    channel: 'national-axis',
    state,
    updatedAt: '2019-05-16T00:00:00.000Z',
  });
  return { client, store, status, clock: fixedClock() };
}

describe('sendToAxis', () => {
  it('sends the stored package to the recipient and records SENT with the axis id', async () => {
    const deps = makeWorld();
    const outcome = await sendToAxis(deps, message);
    expect(outcome).toEqual({ kind: 'sent', axisDocId: 'axis-1' });
    expect(deps.client.sent).toHaveLength(1);
    expect(deps.client.sent[0]?.to).toBe(SENDER);
    expect(deps.client.sent[0]?.body).toEqual(Buffer.from('<edXML>package</edXML>'));
    expect(deps.status.row('doc-1', SENDER)).toMatchObject({
      state: 'SENT',
      axisDocId: 'axis-1',
      updatedAt: '2019-05-16T01:30:00.000Z',
    });
  });

  it('does not send again when the delivery is already SENT (a redelivered message)', async () => {
    const deps = makeWorld('SENT');
    expect(await sendToAxis(deps, message)).toEqual({ kind: 'skipped', state: 'SENT' });
    expect(deps.client.sent).toEqual([]);
  });

  it('does not send when the recipient has already answered', async () => {
    const deps = makeWorld('01');
    expect(await sendToAxis(deps, message)).toEqual({ kind: 'skipped', state: '01' });
    expect(deps.client.sent).toEqual([]);
  });

  it('sends once when the same message is processed twice', async () => {
    const deps = makeWorld();
    await sendToAxis(deps, message);
    await sendToAxis(deps, message);
    expect(deps.client.sent).toHaveLength(1);
  });

  it('records a refusal as a failed delivery with the axis code and does not throw', async () => {
    const deps = makeWorld();
    deps.client.failSend = new AxisRejectedError('INVALID_RECEIVER', 'unknown organ', 400);
    const outcome = await sendToAxis(deps, message);
    expect(outcome).toMatchObject({ kind: 'refused', code: 'INVALID_RECEIVER' });
    expect(deps.status.row('doc-1', SENDER)).toMatchObject({
      state: '02',
      failureCode: 'INVALID_RECEIVER',
      reason: expect.stringContaining('unknown organ'),
    });
  });

  it('rethrows an outage and leaves the delivery PENDING for the retry', async () => {
    const deps = makeWorld();
    deps.client.failSend = new AxisUnavailableError('503');
    await expect(sendToAxis(deps, message)).rejects.toBeInstanceOf(AxisUnavailableError);
    expect(deps.status.row('doc-1', SENDER)?.state).toBe('PENDING');
  });

  it('fails loudly for a delivery nobody recorded', async () => {
    const deps = makeWorld();
    await expect(
      sendToAxis(deps, { ...message, recipient: '000.00.00.G12' }),
    ).rejects.toBeInstanceOf(UnknownDeliveryError);
    expect(deps.client.sent).toEqual([]);
  });

  it('reports skipped when another sender recorded the delivery first', async () => {
    const deps = makeWorld();
    const original = deps.client.sendEdoc.bind(deps.client);
    deps.client.sendEdoc = async (body, to) => {
      const answer = await original(body, to);
      await deps.status.markSent('doc-1', SENDER, { axisDocId: 'axis-racer', at: 'x' });
      return answer;
    };
    expect(await sendToAxis(deps, message)).toEqual({ kind: 'skipped', state: 'SENT' });
    expect(deps.status.row('doc-1', SENDER)?.axisDocId).toBe('axis-racer');
  });
});
