import {
  isArray,
  isDict,
  isName,
  isRef,
  type PdfDict,
  type PdfObject,
  type PdfRef,
  refKey,
} from '#pdf/objects.ts';
import { sameObject } from './compare.ts';
import {
  type ModificationLevel,
  maxLevel,
  type RevisionDiff,
  SuspiciousModificationError,
} from './context.ts';
import { catalogRef } from './document-rules.ts';
import type { NewSignatureWidgets } from './form-rules.ts';

const MAX_TREE_DEPTH = 64;
/** iText stamps its version into /ITXT of the page tree root on every save; it draws nothing. */
const ITEXT_MARKER = new Set(['ITXT']);

/**
 * The page tree must keep its shape (no page added, removed or reordered) and each page its
 * dictionary, except that /Annots may gain widgets of new signature fields (LTA_UPDATES, as in
 * pyHanko's `SigFieldCreationRule`) or other new annotations (ANNOTATIONS). Annotations of the
 * signed revision may not be removed.
 */
export function checkPages(diff: RevisionDiff, widgets: NewSignatureWidgets): void {
  const root = catalogRef(diff);
  const oldCatalog = diff.oldObject(root);
  const newCatalog = diff.newObject(root);
  if (!isDict(oldCatalog) || !isDict(newCatalog)) return;
  const oldPages = oldCatalog.entries.get('Pages');
  const newPages = newCatalog.entries.get('Pages');
  if (!isRef(oldPages) || !isRef(newPages)) {
    throw new SuspiciousModificationError('/Pages is not an indirect reference');
  }
  if (refKey(oldPages) !== refKey(newPages)) {
    throw new SuspiciousModificationError('the page tree root was replaced');
  }
  const oldRoot = diff.oldObject(oldPages);
  const newRoot = diff.newObject(newPages);
  if (isDict(oldRoot) && isDict(newRoot) && diff.sameDict(oldRoot, newRoot, ITEXT_MARKER)) {
    if (!diff.sameDict(oldRoot, newRoot, new Set())) {
      diff.approve(
        newPages,
        'LTA_UPDATES',
        'all',
        'iText version marker /ITXT of the page tree updated',
      );
    }
  }
  const state = { page: 0, seen: new Set<string>() };
  walk(diff, widgets, oldPages, state, 0);
}

function walk(
  diff: RevisionDiff,
  widgets: NewSignatureWidgets,
  ref: PdfRef,
  state: { page: number; seen: Set<string> },
  depth: number,
): void {
  const key = refKey(ref);
  if (depth > MAX_TREE_DEPTH || state.seen.has(key)) {
    throw new SuspiciousModificationError('circular or too deep page tree');
  }
  state.seen.add(key);
  const oldNode = diff.oldObject(ref);
  const newNode = diff.newObject(ref);
  if (!isDict(oldNode))
    throw new SuspiciousModificationError(`page tree node ${key} is not a dictionary`);
  if (!isDict(newNode)) throw new SuspiciousModificationError(`page tree node ${key} was replaced`);
  const isNode =
    isName(oldNode.entries.get('Type'), 'Pages') ||
    (!isName(oldNode.entries.get('Type'), 'Page') && oldNode.entries.has('Kids'));
  if (!isNode) {
    checkPage(diff, widgets, ref, oldNode, newNode, state.page);
    state.page += 1;
    return;
  }
  const oldKids = diff.old(oldNode.entries.get('Kids'));
  const newKids = diff.new(newNode.entries.get('Kids'));
  if (!isArray(oldKids) || !isArray(newKids) || !sameObject(diff.doc, oldKids, newKids)) {
    throw new SuspiciousModificationError(
      `the page tree changed under ${key} (pages added, removed or reordered)`,
    );
  }
  for (const kid of oldKids.items) {
    if (!isRef(kid)) throw new SuspiciousModificationError('a page tree kid is not indirect');
    walk(diff, widgets, kid, state, depth + 1);
  }
}

function annotItems(
  diff: RevisionDiff,
  raw: PdfObject | undefined,
  which: 'old' | 'new',
): PdfObject[] {
  if (raw === undefined) return [];
  const v = which === 'old' ? diff.old(raw) : diff.new(raw);
  if (!isArray(v)) throw new SuspiciousModificationError('/Annots is not an array');
  return v.items;
}

function checkPage(
  diff: RevisionDiff,
  widgets: NewSignatureWidgets,
  ref: PdfRef,
  oldPage: PdfDict,
  newPage: PdfDict,
  index: number,
): void {
  const oldRaw = oldPage.entries.get('Annots');
  const newRaw = newPage.entries.get('Annots');
  const oldItems = annotItems(diff, oldRaw, 'old');
  const newItems = annotItems(diff, newRaw, 'new');
  if (
    sameObject(diff.doc, { kind: 'array', items: oldItems }, { kind: 'array', items: newItems })
  ) {
    return;
  }
  const where = `page ${index + 1}`;
  const kept = new Set(newItems.filter(isRef).map(refKey));
  for (const item of oldItems) {
    const present = isRef(item)
      ? kept.has(refKey(item))
      : newItems.some((n) => sameObject(diff.doc, item, n));
    if (!present) {
      throw new SuspiciousModificationError(
        `an annotation${isRef(item) ? ` (${refKey(item)})` : ''} was removed from ${where}`,
      );
    }
  }
  const before = new Set(oldItems.filter(isRef).map(refKey));
  let level: ModificationLevel = 'LTA_UPDATES';
  const added: string[] = [];
  for (const item of newItems) {
    if (isRef(item) && before.has(refKey(item))) continue;
    if (!isRef(item)) {
      if (oldItems.some((o) => sameObject(diff.doc, o, item))) continue;
      throw new SuspiciousModificationError(`a direct annotation was added to ${where}`);
    }
    const field = widgets.get(refKey(item));
    if (field !== undefined) {
      added.push(`widget of ${field}`);
      continue;
    }
    level = maxLevel(level, addedAnnotation(diff, item, where));
    added.push(`annotation ${refKey(item)}`);
  }
  diff.requireSameDict(oldPage, newPage, new Set(['Annots']), where);
  const description = `${added.join(', ')} added to ${where}`;
  diff.approve(ref, level, 'all', description);
  if (isRef(newRaw)) {
    if (!(isRef(oldRaw) && refKey(oldRaw) === refKey(newRaw)) && !diff.isFresh(newRaw)) {
      throw new SuspiciousModificationError(
        `/Annots of ${where} reuses an object of the signed revision`,
      );
    }
    diff.approve(newRaw, level, { from: refKey(ref), path: '/Annots' }, description);
  }
}

/** A new annotation that is not a signature widget: an ANNOTATIONS-level change. */
function addedAnnotation(diff: RevisionDiff, r: PdfRef, where: string): ModificationLevel {
  const annot = diff.newObject(r);
  if (!isDict(annot))
    throw new SuspiciousModificationError(`a non-dictionary was added to /Annots of ${where}`);
  if (isName(annot.entries.get('Subtype'), 'Widget')) {
    throw new SuspiciousModificationError(
      `a widget annotation ${refKey(r)} not belonging to a new signature field was added to ${where}`,
    );
  }
  if (!diff.isFresh(r)) {
    throw new SuspiciousModificationError(
      `${refKey(r)}, an object of the signed revision, was added as an annotation to ${where}`,
    );
  }
  const description = `annotation ${refKey(r)} added to ${where}`;
  diff.approve(r, 'ANNOTATIONS', 'fresh', description);
  diff.approveDependencies(
    { kind: 'dict', entries: new Map([...annot.entries].filter(([k]) => k !== 'P')) },
    'ANNOTATIONS',
    description,
  );
  return 'ANNOTATIONS';
}
