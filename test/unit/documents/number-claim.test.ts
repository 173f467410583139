import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { incomingObjectKey, numberClaimKey } from '#shared/documents/document-record.ts';

const documents = mockClient(DynamoDBDocumentClient);
afterEach(() => documents.reset());

describe('numberClaimKey', () => {
  it('is the key the DynamoDB repository claims a number under', async () => {
    documents.on(PutCommand).resolves({});
    const repository = new DynamoDbStatusRepository(
      new DynamoDBClient({ region: 'ap-southeast-1' }),
      'status',
    );
    await repository.create(
      {
        id: 'doc-1',
        issuer: '000.00.00.H48',
        year: 2019,
        number: '1808',
        notation: 'QĐ-UBND',
        createdAt: '2019-04-16T03:00:00.000Z',
        attributes: {},
      },
      { at: '2019-04-16T03:00:00.000Z', status: 'AWAITING_UPLOAD', actor: '000.00.00.H48' },
    );
    const claim = documents.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect({ pk: claim?.['pk'], sk: claim?.['sk'] }).toEqual(
      numberClaimKey('000.00.00.H48', 2019, 1808, 'QĐ-UBND'),
    );
  });

  it('separates issuers, years, numbers and notations', () => {
    const key = numberClaimKey('000.00.00.H48', 2019, 1808, 'UBND-KGVX').pk;
    expect(key).toBe('NUMBER#000.00.00.H48#2019#1808/UBND-KGVX');
    expect(numberClaimKey('000.00.01.H48', 2019, 1808, 'UBND-KGVX').pk).not.toBe(key);
    expect(numberClaimKey('000.00.00.H48', 2020, 1808, 'UBND-KGVX').pk).not.toBe(key);
    expect(numberClaimKey('000.00.00.H48', 2019, 1809, 'UBND-KGVX').pk).not.toBe(key);
    expect(numberClaimKey('000.00.00.H48', 2019, 1808, 'UBND-VP').pk).not.toBe(key);
  });

  it('claims the same number written with a leading zero', () => {
    expect(numberClaimKey('000.00.00.H48', 2019, '01', 'TB-UBND')).toEqual(
      numberClaimKey('000.00.00.H48', 2019, 1, 'TB-UBND'),
    );
  });

  it('refuses a number that is not a positive integer', () => {
    expect(() => numberClaimKey('000.00.00.H48', 2019, '18a', 'UBND-KGVX')).toThrow(RangeError);
    expect(() => numberClaimKey('000.00.00.H48', 2019, 0, 'UBND-KGVX')).toThrow(RangeError);
  });
});

describe('incomingObjectKey', () => {
  it('puts uploads under incoming/<agency>/<id>.pdf', () => {
    expect(incomingObjectKey('000.00.08.H48', 'doc-1')).toBe('incoming/000.00.08.H48/doc-1.pdf');
  });
});
