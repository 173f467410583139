import {
  isArray,
  isDict,
  isName,
  isRef,
  isStream,
  type PdfDict,
  type PdfObject,
  type PdfRef,
  refKey,
} from '#pdf/objects.ts';
import { changedKeys, sameObject } from './compare.ts';
import {
  type Loc,
  type ModificationLevel,
  type RevisionDiff,
  SuspiciousModificationError,
  usageAt,
} from './context.ts';

/** Trailer keys that describe the file structure of a revision, not the document. */
const TRAILER_STRUCTURAL = new Set([
  'Size',
  'Prev',
  'XRefStm',
  'ID',
  'Info',
  'Type',
  'W',
  'Index',
  'Filter',
  'DecodeParms',
  'Length',
  'DL',
  'DocChecksum',
]);

/**
 * Catalog keys that may change after signing, each checked by its own rule: pyHanko's
 * `ROOT_EXEMPT_STRICT_COMPARISON` plus /Names, which may only gain the /AP name tree of annotation
 * appearances (at ANNOTATIONS). /Perms, /OpenAction, /Pages and every other key stay as signed.
 */
const CATALOG_MAY_CHANGE = new Set([
  'Names',
  'AcroForm',
  'DSS',
  'Extensions',
  'Metadata',
  'MarkInfo',
  'Version',
]);

const rootLoc = (root: PdfRef): Loc => ({ container: refKey(root), path: '' });

/** The catalog reference of both revisions, which must be the same object. */
export function catalogRef(diff: RevisionDiff): PdfRef {
  const oldRoot = diff.doc.trailer(diff.oldRev).entries.get('Root');
  const newRoot = diff.doc.trailer(diff.newRev).entries.get('Root');
  if (!isRef(oldRoot)) {
    throw new SuspiciousModificationError('the signed revision has no indirect /Root');
  }
  if (!isRef(newRoot) || refKey(newRoot) !== refKey(oldRoot)) {
    throw new SuspiciousModificationError(
      `the trailer /Root was redirected from ${refKey(oldRoot)} to ${isRef(newRoot) ? refKey(newRoot) : 'a direct object'}`,
    );
  }
  return newRoot;
}

/** pyHanko's `CatalogModificationRule`, plus the trailer. */
export function checkTrailerAndCatalog(diff: RevisionDiff): void {
  const root = catalogRef(diff);
  const oldTrailer = diff.doc.trailer(diff.oldRev);
  const newTrailer = diff.doc.trailer(diff.newRev);
  const trailerChanges = changedKeys(diff.doc, oldTrailer, newTrailer, TRAILER_STRUCTURAL);
  if (trailerChanges.length > 0) {
    throw new SuspiciousModificationError(`the trailer changed: ${trailerChanges.join(', ')}`);
  }
  const oldCatalog = diff.oldObject(root);
  const newCatalog = diff.newObject(root);
  diff.requireSameDict(oldCatalog, newCatalog, CATALOG_MAY_CHANGE, 'the document catalog');
  if (!isDict(oldCatalog) || !isDict(newCatalog)) return;
  const changed = changedKeys(diff.doc, oldCatalog, newCatalog);
  const namesLevel = checkNames(diff, root, oldCatalog, newCatalog);
  diff.approve(
    root,
    namesLevel,
    'all',
    `document catalog updated (${changed.join(', ') || 'no key changed'})`,
  );
  const version = newCatalog.entries.get('Version');
  if (version !== undefined && !isName(version)) {
    throw new SuspiciousModificationError('/Version of the catalog is not a name');
  }
  const markInfo = diff.compareKeyRefs(
    'MarkInfo',
    oldCatalog,
    rootLoc(root),
    newCatalog,
    rootLoc(root),
    'LTA_UPDATES',
    'mark information updated',
  );
  if (markInfo.new.value !== undefined && !isDict(markInfo.new.value)) {
    throw new SuspiciousModificationError('/MarkInfo is not a dictionary');
  }
  checkExtensions(diff, root, oldCatalog, newCatalog);
}

/**
 * The name dictionary may only gain or change its /AP tree (named appearance streams that
 * annotation tools such as Acrobat's stamps add); every other name tree stays as signed.
 */
function checkNames(
  diff: RevisionDiff,
  root: PdfRef,
  oldCatalog: PdfDict,
  newCatalog: PdfDict,
): ModificationLevel {
  const description = 'named annotation appearances updated';
  const names = diff.compareKeyRefs(
    'Names',
    oldCatalog,
    rootLoc(root),
    newCatalog,
    rootLoc(root),
    'ANNOTATIONS',
    description,
  );
  if (names.new.value === undefined) return 'LTA_UPDATES';
  const oldNames = isDict(names.old.value) ? names.old.value : dictOf({});
  diff.requireSameDict(oldNames, names.new.value, new Set(['AP']), 'the name dictionary');
  if (!isDict(names.new.value)) return 'LTA_UPDATES';
  if (sameObject(diff.doc, oldNames.entries.get('AP'), names.new.value.entries.get('AP'))) {
    return names.new.ref && names.old.ref && refKey(names.new.ref) === refKey(names.old.ref)
      ? 'LTA_UPDATES'
      : 'ANNOTATIONS';
  }
  const ap = diff.compareKeyRefs(
    'AP',
    oldNames,
    names.old.loc,
    names.new.value,
    names.new.loc,
    'ANNOTATIONS',
    description,
  );
  diff.approveDependencies(ap.new.value ?? null, 'ANNOTATIONS', description);
  return 'ANNOTATIONS';
}

const dictOf = (entries: Record<string, PdfObject>): PdfDict => ({
  kind: 'dict',
  entries: new Map(Object.entries(entries)),
});

const EXTENSION_KEYS = new Set([
  'Type',
  'BaseVersion',
  'ExtensionLevel',
  'URL',
  'ExtensionRevision',
]);

/**
 * Developer extensions are declarations only; each prefix of the signed revision must still be
 * declared, with every extension it declared, and new ones may be added.
 */
function checkExtensions(
  diff: RevisionDiff,
  root: PdfRef,
  oldCatalog: PdfDict,
  newCatalog: PdfDict,
): void {
  const { old, new: neu } = diff.compareKeyRefs(
    'Extensions',
    oldCatalog,
    rootLoc(root),
    newCatalog,
    rootLoc(root),
    'LTA_UPDATES',
    'developer extensions declared',
  );
  if (neu.value === undefined) return;
  if (!isDict(neu.value)) throw new SuspiciousModificationError('/Extensions is not a dictionary');
  const oldExt = isDict(old.value) ? old.value : undefined;
  for (const [prefix, value] of neu.value.entries) {
    for (const ext of extensionDicts(value)) {
      const unknown = [...ext.entries.keys()].filter((k) => !EXTENSION_KEYS.has(k));
      if (unknown.length > 0) {
        throw new SuspiciousModificationError(
          `developer extension ${prefix} has unexpected keys ${unknown.join(', ')}`,
        );
      }
    }
  }
  for (const [prefix, value] of oldExt?.entries ?? []) {
    const kept = extensionDicts(neu.value.entries.get(prefix));
    for (const ext of extensionDicts(value)) {
      if (!kept.some((k) => diff.sameDict(ext, k, new Set()))) {
        throw new SuspiciousModificationError(
          `developer extension ${prefix} was changed or removed`,
        );
      }
    }
  }
}

function extensionDicts(value: PdfObject | undefined): PdfDict[] {
  if (value === undefined) return [];
  if (isDict(value)) return [value];
  if (isArray(value) && value.items.every(isDict)) return value.items.filter(isDict);
  throw new SuspiciousModificationError('developer extensions must be direct dictionaries');
}

/** pyHanko's `DocInfoRule`: the document information dictionary may be rewritten. */
export function checkDocInfo(diff: RevisionDiff): void {
  const oldTrailer = diff.doc.trailer(diff.oldRev);
  const newTrailer = diff.doc.trailer(diff.newRev);
  const trailerLoc: Loc = { container: 'trailer', path: '' };
  const { new: neu } = diff.compareKeyRefs(
    'Info',
    oldTrailer,
    trailerLoc,
    newTrailer,
    trailerLoc,
    'LTA_UPDATES',
    'document information dictionary updated',
  );
  if (neu.value === undefined) return;
  if (!isDict(neu.value)) {
    throw new SuspiciousModificationError('/Info is not a dictionary');
  }
  diff.approveDependencies(neu.value, 'LTA_UPDATES', 'document information dictionary updated');
}

/** pyHanko's `MetadataUpdateRule`: the XMP metadata stream may be replaced or rewritten. */
export function checkMetadata(diff: RevisionDiff): void {
  const root = catalogRef(diff);
  const oldCatalog = diff.oldObject(root);
  const newCatalog = diff.newObject(root);
  if (!isDict(oldCatalog) || !isDict(newCatalog)) return;
  const oldRaw = oldCatalog.entries.get('Metadata');
  const newRaw = newCatalog.entries.get('Metadata');
  if (newRaw === undefined) {
    if (oldRaw !== undefined) throw new SuspiciousModificationError('/Metadata was removed');
    return;
  }
  if (!isRef(newRaw)) throw new SuspiciousModificationError('/Metadata is not an indirect stream');
  const stream = diff.newObject(newRaw);
  const meta = isStream(stream) ? stream.dict : undefined;
  if (!meta || !isName(meta.entries.get('Type'), 'Metadata')) {
    throw new SuspiciousModificationError('/Metadata is not a metadata stream');
  }
  if (!isName(meta.entries.get('Subtype'), 'XML')) {
    throw new SuspiciousModificationError('/Metadata is not an XML stream');
  }
  if (!(isRef(oldRaw) && refKey(oldRaw) === refKey(newRaw)) && !diff.isFresh(newRaw)) {
    throw new SuspiciousModificationError(
      `/Metadata now points to ${refKey(newRaw)}, an object of the signed revision`,
    );
  }
  diff.approve(newRaw, 'LTA_UPDATES', usageAt(rootLoc(root), '/Metadata'), 'XMP metadata updated');
}

const DSS_STREAM_KEYS = ['Certs', 'CRLs', 'OCSPs'];
const DSS_KEYS = new Set(['Type', 'VRI', ...DSS_STREAM_KEYS]);
const VRI_STREAM_KEYS = ['Cert', 'CRL', 'OCSP'];
const VRI_ENTRY_KEYS = new Set(['Type', 'TU', 'TS', ...VRI_STREAM_KEYS]);
const VRI_KEY = /^[A-Z0-9]{40}$/;

/**
 * pyHanko's `DSSCompareRule`: the document security store may grow. Its structure is checked
 * rigidly; certificates, CRLs and OCSP responses may be dropped, VRI entries may not. Unlike
 * pyHanko, a VRI entry may be rewritten with a valid structure (DSS's own LT extension does so).
 */
export function checkDss(diff: RevisionDiff): void {
  const root = catalogRef(diff);
  const oldCatalog = diff.oldObject(root);
  const newCatalog = diff.newObject(root);
  if (!isDict(newCatalog)) return;
  const { old, new: neu } = diff.compareKeyRefs(
    'DSS',
    isDict(oldCatalog) ? oldCatalog : undefined,
    rootLoc(root),
    newCatalog,
    rootLoc(root),
    'LTA_UPDATES',
    'document security store updated',
  );
  if (neu.value === undefined) return;
  if (!isDict(neu.value)) throw new SuspiciousModificationError('/DSS is not a dictionary');
  const oldDss = isDict(old.value) ? old.value : undefined;
  const unexpected = [...neu.value.entries.keys()].filter((k) => !DSS_KEYS.has(k));
  if (unexpected.length > 0) {
    throw new SuspiciousModificationError(`unexpected keys in /DSS: ${unexpected.join(', ')}`);
  }
  checkDerArrays(diff, oldDss, old.loc, neu.value, neu.loc, DSS_STREAM_KEYS, '/DSS');

  const vri = diff.compareKeyRefs(
    'VRI',
    oldDss,
    old.loc,
    neu.value,
    neu.loc,
    'LTA_UPDATES',
    'validation-related information updated',
  );
  if (vri.new.value === undefined) return;
  if (!isDict(vri.new.value)) throw new SuspiciousModificationError('/VRI is not a dictionary');
  const oldVri = isDict(vri.old.value) ? vri.old.value : undefined;
  for (const key of oldVri?.entries.keys() ?? []) {
    if (!vri.new.value.entries.has(key)) {
      throw new SuspiciousModificationError(`VRI entry ${key} was removed`);
    }
  }
  for (const [key, raw] of vri.new.value.entries) {
    if (key === 'Type') continue;
    const oldRaw = oldVri?.entries.get(key);
    if (oldRaw === undefined && !VRI_KEY.test(key)) {
      throw new SuspiciousModificationError(`malformed VRI key ${key}`);
    }
    const entry = diff.locate(raw, vri.new.loc, `/${key}`, 'new');
    const oldEntry =
      oldRaw === undefined ? undefined : diff.locate(oldRaw, vri.old.loc, `/${key}`, 'old');
    if (entry.ref) {
      const same = isRef(oldRaw) && refKey(oldRaw) === refKey(entry.ref);
      if (!same && !diff.isFresh(entry.ref)) {
        throw new SuspiciousModificationError(
          `VRI entry ${key} reuses an object of the signed revision`,
        );
      }
      const scope = same ? usageAt(vri.old.loc, `/${key}`) : 'fresh';
      diff.approve(entry.ref, 'LTA_UPDATES', scope, 'validation-related information added');
    }
    if (!isDict(entry.value)) {
      throw new SuspiciousModificationError(`VRI entry ${key} is not a dictionary`);
    }
    const unknown = [...entry.value.entries.keys()].filter((k) => !VRI_ENTRY_KEYS.has(k));
    if (unknown.length > 0) {
      throw new SuspiciousModificationError(`unexpected keys in VRI entry: ${unknown.join(', ')}`);
    }
    checkDerArrays(
      diff,
      isDict(oldEntry?.value) ? oldEntry.value : undefined,
      oldEntry?.loc ?? entry.loc,
      entry.value,
      entry.loc,
      VRI_STREAM_KEYS,
      '/VRI',
    );
    const ts = entry.value.entries.get('TS');
    if (ts !== undefined && !(isRef(ts) && isStream(diff.newObject(ts)))) {
      throw new SuspiciousModificationError('VRI /TS is not a reference to a stream');
    }
    diff.approveDependencies(entry.value, 'LTA_UPDATES', 'validation-related information added');
  }
}

/** Arrays of DER streams (/Certs, /CRLs, /OCSPs, /Cert, …): indirect arrays may grow in place. */
function checkDerArrays(
  diff: RevisionDiff,
  oldDict: PdfDict | undefined,
  oldLoc: Loc,
  newDict: PdfDict,
  newLoc: Loc,
  keys: readonly string[],
  where: string,
): void {
  for (const key of keys) {
    const description = `${where}/${key} updated`;
    const { new: neu } = diff.compareKeyRefs(
      key,
      oldDict,
      oldLoc,
      newDict,
      newLoc,
      'LTA_UPDATES',
      description,
    );
    if (neu.value === undefined) continue;
    if (!isArray(neu.value)) {
      throw new SuspiciousModificationError(`${where}/${key} is not an array`);
    }
    for (const item of neu.value.items) {
      if (!isRef(item) || !isStream(diff.newObject(item))) {
        throw new SuspiciousModificationError(`${where}/${key} must hold references to streams`);
      }
    }
    diff.approveDependencies(neu.value, 'LTA_UPDATES', description);
  }
}
