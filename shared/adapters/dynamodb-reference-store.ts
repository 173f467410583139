import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { ReferenceEdit, ReferenceEdits, ReferenceStore } from '#ports/reference-store.ts';
import { type DocumentType, documentTypeSchema } from '#shared/routing/catalogue.ts';
import { type Agency, agencySchema } from '#shared/routing/directory.ts';
import { conditionalWrite, documentClient, queryAll } from './dynamodb.ts';

/** Partition of the agency edits, one item per agency code (sort key). */
export const AGENCY_EDITS_PK = 'REF#AGENCY';
/** Partition of the document-type edits, one item per type code (sort key). */
export const DOCUMENT_TYPE_EDITS_PK = 'REF#DOCTYPE';
/** Both partitions, for IAM leading-key conditions. */
export const REFERENCE_PKS = [AGENCY_EDITS_PK, DOCUMENT_TYPE_EDITS_PK] as const;

const editItemSchema = <T>(entry: z.ZodType<T>) =>
  z.object({
    sk: z.string().min(1),
    version: z.number().int().min(1),
    entry: entry.nullable(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  });

/**
 * Administrator edits in the status table: one item per code under `REF#AGENCY` or
 * `REF#DOCTYPE`, holding the entry (null once deleted) and a version that every write checks and
 * bumps in one conditional PutItem. Items are validated on reading: one that no longer fits the
 * schema fails the read rather than routing by data nobody checked.
 */
export class DynamoDbReferenceStore implements ReferenceStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = documentClient(client);
    this.#table = tableName;
  }

  async edits(): Promise<ReferenceEdits> {
    const [agencies, documentTypes] = await Promise.all([
      this.#list(AGENCY_EDITS_PK, agencySchema),
      this.#list(DOCUMENT_TYPE_EDITS_PK, documentTypeSchema),
    ]);
    return { agencies, documentTypes };
  }

  saveAgency(edit: ReferenceEdit<Agency>): Promise<boolean> {
    return this.#save(AGENCY_EDITS_PK, edit);
  }

  saveDocumentType(edit: ReferenceEdit<DocumentType>): Promise<boolean> {
    return this.#save(DOCUMENT_TYPE_EDITS_PK, edit);
  }

  async #list<T>(pk: string, entrySchema: z.ZodType<T>): Promise<ReferenceEdit<T>[]> {
    const schema = editItemSchema(entrySchema);
    const items = await queryAll(this.#db, {
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    });
    return items.map((item) => {
      const parsed = schema.safeParse(item);
      if (!parsed.success) {
        throw new Error(`the stored edit ${pk}/${String(item.sk)} is not valid`, {
          cause: parsed.error,
        });
      }
      const { sk, version, entry, updatedAt, updatedBy } = parsed.data;
      return { code: sk, version, entry, updatedAt, updatedBy };
    });
  }

  #save<T>(pk: string, edit: ReferenceEdit<T>): Promise<boolean> {
    const previous = edit.version - 1;
    return conditionalWrite(() =>
      this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk,
            sk: edit.code,
            version: edit.version,
            entry: edit.entry,
            updatedAt: edit.updatedAt,
            updatedBy: edit.updatedBy,
          },
          ...(previous === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#version = :previous',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':previous': previous },
              }),
        }),
      ),
    );
  }
}
