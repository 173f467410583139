import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENCY_EDITS_PK,
  DOCUMENT_TYPE_EDITS_PK,
  DynamoDbReferenceStore,
} from '#adapters/dynamodb-reference-store.ts';
import { statusTable } from '#infra/definitions.ts';
import type { ReferenceEdit } from '#ports/reference-store.ts';
import type { DocumentType } from '#shared/routing/catalogue.ts';
import type { Agency } from '#shared/routing/directory.ts';
import { SEED_DOCUMENT_TYPES } from '#shared/routing/seed-document-types.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';
import { createTable, startDynalite } from '#test/support/dynalite.ts';

let db: Awaited<ReturnType<typeof startDynalite>>;
let tableCount = 0;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(() => db.stop());

async function makeStore(): Promise<{ store: DynamoDbReferenceStore; table: string }> {
  tableCount += 1;
  const table = `status-${tableCount}`;
  await createTable(db.client, table, statusTable);
  return { store: new DynamoDbReferenceStore(db.client, table), table };
}

function seededAgency(code: string): Agency {
  const agency = QUANG_NGAI_DIRECTORY.find(code);
  if (agency === undefined) throw new Error(`${code} is not seeded`);
  return agency;
}

function makeAgencyEdit(overrides: Partial<ReferenceEdit<Agency>> = {}): ReferenceEdit<Agency> {
  return {
    code: '000.00.08.H48',
    version: 1,
    entry: { ...seededAgency('000.00.08.H48'), name: 'Sở Thông tin và Truyền thông (sửa)' },
    updatedAt: '2019-07-01T08:00:00.000Z',
    updatedBy: 'admin-1',
    ...overrides,
  };
}

function makeTypeEdit(
  overrides: Partial<ReferenceEdit<DocumentType>> = {},
): ReferenceEdit<DocumentType> {
  return {
    code: 'chi-thi',
    version: 1,
    entry: {
      code: 'chi-thi',
      name: 'Chỉ thị',
      abbreviation: 'CT',
      issuanceForm: 'electronic-and-paper',
      retentionYears: 20,
    },
    updatedAt: '2019-07-01T08:00:00.000Z',
    updatedBy: 'admin-1',
    ...overrides,
  };
}

describe('DynamoDbReferenceStore', () => {
  it('reads back what it stored, in both lists, deletions included', async () => {
    const { store } = await makeStore();
    const agency = makeAgencyEdit();
    const deletion = makeAgencyEdit({ code: '000.00.02.H48', entry: null });
    const type = makeTypeEdit();

    const saved = [
      await store.saveAgency(agency),
      await store.saveAgency(deletion),
      await store.saveDocumentType(type),
    ];
    const edits = await store.edits();

    expect(saved).toEqual([true, true, true]);
    expect(edits.agencies).toEqual([deletion, agency]);
    expect(edits.documentTypes).toEqual([type]);
  });

  it('keeps agency and type edits under their own partitions, keyed by code', async () => {
    const { store, table } = await makeStore();
    await store.saveAgency(makeAgencyEdit());
    await store.saveDocumentType(makeTypeEdit());

    const get = (pk: string, sk: string) =>
      db.client.send(
        new GetItemCommand({ TableName: table, Key: { pk: { S: pk }, sk: { S: sk } } }),
      );

    expect((await get(AGENCY_EDITS_PK, '000.00.08.H48')).Item?.version).toEqual({ N: '1' });
    expect((await get(DOCUMENT_TYPE_EDITS_PK, 'chi-thi')).Item?.version).toEqual({ N: '1' });
    expect(AGENCY_EDITS_PK).toBe('REF#AGENCY');
    expect(DOCUMENT_TYPE_EDITS_PK).toBe('REF#DOCTYPE');
  });

  it('stores each version once: a second version 1, or a skipped version, is refused', async () => {
    const { store } = await makeStore();
    await store.saveAgency(makeAgencyEdit());

    const duplicate = await store.saveAgency(makeAgencyEdit({ updatedBy: 'admin-2' }));
    const skipped = await store.saveAgency(makeAgencyEdit({ version: 3, updatedBy: 'admin-2' }));
    const next = await store.saveAgency(makeAgencyEdit({ version: 2, entry: null }));
    const edits = await store.edits();

    expect([duplicate, skipped, next]).toEqual([false, false, true]);
    expect(edits.agencies).toEqual([
      expect.objectContaining({ version: 2, entry: null, updatedBy: 'admin-1' }),
    ]);
  });

  it('fails the read when a stored entry no longer fits the schema', async () => {
    const { store, table } = await makeStore();
    await db.client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: DOCUMENT_TYPE_EDITS_PK },
          sk: { S: 'cong-van' },
          version: { N: '1' },
          entry: { M: { code: { S: 'cong-van' }, name: { S: 'Công văn' } } },
          updatedAt: { S: '2019-07-01T08:00:00.000Z' },
          updatedBy: { S: 'admin-1' },
        },
      }),
    );

    await expect(store.edits()).rejects.toThrow('REF#DOCTYPE/cong-van');
  });

  it('reads past one query page', async () => {
    const { store } = await makeStore();
    const seeded = SEED_DOCUMENT_TYPES.types[0];
    if (seeded === undefined) throw new Error('no seeded type');
    // Entries of ~40 kB each: 30 of them exceed the 1 MB a query page returns.
    const long = 'x'.repeat(40_000);
    for (let i = 0; i < 30; i += 1) {
      const code = `loai-${String(i).padStart(2, '0')}`;
      await store.saveDocumentType(
        makeTypeEdit({ code, entry: { ...seeded, code, name: `${long}${i}` } }),
      );
    }

    expect((await store.edits()).documentTypes).toHaveLength(30);
  });
});
