import type { z } from 'zod';
import { DomainError } from '../errors.ts';
import type { ReferenceEdit, ReferenceStore } from '../ports/reference-store.ts';
import { type DocumentType, documentTypeCatalogueSchema } from '../routing/catalogue.ts';
import { type Agency, agencyDirectorySchema } from '../routing/directory.ts';
import {
  agencyCreateBodySchema,
  agencyUpdateBodySchema,
  type deletedReferenceSchema,
  documentTypeCreateBodySchema,
  documentTypeUpdateBodySchema,
  referenceDeleteQuerySchema,
  type savedAgencySchema,
  type savedDocumentTypeSchema,
} from './api-schemas.ts';
import type { Caller } from './caller.ts';
import { adminAgencyView } from './directory-queries.ts';
import { parseRequest, requireAdmin } from './document-queries.ts';
import { InvalidRequestError } from './errors.ts';
import { fieldErrors } from './field-errors.ts';
import type { ReferenceSnapshot } from './reference-data.ts';

/** No agency or document type with this code in force (never added, or deleted). */
export class ReferenceNotFoundError extends DomainError {}

/** `POST` of a code already in force. */
export class ReferenceExistsError extends DomainError {}

/** The editor's version is not the stored one, or another edit was stored first. */
export class StaleReferenceError extends DomainError {}

export interface ReferenceAdminDeps {
  readonly store: ReferenceStore;
  /** Edits start from a fresh read, and the cache is dropped once one is stored. */
  readonly reference: {
    latest(): Promise<ReferenceSnapshot>;
    invalidate(): void;
  };
  readonly clock: { now(): Date };
}

/** What differs between the two lists an administrator edits. */
interface EditedList<T extends { readonly code: string }> {
  readonly noun: string;
  entries(snapshot: ReferenceSnapshot): readonly T[];
  versions(snapshot: ReferenceSnapshot): ReadonlyMap<string, number>;
  readonly listSchema: z.ZodType;
  save(store: ReferenceStore, edit: ReferenceEdit<T>): Promise<boolean>;
}

const AGENCIES: EditedList<Agency> = {
  noun: 'agency',
  entries: (s) => s.directory.agencies,
  versions: (s) => s.versions.agencies,
  listSchema: agencyDirectorySchema,
  save: (store, edit) => store.saveAgency(edit),
};

const DOCUMENT_TYPES: EditedList<DocumentType> = {
  noun: 'document type',
  entries: (s) => s.catalogue.types,
  versions: (s) => s.versions.documentTypes,
  listSchema: documentTypeCatalogueSchema,
  save: (store, edit) => store.saveDocumentType(edit),
};

type Change<T> =
  | { readonly kind: 'create'; readonly entry: T }
  | {
      readonly kind: 'update';
      readonly code: string;
      readonly version: number | undefined;
      readonly entry: (current: T) => T;
    }
  | { readonly kind: 'delete'; readonly code: string; readonly version: number | undefined };

/**
 * One administrator edit:
 * 1. read the edits afresh and find the code (create: must be absent; update, delete: present);
 * 2. refuse a version other than the stored one (409) before anything else is checked;
 * 3. validate the whole list with the edit applied, as the seed is validated (400 with details);
 * 4. store it under version + 1 on condition that nobody stored another first (409), and drop
 *    the cache so this function serves the edit at once.
 */
async function applyChange<T extends { readonly code: string }>(
  deps: ReferenceAdminDeps,
  caller: Caller,
  list: EditedList<T>,
  change: Change<T>,
): Promise<{ readonly entry: T | null; readonly version: number }> {
  const snapshot = await deps.reference.latest();
  const code = change.kind === 'create' ? change.entry.code : change.code;
  const entries = list.entries(snapshot);
  const current = entries.find((e) => e.code === code);
  const stored = list.versions(snapshot).get(code) ?? 0;
  if (change.kind === 'create' && current !== undefined) {
    throw new ReferenceExistsError(`${list.noun} ${code} already exists; edit it with PUT`);
  }
  if (change.kind !== 'create') {
    if (current === undefined) throw new ReferenceNotFoundError(`no ${list.noun} ${code}`);
    if (change.version !== undefined && change.version !== stored) {
      throw new StaleReferenceError(
        `${list.noun} ${code} is at version ${stored}, not ${change.version}; reload it and edit again`,
      );
    }
  }
  const entry =
    change.kind === 'create'
      ? change.entry
      : change.kind === 'update' && current !== undefined
        ? change.entry(current)
        : null;
  const candidate = entries.flatMap((e) => (e.code === code ? [] : [e]));
  const index = entry === null ? -1 : candidate.push(entry) - 1;
  const checked = list.listSchema.safeParse(candidate);
  if (!checked.success) {
    const details = fieldErrors(checked.error).map((d) => ({
      field: d.field.replace(new RegExp(`^\\[${index}\\]\\.?`), ''),
      message: d.message,
    }));
    throw new InvalidRequestError(details, `the ${list.noun} would make the list invalid`);
  }
  const edit: ReferenceEdit<T> = {
    code,
    version: stored + 1,
    entry,
    updatedAt: deps.clock.now().toISOString(),
    updatedBy: caller.user ?? caller.agency,
  };
  if (!(await list.save(deps.store, edit))) {
    throw new StaleReferenceError(
      `${list.noun} ${code} was changed by someone else meanwhile; reload it and edit again`,
    );
  }
  deps.reference.invalidate();
  return { entry, version: edit.version };
}

type SavedAgency = z.infer<typeof savedAgencySchema>;
type SavedDocumentType = z.infer<typeof savedDocumentTypeSchema>;
type Deleted = z.infer<typeof deletedReferenceSchema>;

function codeMatchesPath(bodyCode: string | undefined, code: string): void {
  if (bodyCode !== undefined && bodyCode !== code) {
    throw new InvalidRequestError([{ field: 'code', message: `must be ${code}, as in the path` }]);
  }
}

function savedAgency(saved: { entry: Agency | null; version: number }): SavedAgency {
  if (saved.entry === null) throw new Error('a saved agency has an entry');
  return { ...adminAgencyView(saved.entry, saved.version), version: saved.version };
}

function savedDocumentType(saved: {
  entry: DocumentType | null;
  version: number;
}): SavedDocumentType {
  if (saved.entry === null) throw new Error('a saved document type has an entry');
  return { ...saved.entry, version: saved.version };
}

/** `POST /admin/agencies`. */
export async function createAgency(
  deps: ReferenceAdminDeps,
  caller: Caller,
  body: unknown,
): Promise<SavedAgency> {
  requireAdmin(caller);
  const entry = parseRequest(agencyCreateBodySchema, body);
  return savedAgency(await applyChange(deps, caller, AGENCIES, { kind: 'create', entry }));
}

/** `PUT /admin/agencies/{code}`: `organizationSigning` left out keeps the current one. */
export async function updateAgency(
  deps: ReferenceAdminDeps,
  caller: Caller,
  code: string,
  body: unknown,
): Promise<SavedAgency> {
  requireAdmin(caller);
  const {
    version,
    code: bodyCode,
    organizationSigning,
    ...fields
  } = parseRequest(agencyUpdateBodySchema, body);
  codeMatchesPath(bodyCode, code);
  const saved = await applyChange(deps, caller, AGENCIES, {
    kind: 'update',
    code,
    version,
    entry: (current) => {
      const signing =
        organizationSigning === undefined ? current.organizationSigning : organizationSigning;
      return { ...fields, code, ...(signing ? { organizationSigning: signing } : {}) };
    },
  });
  return savedAgency(saved);
}

/**
 * `DELETE /admin/agencies/{code}` and `/admin/document-types/{code}`: seeded entries too; the
 * deletion is an edit like any other.
 */
function deleter<T extends { readonly code: string }>(list: EditedList<T>) {
  return async (
    deps: ReferenceAdminDeps,
    caller: Caller,
    code: string,
    query: unknown,
  ): Promise<Deleted> => {
    requireAdmin(caller);
    const { version } = parseRequest(referenceDeleteQuerySchema, query);
    const saved = await applyChange(deps, caller, list, { kind: 'delete', code, version });
    return { code, deleted: true, version: saved.version };
  };
}

export const deleteAgency = deleter(AGENCIES);

/** `POST /admin/document-types`. */
export async function createDocumentType(
  deps: ReferenceAdminDeps,
  caller: Caller,
  body: unknown,
): Promise<SavedDocumentType> {
  requireAdmin(caller);
  const entry = parseRequest(documentTypeCreateBodySchema, body);
  return savedDocumentType(
    await applyChange(deps, caller, DOCUMENT_TYPES, { kind: 'create', entry }),
  );
}

/** `PUT /admin/document-types/{code}`. */
export async function updateDocumentType(
  deps: ReferenceAdminDeps,
  caller: Caller,
  code: string,
  body: unknown,
): Promise<SavedDocumentType> {
  requireAdmin(caller);
  const { version, code: bodyCode, ...fields } = parseRequest(documentTypeUpdateBodySchema, body);
  codeMatchesPath(bodyCode, code);
  const saved = await applyChange(deps, caller, DOCUMENT_TYPES, {
    kind: 'update',
    code,
    version,
    entry: () => ({ ...fields, code }),
  });
  return savedDocumentType(saved);
}

export const deleteDocumentType = deleter(DOCUMENT_TYPES);
