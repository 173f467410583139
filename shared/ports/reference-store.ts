import type { DocumentType } from '../routing/catalogue.ts';
import type { Agency } from '../routing/directory.ts';

/**
 * One administrator edit of a directory or catalogue entry. Versions count the edits of a code
 * from 1; a code never edited (a seed entry, or nothing) is at version 0.
 */
export interface ReferenceEdit<T> {
  readonly code: string;
  readonly version: number;
  /** The entry as it now stands; null when the edit removed the code. */
  readonly entry: T | null;
  readonly updatedAt: string;
  /** Who made the edit (the token's subject, or the administrator's agency). */
  readonly updatedBy: string;
}

export interface ReferenceEdits {
  readonly agencies: readonly ReferenceEdit<Agency>[];
  readonly documentTypes: readonly ReferenceEdit<DocumentType>[];
}

/**
 * Administrator edits of the agency directory and the document-type catalogue, kept apart from
 * the seed (or `DIRECTORY_FILE`) they are laid over. Only the latest edit of each code is kept.
 */
export interface ReferenceStore {
  /** The latest edit of every code, in both lists. */
  edits(): Promise<ReferenceEdits>;
  /**
   * Stores `edit` only if the code's stored version is still `edit.version - 1`; false when
   * another edit came first (optimistic concurrency), and nothing is written.
   */
  saveAgency(edit: ReferenceEdit<Agency>): Promise<boolean>;
  saveDocumentType(edit: ReferenceEdit<DocumentType>): Promise<boolean>;
}
