import { withInstalledKeys } from '../keys/agency-keys.ts';
import type { AgencyKeyRecord, AgencyKeyRegistry } from '../ports/agency-key-registry.ts';
import type { ReferenceEdit, ReferenceEdits, ReferenceStore } from '../ports/reference-store.ts';
import { type DocumentTypeCatalogue, loadDocumentTypeCatalogue } from '../routing/catalogue.ts';
import { type AgencyDirectory, loadAgencyDirectory } from '../routing/directory.ts';

/** The directory and catalogue shipped with the deployment (seed, or `DIRECTORY_FILE`). */
export interface ReferenceBase {
  readonly directory: AgencyDirectory;
  readonly catalogue: DocumentTypeCatalogue;
}

/**
 * The directory and catalogue in force: the base with every administrator edit laid over it,
 * and each agency's installed organization key in place of its configured one.
 */
export interface ReferenceSnapshot extends ReferenceBase {
  /** Version of each edited code; a code missing here is at version 0. */
  readonly versions: {
    readonly agencies: ReadonlyMap<string, number>;
    readonly documentTypes: ReadonlyMap<string, number>;
  };
  /** Id of the installed key of each agency that has one (`REF#AGENCYKEY`). */
  readonly installedKeys: ReadonlyMap<string, string>;
}

/**
 * Lays edits over base entries: an edited code keeps its place with the edited entry, a deleted
 * one goes, and codes the base does not have follow in code order.
 */
export function overlayEntries<T extends { readonly code: string }>(
  base: readonly T[],
  edits: readonly ReferenceEdit<T>[],
): T[] {
  const byCode = new Map(edits.map((e) => [e.code, e]));
  const kept = base.flatMap((entry) => {
    const edit = byCode.get(entry.code);
    if (edit === undefined) return [entry];
    return edit.entry === null ? [] : [edit.entry];
  });
  const baseCodes = new Set(base.map((e) => e.code));
  const added = edits
    .filter((e) => !baseCodes.has(e.code))
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    .flatMap((e) => (e.entry === null ? [] : [e.entry]));
  return [...kept, ...added];
}

/**
 * The effective directory and catalogue, validated as the seed is (`loadAgencyDirectory`,
 * `loadDocumentTypeCatalogue`): edits that together make an invalid list throw here. Installed
 * keys are laid last, over the edits: an agency with an installed key signs with it, whatever
 * its entry says, until another key is installed.
 */
export function applyEdits(
  base: ReferenceBase,
  edits: ReferenceEdits,
  installed: readonly AgencyKeyRecord[] = [],
): ReferenceSnapshot {
  const agencies = overlayEntries(base.directory.agencies, edits.agencies);
  return {
    directory: loadAgencyDirectory(withInstalledKeys(agencies, installed)),
    catalogue: loadDocumentTypeCatalogue(overlayEntries(base.catalogue.types, edits.documentTypes)),
    versions: {
      agencies: new Map(edits.agencies.map((e) => [e.code, e.version])),
      documentTypes: new Map(edits.documentTypes.map((e) => [e.code, e.version])),
    },
    installedKeys: installedKeyIds(installed),
  };
}

function installedKeyIds(records: readonly AgencyKeyRecord[]): Map<string, string> {
  return new Map(
    records.flatMap((r) => (r.installed === undefined ? [] : [[r.agency, r.installed.keyId]])),
  );
}

/** How long a handler works from one reading of the edits, like Powertools parameters. */
export const REFERENCE_MAX_AGE_MS = 60_000;

/**
 * The effective reference data, read from the store (and the installed keys from the key
 * registry) at most once per `maxAgeMs`: an edit or an installed key reaches every function
 * within that age, and a fresh cache costs no read per document. Concurrent callers share one
 * read; a failed read is not cached, so the next call tries again.
 */
export class ReferenceCache {
  readonly #base: ReferenceBase;
  readonly #store: ReferenceStore;
  readonly #keys: Pick<AgencyKeyRegistry, 'listInstalled'> | undefined;
  readonly #clock: { now(): Date };
  readonly #maxAgeMs: number;
  #loaded: { readonly at: number; readonly snapshot: Promise<ReferenceSnapshot> } | undefined;

  constructor(options: {
    readonly base: ReferenceBase;
    readonly store: ReferenceStore;
    /** Installed organization keys. @default none: agencies sign as their entries say */
    readonly keys?: Pick<AgencyKeyRegistry, 'listInstalled'>;
    readonly clock: { now(): Date };
    /** @default REFERENCE_MAX_AGE_MS */
    readonly maxAgeMs?: number;
  }) {
    this.#base = options.base;
    this.#store = options.store;
    this.#keys = options.keys;
    this.#clock = options.clock;
    this.#maxAgeMs = options.maxAgeMs ?? REFERENCE_MAX_AGE_MS;
  }

  /** The snapshot, read again when older than the max age. */
  current(): Promise<ReferenceSnapshot> {
    const now = this.#clock.now().getTime();
    if (this.#loaded === undefined || now - this.#loaded.at >= this.#maxAgeMs) {
      return this.latest();
    }
    return this.#loaded.snapshot;
  }

  /** A snapshot read now, whatever the cache holds (administrators' edits start from this). */
  latest(): Promise<ReferenceSnapshot> {
    const previous = this.#loaded?.snapshot.catch(() => undefined);
    const loaded = {
      at: this.#clock.now().getTime(),
      snapshot: Promise.all([this.#store.edits(), this.#keys?.listInstalled() ?? []]).then(
        async ([edits, installed]) => {
          const before = await previous;
          // Unchanged edits and keys keep the same snapshot object, so derived values (the
          // countersign function's signers) are not rebuilt.
          if (before !== undefined && unchanged(before, edits, installed)) return before;
          return applyEdits(this.#base, edits, installed);
        },
      ),
    };
    this.#loaded = loaded;
    loaded.snapshot.catch(() => {
      if (this.#loaded === loaded) this.#loaded = undefined;
    });
    return loaded.snapshot;
  }

  /**
   * Forgets the snapshot, so the next call reads the store (after an edit or a key installation
   * by this function).
   */
  invalidate(): void {
    this.#loaded = undefined;
  }

  /**
   * A value built from the snapshot (signers, lookups), built again only when the snapshot
   * changes.
   */
  derive<T>(build: (snapshot: ReferenceSnapshot) => T): () => Promise<T> {
    let memo: { readonly from: ReferenceSnapshot; readonly value: T } | undefined;
    return async () => {
      const snapshot = await this.current();
      if (memo?.from !== snapshot) memo = { from: snapshot, value: build(snapshot) };
      return memo.value;
    };
  }
}

function unchanged(
  snapshot: ReferenceSnapshot,
  edits: ReferenceEdits,
  installed: readonly AgencyKeyRecord[],
): boolean {
  const same = (known: ReadonlyMap<string, number>, list: readonly ReferenceEdit<unknown>[]) =>
    known.size === list.length && list.every((e) => known.get(e.code) === e.version);
  const keys = installedKeyIds(installed);
  return (
    same(snapshot.versions.agencies, edits.agencies) &&
    same(snapshot.versions.documentTypes, edits.documentTypes) &&
    keys.size === snapshot.installedKeys.size &&
    [...keys].every(([agency, keyId]) => snapshot.installedKeys.get(agency) === keyId)
  );
}
