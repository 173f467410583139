import type { ReferenceEdit, ReferenceEdits, ReferenceStore } from '#ports/reference-store.ts';
import type { DocumentType } from '#shared/routing/catalogue.ts';
import type { Agency } from '#shared/routing/directory.ts';

/** The reference store in memory, with the same version condition as the DynamoDB adapter. */
export class InMemoryReferenceStore implements ReferenceStore {
  readonly agencies = new Map<string, ReferenceEdit<Agency>>();
  readonly documentTypes = new Map<string, ReferenceEdit<DocumentType>>();
  /** How many times `edits()` was read. */
  reads = 0;

  async edits(): Promise<ReferenceEdits> {
    this.reads += 1;
    return {
      agencies: [...this.agencies.values()],
      documentTypes: [...this.documentTypes.values()],
    };
  }

  async saveAgency(edit: ReferenceEdit<Agency>): Promise<boolean> {
    return save(this.agencies, edit);
  }

  async saveDocumentType(edit: ReferenceEdit<DocumentType>): Promise<boolean> {
    return save(this.documentTypes, edit);
  }
}

function save<T>(items: Map<string, ReferenceEdit<T>>, edit: ReferenceEdit<T>): boolean {
  if ((items.get(edit.code)?.version ?? 0) !== edit.version - 1) return false;
  items.set(edit.code, structuredClone(edit));
  return true;
}
