import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAgencyKeyRegistry } from '#adapters/dynamodb-agency-key-registry.ts';
import { statusTable } from '#infra/definitions.ts';
import type { InstalledAgencyKey, PendingAgencyKey } from '#ports/agency-key-registry.ts';
import { createTable, startDynalite } from '#test/support/dynalite.ts';

let db: Awaited<ReturnType<typeof startDynalite>>;
let tableCount = 0;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(() => db.stop());

async function makeRegistry(): Promise<DynamoDbAgencyKeyRegistry> {
  tableCount += 1;
  const name = `keys-${tableCount}`;
  await createTable(db.client, name, statusTable);
  return new DynamoDbAgencyKeyRegistry(db.client, name);
}

const pending = (keyId: string): PendingAgencyKey => ({
  keyId,
  algorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
  requestedAt: '2026-12-01T02:00:00.000Z',
});
const installed = (keyId: string): InstalledAgencyKey => ({
  keyId,
  algorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
  chainKey: `certificates/000.00.08.H48/${keyId}/chain.pem`,
  leafFingerprint: 'ab'.repeat(32),
  notAfter: '2028-12-01T02:00:00.000Z',
  installedAt: '2026-12-02T02:00:00.000Z',
});

describe('DynamoDbAgencyKeyRegistry', () => {
  it('keeps the first pending key when a second is recorded', async () => {
    const registry = await makeRegistry();

    const first = await registry.putPending('000.00.08.H48', pending('key-1'));
    const second = await registry.putPending('000.00.08.H48', pending('key-2'));

    expect(first.keyId).toBe('key-1');
    expect(second.keyId).toBe('key-1');
    expect(await registry.get('000.00.08.H48')).toEqual({
      agency: '000.00.08.H48',
      pending: pending('key-1'),
    });
  });

  it('installs only the pending key, clearing it, and lists installed agencies', async () => {
    const registry = await makeRegistry();
    await registry.putPending('000.00.08.H48', pending('key-1'));
    await registry.putPending('000.00.02.H48', pending('key-9'));

    expect(await registry.install('000.00.08.H48', installed('key-other'))).toBe(false);
    expect(await registry.install('000.00.08.H48', installed('key-1'))).toBe(true);
    expect(await registry.install('000.00.08.H48', installed('key-1'))).toBe(false);

    expect(await registry.get('000.00.08.H48')).toEqual({
      agency: '000.00.08.H48',
      installed: installed('key-1'),
    });
    expect(await registry.listInstalled()).toEqual([
      { agency: '000.00.08.H48', installed: installed('key-1') },
    ]);
  });

  it('takes a new pending key after an installation and keeps the installed one', async () => {
    const registry = await makeRegistry();
    await registry.putPending('000.00.08.H48', pending('key-1'));
    await registry.install('000.00.08.H48', installed('key-1'));

    await registry.putPending('000.00.08.H48', pending('key-2'));

    expect(await registry.get('000.00.08.H48')).toEqual({
      agency: '000.00.08.H48',
      pending: pending('key-2'),
      installed: installed('key-1'),
    });
  });

  it('answers undefined for an agency without a record', async () => {
    const registry = await makeRegistry();

    expect(await registry.get('000.00.08.H48')).toBeUndefined();
  });
});
