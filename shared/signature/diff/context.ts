import type { PdfDocument, XrefEntry } from '#pdf/document.ts';
import {
  isDict,
  isRef,
  isStream,
  type PdfDict,
  type PdfObject,
  type PdfRef,
  refKey,
} from '#pdf/objects.ts';
import { DomainError } from '#shared/errors.ts';
import { changedKeys } from './compare.ts';

/**
 * How far changes after a signature go, in increasing order of what they can do to the document
 * (pyHanko's `ModificationLevel`).
 */
export type ModificationLevel = 'NONE' | 'LTA_UPDATES' | 'FORM_FILLING' | 'ANNOTATIONS' | 'OTHER';

const ORDER: Record<ModificationLevel, number> = {
  NONE: 0,
  LTA_UPDATES: 1,
  FORM_FILLING: 2,
  ANNOTATIONS: 3,
  OTHER: 4,
};

export const levelAtMost = (level: ModificationLevel, limit: ModificationLevel): boolean =>
  ORDER[level] <= ORDER[limit];

export const maxLevel = (a: ModificationLevel, b: ModificationLevel): ModificationLevel =>
  ORDER[a] >= ORDER[b] ? a : b;

/** A change no rule can explain; the analysis records it at level OTHER and goes on. */
export class SuspiciousModificationError extends DomainError {}

/** The compare budget ran out; the analysis fails closed. */
export class AnalysisBudgetExceededError extends DomainError {}

/** Counts objects loaded and compared so hostile files cannot make the analysis unbounded. */
export class Budget {
  readonly max: number;
  used = 0;
  constructor(max: number) {
    this.max = max;
  }
  spend(n = 1): void {
    this.used += n;
    if (this.used > this.max) {
      throw new AnalysisBudgetExceededError(`analysis budget exceeded (${this.max} objects)`);
    }
  }
}

/**
 * One place where an indirect object is referenced: inside the direct structure of `from` (an
 * object key such as "3 0", or "trailer") at `path` ("/Annots[2]", "/AP/N", "[0]").
 */
export interface Usage {
  readonly from: string;
  readonly path: string;
}

/** Where a direct object sits: at `path` inside the indirect object (or trailer) `container`. */
export interface Loc {
  readonly container: string;
  readonly path: string;
}

export const usageAt = (loc: Loc, segment: string): Usage => ({
  from: loc.container,
  path: `${loc.path}${segment}`,
});

const MAX_NESTING = 64;

/** Calls `visit` for every reference in the direct structure of `o` (a stream's dictionary included). */
export function forEachRef(
  o: PdfObject | undefined,
  path: string,
  visit: (r: PdfRef, path: string) => void,
  depth = 0,
): void {
  if (depth > MAX_NESTING) {
    throw new SuspiciousModificationError(`objects nested deeper than ${MAX_NESTING} levels`);
  }
  if (o === null || o === undefined || typeof o !== 'object') return;
  if (o.kind === 'ref') visit(o, path);
  else if (o.kind === 'array') {
    o.items.forEach((item, i) => {
      forEachRef(item, `${path}[${i}]`, visit, depth + 1);
    });
  } else if (o.kind === 'dict' || o.kind === 'stream') {
    const d = o.kind === 'dict' ? o : o.dict;
    for (const [k, v] of d.entries) forEachRef(v, `${path}/${k}`, visit, depth + 1);
  }
}

/** Merged xref view: for each object number, the entry that is current after `upTo`. */
function mergeEntries(doc: PdfDocument, from: number, upTo: number): Map<number, XrefEntry> {
  const merged = new Map<number, XrefEntry>();
  for (let i = from; i <= upTo; i++) {
    const rev = doc.revisions[i];
    if (rev) for (const [num, entry] of rev.entries) merged.set(num, entry);
  }
  return merged;
}

const inUse = (e: XrefEntry | undefined): e is XrefEntry => e !== undefined && e.type !== 'free';

/**
 * Everything the analysis needs to know about the signed revision: which objects it defines, and
 * every place each indirect object is referenced from when walking from its trailer. A later
 * revision may replace one of these objects only if a rule clears every one of its usages.
 */
export class SignedRevisionIndex {
  readonly doc: PdfDocument;
  readonly revision: number;
  readonly budget: Budget;
  readonly entries: Map<number, XrefEntry>;
  readonly usages = new Map<string, Usage[]>();
  /** First path from the trailer to each reachable object, for reports. */
  readonly paths = new Map<string, string>();

  constructor(doc: PdfDocument, revision: number, budget: Budget) {
    this.doc = doc;
    this.revision = revision;
    this.budget = budget;
    this.entries = mergeEntries(doc, 0, revision);
    this.walk();
  }

  defines(r: { num: number; gen: number }): boolean {
    const e = this.entries.get(r.num);
    return inUse(e) && e.gen === r.gen;
  }

  /** Reached from the trailer in the signed revision (defined or dangling). */
  reaches(key: string): boolean {
    return this.paths.has(key);
  }

  private walk(): void {
    const queue: PdfRef[] = [];
    const record = (from: string, base: string) => (r: PdfRef, path: string) => {
      const key = refKey(r);
      const list = this.usages.get(key);
      if (list) list.push({ from, path });
      else this.usages.set(key, [{ from, path }]);
      if (!this.paths.has(key)) {
        this.paths.set(key, `${base}${path}`);
        queue.push(r);
      }
    };
    forEachRef(this.doc.trailer(this.revision), '', record('trailer', ''));
    for (let i = 0; i < queue.length; i++) {
      const r = queue[i];
      if (!r) continue;
      this.budget.spend();
      const key = refKey(r);
      const o = this.doc.getObject(r.num, r.gen, this.revision);
      forEachRef(o, '', record(key, this.paths.get(key) ?? ''));
    }
  }
}

/** How a rule vouches for an object written after signing. */
export type Scope =
  /** A fresh object: fine wherever it is used. Does not clear usages of a replaced object. */
  | 'fresh'
  /** Every usage of the replaced object is accounted for (the catalog, a page after /Annots grew). */
  | 'all'
  /** Exactly this usage in the signed revision is accounted for. */
  | Usage;

export interface Approval {
  readonly level: ModificationLevel;
  readonly scope: Scope;
  readonly description: string;
}

/** A value read from a dictionary together with where it sits. */
export interface Located {
  readonly value: PdfObject | undefined;
  readonly ref?: PdfRef;
  readonly loc: Loc;
}

/**
 * The comparison of one later revision against the signed one: resolution in both, the rules'
 * approvals, and the helpers the rules share (pyHanko's `compare_dicts`, `compare_key_refs`,
 * `safe_whitelist`, `collect_dependencies`).
 */
export class RevisionDiff {
  readonly doc: PdfDocument;
  readonly index: SignedRevisionIndex;
  readonly oldRev: number;
  readonly newRev: number;
  readonly docMdp: 1 | 2 | 3 | undefined;
  /** Entries written after signing, up to and including this revision. */
  readonly since: Map<number, XrefEntry>;
  readonly approvals = new Map<string, Approval[]>();

  constructor(index: SignedRevisionIndex, newRev: number, docMdp: 1 | 2 | 3 | undefined) {
    this.doc = index.doc;
    this.index = index;
    this.oldRev = index.revision;
    this.newRev = newRev;
    this.docMdp = docMdp;
    this.since = mergeEntries(index.doc, index.revision + 1, newRev);
  }

  get budget(): Budget {
    return this.index.budget;
  }

  oldObject(r: PdfRef): PdfObject | undefined {
    this.budget.spend();
    return this.doc.getObject(r.num, r.gen, this.oldRev);
  }

  newObject(r: PdfRef): PdfObject | undefined {
    this.budget.spend();
    return this.doc.getObject(r.num, r.gen, this.newRev);
  }

  old(o: PdfObject | undefined): PdfObject | undefined {
    return isRef(o) ? this.oldObject(o) : o;
  }

  new(o: PdfObject | undefined): PdfObject | undefined {
    return isRef(o) ? this.newObject(o) : o;
  }

  /** Written in a revision after the signed one (new, or replacing an object of the signed one). */
  writtenSince(r: PdfRef): boolean {
    const e = this.since.get(r.num);
    return inUse(e) && e.gen === r.gen;
  }

  /** Neither defined nor referenced in the signed revision. */
  isFresh(r: PdfRef): boolean {
    return !this.index.defines(r) && !this.index.usages.has(refKey(r));
  }

  approve(r: PdfRef, level: ModificationLevel, scope: Scope, description: string): void {
    const key = refKey(r);
    const list = this.approvals.get(key);
    const approval = { level, scope, description };
    if (list) list.push(approval);
    else this.approvals.set(key, [approval]);
  }

  /**
   * Approves every object reachable from `o` through objects written after signing (pyHanko's
   * `collect_dependencies(…, since_revision)`), as fresh objects: replaced objects of the signed
   * revision reached this way still need their own usages cleared.
   */
  approveDependencies(o: PdfObject | undefined, level: ModificationLevel, description: string) {
    const seen = new Set<string>();
    const stack: PdfObject[] = [o ?? null];
    while (stack.length > 0) {
      const current = stack.pop();
      forEachRef(current, '', (r) => {
        const key = refKey(r);
        if (seen.has(key) || !this.writtenSince(r)) return;
        seen.add(key);
        this.approve(r, level, 'fresh', description);
        stack.push(this.newObject(r) ?? null);
      });
    }
  }

  /**
   * An indirect value may be replaced in place only if it is not a stream, or by a fresh object;
   * anything else reuses an object of the signed revision in an unexpected way.
   */
  safeRef(oldRef: PdfRef | undefined, newRef: PdfRef, what: string): void {
    if (oldRef && isStream(this.oldObject(oldRef))) {
      throw new SuspiciousModificationError(`${what} was a stream in the signed revision`);
    }
    if (oldRef && refKey(oldRef) === refKey(newRef)) {
      if (isStream(this.newObject(newRef))) {
        throw new SuspiciousModificationError(`${what} was replaced by a stream`);
      }
      return;
    }
    if (!this.isFresh(newRef)) {
      throw new SuspiciousModificationError(
        `${what} now points to ${refKey(newRef)}, an object of the signed revision`,
      );
    }
  }

  /**
   * Reads `key` in the old and new dictionary. A deleted key is suspicious; a new indirect value is
   * approved in the usage it replaces after `safeRef`.
   */
  compareKeyRefs(
    key: string,
    oldDict: PdfDict | undefined,
    oldLoc: Loc,
    newDict: PdfDict,
    newLoc: Loc,
    level: ModificationLevel,
    description: string,
  ): { old: Located; new: Located } {
    const oldRaw = oldDict?.entries.get(key);
    const newRaw = newDict.entries.get(key);
    const old = this.locate(oldRaw, oldLoc, `/${key}`, 'old');
    const neu = this.locate(newRaw, newLoc, `/${key}`, 'new');
    if (newRaw === undefined) {
      if (oldRaw !== undefined) {
        throw new SuspiciousModificationError(`/${key} was removed (${description})`);
      }
      return { old, new: neu };
    }
    if (isRef(newRaw)) {
      this.safeRef(isRef(oldRaw) ? oldRaw : undefined, newRaw, `/${key}`);
      this.approve(newRaw, level, usageAt(oldLoc, `/${key}`), description);
    }
    return { old, new: neu };
  }

  locate(raw: PdfObject | undefined, loc: Loc, segment: string, which: 'old' | 'new'): Located {
    if (isRef(raw)) {
      const value = which === 'old' ? this.oldObject(raw) : this.newObject(raw);
      return { value, ref: raw, loc: { container: refKey(raw), path: '' } };
    }
    return { value: raw, loc: { container: loc.container, path: `${loc.path}${segment}` } };
  }

  /** pyHanko's `compare_dicts`: equal but for `ignored` keys, else suspicious. */
  requireSameDict(
    oldDict: PdfObject | undefined,
    newDict: PdfObject | undefined,
    ignored: ReadonlySet<string>,
    what: string,
  ): void {
    if (!isDict(oldDict)) {
      throw new SuspiciousModificationError(`${what} is not a dictionary in the signed revision`);
    }
    if (!isDict(newDict))
      throw new SuspiciousModificationError(`${what} is no longer a dictionary`);
    const changed = changedKeys(this.doc, oldDict, newDict, ignored);
    if (changed.length > 0) {
      throw new SuspiciousModificationError(`${what} changed: ${changed.join(', ')}`);
    }
  }

  sameDict(oldDict: PdfDict, newDict: PdfDict, ignored: ReadonlySet<string>): boolean {
    return changedKeys(this.doc, oldDict, newDict, ignored).length === 0;
  }
}
