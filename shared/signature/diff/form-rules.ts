import {
  isArray,
  isDict,
  isName,
  isRef,
  isString,
  type PdfDict,
  type PdfObject,
  type PdfRef,
  refKey,
} from '#pdf/objects.ts';
import { decodeTextString } from '#pdf/text-string.ts';
import { sameObject } from './compare.ts';
import {
  type Loc,
  type ModificationLevel,
  type RevisionDiff,
  SuspiciousModificationError,
  type Usage,
  usageAt,
} from './context.ts';
import { catalogRef } from './document-rules.ts';

/** /AcroForm keys that may change (pyHanko's list plus /SigFlags, which signing software sets). */
const ACROFORM_MAY_CHANGE = new Set(['Fields', 'DR', 'DA', 'Q', 'NeedAppearances', 'SigFlags']);
/**
 * Field keys that filling in a value may change: pyHanko's `VALUE_UPDATE_KEYS` plus /I, the
 * selected indices that a choice field keeps next to /V.
 */
const VALUE_UPDATE_KEYS = new Set(['AP', 'AS', 'V', 'I', 'F', 'DA', 'Q', 'Ff', 'Type']);
/** Field keys that may change even on a field that is already filled or signed. */
const ALWAYS_MODIFIABLE = new Set(['Ff', 'Type']);
/** Key paths through which a field or widget is legitimately referenced. */
const FIELD_USAGE = /(?:\/(?:Fields|Kids|Annots)\[\d+\]|^\[\d+\]|\/Parent|\/Obj)$/;

interface FieldSpec {
  readonly name: string;
  readonly type: string | undefined;
  readonly oldRef?: PdfRef;
  readonly newRef?: PdfRef;
  readonly oldField?: PdfDict;
  readonly newField?: PdfDict;
}

interface ListedField {
  readonly ref: PdfRef;
  readonly field: PdfDict;
  readonly type: string | undefined;
  readonly kids: PdfObject[];
}

/** Widgets of signature fields created after signing, by object key, with their field names. */
export type NewSignatureWidgets = Map<string, string>;

/**
 * pyHanko's `FormUpdatingRule` with `SigFieldCreationRule`, `SigFieldModificationRule` and
 * `GenericFieldModificationRule`. Returns the widgets of new signature fields so the page rule can
 * accept them in /Annots.
 */
export function checkForm(diff: RevisionDiff): NewSignatureWidgets {
  const widgets: NewSignatureWidgets = new Map();
  const root = catalogRef(diff);
  const oldCatalog = diff.oldObject(root);
  const newCatalog = diff.newObject(root);
  if (!isDict(newCatalog)) return widgets;
  const rootLoc: Loc = { container: refKey(root), path: '' };
  const af = diff.compareKeyRefs(
    'AcroForm',
    isDict(oldCatalog) ? oldCatalog : undefined,
    rootLoc,
    newCatalog,
    rootLoc,
    'LTA_UPDATES',
    'interactive form dictionary updated',
  );
  if (af.new.value === undefined) return widgets;
  const oldForm = isDict(af.old.value)
    ? af.old.value
    : { kind: 'dict' as const, entries: new Map() };
  diff.requireSameDict(oldForm, af.new.value, ACROFORM_MAY_CHANGE, 'the interactive form');
  if (!isDict(af.new.value)) return widgets;
  const newForm = af.new.value;

  const fields = diff.compareKeyRefs(
    'Fields',
    oldForm,
    af.old.loc,
    newForm,
    af.new.loc,
    'LTA_UPDATES',
    'form field list updated',
  );
  const dr = diff.compareKeyRefs(
    'DR',
    oldForm,
    af.old.loc,
    newForm,
    af.new.loc,
    'FORM_FILLING',
    'default form resources updated',
  );
  if (dr.new.value !== undefined) {
    if (!isDict(dr.new.value)) throw new SuspiciousModificationError('/DR is not a dictionary');
    diff.approveDependencies(dr.new.value, 'FORM_FILLING', 'default form resources updated');
  }

  const specs = new Map<string, FieldSpec>();
  pairFields(diff, fields.old.value, fields.new.value, '', undefined, specs, new Set(), 0);

  const deleted = [...specs.values()].filter((s) => s.oldRef && !s.newRef).map((s) => s.name);
  if (deleted.length > 0) {
    throw new SuspiciousModificationError(`form fields deleted: ${deleted.join(', ')}`);
  }
  const newOther = [...specs.values()]
    .filter((s) => !s.oldRef && s.newRef && s.type !== 'Sig')
    .map((s) => s.name);
  if (newOther.length > 0) {
    throw new SuspiciousModificationError(
      `form fields other than signature fields added: ${newOther.join(', ')}`,
    );
  }
  for (const spec of specs.values()) {
    if (spec.type === 'Sig') {
      if (!spec.oldRef) createdSignatureField(diff, spec, widgets);
      else modifiedSignatureField(diff, spec);
      signatureValue(diff, spec);
    } else {
      modifiedField(diff, spec);
    }
  }
  return widgets;
}

function fieldName(field: PdfDict): string | undefined {
  const t = field.entries.get('T');
  if (t === undefined) return undefined;
  if (!isString(t)) throw new SuspiciousModificationError('a field name is not a string');
  return decodeTextString(t);
}

function listFields(
  diff: RevisionDiff,
  items: PdfObject | undefined,
  which: 'old' | 'new',
  parent: string,
  inheritedType: string | undefined,
): Map<string, ListedField> {
  const out = new Map<string, ListedField>();
  if (items === undefined) return out;
  const resolved = which === 'old' ? diff.old(items) : diff.new(items);
  if (!isArray(resolved))
    throw new SuspiciousModificationError('a form field list is not an array');
  for (const item of resolved.items) {
    if (!isRef(item)) throw new SuspiciousModificationError('form fields must be indirect objects');
    const field = which === 'old' ? diff.oldObject(item) : diff.newObject(item);
    if (!isDict(field)) throw new SuspiciousModificationError('form fields must be dictionaries');
    const name = fieldName(field);
    if (name === undefined) continue;
    if (name.includes('.')) throw new SuspiciousModificationError('a field name contains a period');
    const fq = parent ? `${parent}.${name}` : name;
    if (out.has(fq)) throw new SuspiciousModificationError(`duplicate form field name ${fq}`);
    const ft = field.entries.get('FT');
    const type = isName(ft) ? ft.value : inheritedType;
    const kidsRaw = field.entries.get('Kids');
    const kidsValue =
      kidsRaw === undefined ? undefined : which === 'old' ? diff.old(kidsRaw) : diff.new(kidsRaw);
    const kids = isArray(kidsValue) ? kidsValue.items : [];
    out.set(fq, { ref: item, field, type, kids });
  }
  return out;
}

/** Pairs the fields of both revisions by fully qualified name (pyHanko's `_list_fields`). */
function pairFields(
  diff: RevisionDiff,
  oldItems: PdfObject | undefined,
  newItems: PdfObject | undefined,
  parent: string,
  inheritedType: string | undefined,
  out: Map<string, FieldSpec>,
  seen: Set<string>,
  depth: number,
): void {
  if (depth > 32) throw new SuspiciousModificationError('form field tree nested too deep');
  const olds = listFields(diff, oldItems, 'old', parent, inheritedType);
  const news = listFields(diff, newItems, 'new', parent, inheritedType);
  for (const name of new Set([...olds.keys(), ...news.keys()])) {
    const o = olds.get(name);
    const n = news.get(name);
    if (o && n && o.type !== n.type) {
      throw new SuspiciousModificationError(`the type of field ${name} was changed`);
    }
    const cycleKey = `${o ? refKey(o.ref) : ''}|${n ? refKey(n.ref) : ''}`;
    if (seen.has(cycleKey)) throw new SuspiciousModificationError('circular form field tree');
    seen.add(cycleKey);
    out.set(name, {
      name,
      type: o?.type ?? n?.type,
      ...(o ? { oldRef: o.ref, oldField: o.field } : {}),
      ...(n ? { newRef: n.ref, newField: n.field } : {}),
    });
    if ((o?.kids.length ?? 0) > 0 || (n?.kids.length ?? 0) > 0) {
      pairFields(
        diff,
        o ? { kind: 'array', items: o.kids } : undefined,
        n ? { kind: 'array', items: n.kids } : undefined,
        name,
        o?.type ?? n?.type,
        out,
        seen,
        depth + 1,
      );
    }
  }
}

/** Widget annotations of a field: the field itself, or its kids without a name. */
function widgetRefs(
  diff: RevisionDiff,
  ref: PdfRef,
  field: PdfDict,
  which: 'old' | 'new',
): PdfRef[] {
  const kidsRaw = field.entries.get('Kids');
  if (kidsRaw === undefined) return [ref];
  const kids = which === 'old' ? diff.old(kidsRaw) : diff.new(kidsRaw);
  if (!isArray(kids)) throw new SuspiciousModificationError('/Kids is not an array');
  return kids.items.filter(isRef).filter((k) => {
    const kid = which === 'old' ? diff.oldObject(k) : diff.newObject(k);
    return isDict(kid) && !kid.entries.has('T');
  });
}

function isVisible(diff: RevisionDiff, annot: PdfDict | undefined): boolean {
  const rect = diff.new(annot?.entries.get('Rect'));
  if (!isArray(rect) || rect.items.length !== 4) return false;
  const [x1, y1, x2, y2] = rect.items.map((v) => (typeof v === 'number' ? v : 0));
  return Math.abs((x1 ?? 0) - (x2 ?? 0)) * Math.abs((y1 ?? 0) - (y2 ?? 0)) > 0;
}

function fieldVisible(diff: RevisionDiff, ref: PdfRef, field: PdfDict): boolean {
  return widgetRefs(diff, ref, field, 'new').some((w) => {
    const widget = diff.newObject(w);
    return isVisible(diff, isDict(widget) ? widget : undefined);
  });
}

/** The usages of a field or widget in the signed revision that belong to the form or a page. */
function fieldUsages(diff: RevisionDiff, ref: PdfRef): Usage[] {
  return (diff.index.usages.get(refKey(ref)) ?? []).filter((u) => FIELD_USAGE.test(u.path));
}

function approveFieldObject(
  diff: RevisionDiff,
  ref: PdfRef,
  level: ModificationLevel,
  description: string,
): void {
  const usages = fieldUsages(diff, ref);
  if (usages.length === 0) diff.approve(ref, level, 'fresh', description);
  for (const u of usages) diff.approve(ref, level, u, description);
}

/**
 * pyHanko's `compare_fields`: only value keys may change. Returns whether only the keys that may
 * change on a filled or signed field changed.
 */
function compareFieldDicts(
  diff: RevisionDiff,
  oldField: PdfDict,
  newField: PdfDict,
  name: string,
): boolean {
  diff.requireSameDict(oldField, newField, VALUE_UPDATE_KEYS, `form field ${name}`);
  const hadType = oldField.entries.get('Type');
  const hasType = newField.entries.get('Type');
  if (hadType !== undefined && hasType === undefined) {
    throw new SuspiciousModificationError(`/Type of field ${name} was removed`);
  }
  if (hasType !== undefined) {
    const expected = isName(hadType) ? hadType.value : 'Annot';
    if (!isName(hasType, expected)) {
      throw new SuspiciousModificationError(`/Type of field ${name} was changed`);
    }
  }
  return diff.sameDict(oldField, newField, ALWAYS_MODIFIABLE);
}

function createdSignatureField(
  diff: RevisionDiff,
  spec: FieldSpec,
  widgets: NewSignatureWidgets,
): void {
  const { newRef, newField } = spec;
  if (!newRef || !newField) return;
  const visible = fieldVisible(diff, newRef, newField);
  if (visible && diff.docMdp !== undefined) {
    throw new SuspiciousModificationError(
      `a visible signature field ${spec.name} was created after a certification signature`,
    );
  }
  const level: ModificationLevel = visible ? 'FORM_FILLING' : 'LTA_UPDATES';
  const description = `signature field ${spec.name} created${visible ? ' (visible)' : ''}`;
  if (!diff.isFresh(newRef)) {
    throw new SuspiciousModificationError(
      `new signature field ${spec.name} reuses ${refKey(newRef)}, an object of the signed revision`,
    );
  }
  diff.approve(newRef, level, 'fresh', description);
  const rest = withoutKeys(newField, ['V', 'P', 'Parent', 'Kids']);
  diff.approveDependencies(rest, level, description);
  for (const w of widgetRefs(diff, newRef, newField, 'new')) {
    widgets.set(refKey(w), spec.name);
    if (refKey(w) === refKey(newRef)) continue;
    if (!diff.isFresh(w)) {
      throw new SuspiciousModificationError(
        `the widget of ${spec.name} reuses an object of the signed revision`,
      );
    }
    diff.approve(w, level, 'fresh', description);
    const widget = diff.newObject(w);
    if (isDict(widget))
      diff.approveDependencies(withoutKeys(widget, ['P', 'Parent']), level, description);
  }
  const kids = newField.entries.get('Kids');
  if (isRef(kids)) {
    if (!diff.isFresh(kids))
      throw new SuspiciousModificationError(`/Kids of ${spec.name} reuses an object`);
    diff.approve(kids, level, 'fresh', description);
  }
}

function withoutKeys(d: PdfDict, keys: readonly string[]): PdfDict {
  return { kind: 'dict', entries: new Map([...d.entries].filter(([k]) => !keys.includes(k))) };
}

/** pyHanko's `SigFieldModificationRule` for a signature field that existed when signing. */
function modifiedSignatureField(diff: RevisionDiff, spec: FieldSpec): void {
  const { oldRef, newRef, oldField, newField, name } = spec;
  if (!oldRef || !newRef || !oldField || !newField) return;
  const onlyFlags = compareFieldDicts(diff, oldField, newField, name);
  const previouslySigned = oldField.entries.has('V');
  const nowSigned = newField.entries.has('V');
  if (!previouslySigned && nowSigned) {
    approveFieldObject(diff, newRef, 'LTA_UPDATES', `signature field ${name} signed`);
    appearanceUpdates(diff, name, oldRef, newRef, 'FORM_FILLING', false);
  } else if (onlyFlags) {
    approveFieldObject(diff, newRef, 'LTA_UPDATES', `flags of signature field ${name} updated`);
  }
}

/** The signature dictionary of a field signed after the signed revision. */
function signatureValue(diff: RevisionDiff, spec: FieldSpec): void {
  const { newRef, newField, oldField, name } = spec;
  if (!newRef || !newField || oldField?.entries.has('V') || !newField.entries.has('V')) return;
  const v = newField.entries.get('V');
  if (!isRef(v)) {
    throw new SuspiciousModificationError(`the value of signature field ${name} is not indirect`);
  }
  const sig = diff.newObject(v);
  if (!isDict(sig)) {
    throw new SuspiciousModificationError(
      `the value of signature field ${name} is not a dictionary`,
    );
  }
  const timestamp =
    isName(sig.entries.get('Type'), 'DocTimeStamp') && !fieldVisible(diff, newRef, newField);
  const level: ModificationLevel = timestamp ? 'LTA_UPDATES' : 'FORM_FILLING';
  const description = timestamp ? `document timestamp ${name} added` : `signature ${name} added`;
  diff.approve(v, level, 'fresh', description);
  diff.approveDependencies(sig, level, description);
}

/** pyHanko's `GenericFieldModificationRule`: filling in a field that existed when signing. */
function modifiedField(diff: RevisionDiff, spec: FieldSpec): void {
  const { oldRef, newRef, oldField, newField, name } = spec;
  if (!oldRef || !newRef || !oldField || !newField) return;
  compareFieldDicts(diff, oldField, newField, name);
  const description = `form field ${name} filled in`;
  approveFieldObject(diff, newRef, 'FORM_FILLING', description);
  appearanceUpdates(diff, name, oldRef, newRef, 'FORM_FILLING', true);
  const oldValue = oldField.entries.get('V');
  const newValue = newField.entries.get('V');
  if (
    newValue !== undefined &&
    !(isRef(oldValue) && isRef(newValue) && refKey(oldValue) === refKey(newValue))
  ) {
    diff.approveDependencies(newValue, 'FORM_FILLING', description);
  }
}

/** Appearance changes of a field's widgets: the field itself or its unnamed kids. */
function appearanceUpdates(
  diff: RevisionDiff,
  name: string,
  oldRef: PdfRef,
  newRef: PdfRef,
  level: ModificationLevel,
  requireValueChange: boolean,
): void {
  const oldField = diff.oldObject(oldRef);
  const newField = diff.newObject(newRef);
  if (!isDict(oldField) || !isDict(newField)) return;
  const valueChanged = !sameObject(diff.doc, oldField.entries.get('V'), newField.entries.get('V'));
  const olds = new Set(widgetRefs(diff, oldRef, oldField, 'old').map(refKey));
  for (const w of widgetRefs(diff, newRef, newField, 'new')) {
    const oldWidget = diff.oldObject(w);
    const newWidget = diff.newObject(w);
    if (!isDict(newWidget)) continue;
    if (!olds.has(refKey(w)) || !isDict(oldWidget)) {
      throw new SuspiciousModificationError(`a widget was added to field ${name}`);
    }
    if (refKey(w) !== refKey(newRef)) {
      compareFieldDicts(diff, oldWidget, newWidget, `${name} (widget ${refKey(w)})`);
      approveFieldObject(diff, w, level, `appearance of field ${name} updated`);
    }
    const stateChanged = !sameObject(
      diff.doc,
      oldWidget.entries.get('AS'),
      newWidget.entries.get('AS'),
    );
    if (
      requireValueChange &&
      !valueChanged &&
      !stateChanged &&
      appearanceChanged(diff, oldWidget, newWidget)
    ) {
      throw new SuspiciousModificationError(
        `the appearance of field ${name} changed but its value did not`,
      );
    }
    const loc: Loc = { container: refKey(w), path: '' };
    allowAppearanceUpdate(diff, name, oldWidget, newWidget, loc, level);
    allowInPlaceAppearanceUpdate(diff, name, oldWidget, newWidget, loc, level);
  }
}

/** The appearance streams a widget shows differ from the signed ones (by content, not identity). */
function appearanceChanged(diff: RevisionDiff, oldWidget: PdfDict, newWidget: PdfDict): boolean {
  const oldAp = diff.old(oldWidget.entries.get('AP'));
  const newAp = diff.new(newWidget.entries.get('AP'));
  if (!isDict(oldAp) || !isDict(newAp)) return !sameObject(diff.doc, oldAp, newAp);
  const keys = new Set([...oldAp.entries.keys(), ...newAp.entries.keys()]);
  return [...keys].some((key) => {
    const o = diff.old(oldAp.entries.get(key));
    const n = diff.new(newAp.entries.get(key));
    if (isDict(o) && isDict(n)) {
      const states = new Set([...o.entries.keys(), ...n.entries.keys()]);
      return [...states].some(
        (st) => !sameObject(diff.doc, diff.old(o.entries.get(st)), diff.new(n.entries.get(st))),
      );
    }
    return !sameObject(diff.doc, o, n);
  });
}

/**
 * pyHanko's `_allow_appearance_update`: new appearance streams under /AP. As in pyHanko, an
 * indirect appearance dictionary of the signed revision that is also used elsewhere may be neither
 * rewritten nor replaced: the appearance would no longer be the field's alone.
 */
function allowAppearanceUpdate(
  diff: RevisionDiff,
  name: string,
  oldWidget: PdfDict,
  newWidget: PdfDict,
  loc: Loc,
  level: ModificationLevel,
): void {
  const description = `appearance of field ${name} updated`;
  const ap = diff.compareKeyRefs('AP', oldWidget, loc, newWidget, loc, level, description);
  if (ap.new.value === undefined) return;
  if (!isDict(ap.new.value)) throw new SuspiciousModificationError('/AP is not a dictionary');
  const oldApRaw = oldWidget.entries.get('AP');
  if (isRef(oldApRaw)) {
    const kept = ap.new.ref !== undefined && refKey(ap.new.ref) === refKey(oldApRaw);
    const contexts = diff.index.usages.get(refKey(oldApRaw)) ?? [];
    if ((!kept || appearanceTouched(diff, oldApRaw)) && contexts.length > 1) {
      throw new SuspiciousModificationError(
        `the appearance dictionary of field ${name} is also used elsewhere (${contexts.map((c) => `${c.from}${c.path}`).join(', ')})`,
      );
    }
  }
  for (const key of ['N', 'R', 'D']) {
    const v = ap.new.value.entries.get(key);
    if (v !== undefined) diff.approveDependencies(v, level, description);
  }
}

/** The appearance dictionary, or a stream it held when signing, was rewritten since. */
function appearanceTouched(diff: RevisionDiff, apRef: PdfRef): boolean {
  if (diff.writtenSince(apRef)) return true;
  const oldAp = diff.oldObject(apRef);
  if (!isDict(oldAp)) return false;
  return ['N', 'R', 'D'].some((k) => {
    const v = oldAp.entries.get(k);
    return isRef(v) && diff.writtenSince(v);
  });
}

/**
 * pyHanko's `_allow_in_place_appearance_update`: an appearance stream of the signed revision
 * rewritten in place, approved only in its place under this field's /AP. If the same stream is
 * also used elsewhere (page content, resources, another annotation) that use stays unexplained.
 */
function allowInPlaceAppearanceUpdate(
  diff: RevisionDiff,
  name: string,
  oldWidget: PdfDict,
  newWidget: PdfDict,
  loc: Loc,
  level: ModificationLevel,
): void {
  if (oldWidget.entries.has('AS')) return;
  const oldApRaw = oldWidget.entries.get('AP');
  const oldAp = diff.old(oldApRaw);
  const newAp = diff.new(newWidget.entries.get('AP'));
  if (!isDict(oldAp) || !isDict(newAp)) return;
  const apLoc: Loc = isRef(oldApRaw)
    ? { container: refKey(oldApRaw), path: '' }
    : { container: loc.container, path: `${loc.path}/AP` };
  for (const key of ['N', 'R', 'D']) {
    const oldStream = oldAp.entries.get(key);
    const newStream = newAp.entries.get(key);
    if (!isRef(oldStream) || !isRef(newStream) || refKey(oldStream) !== refKey(newStream)) continue;
    if (!diff.writtenSince(newStream)) continue;
    const description = `appearance stream of field ${name} rewritten`;
    diff.approve(newStream, level, usageAt(apLoc, `/${key}`), description);
    diff.approveDependencies(diff.newObject(newStream), level, description);
  }
}
