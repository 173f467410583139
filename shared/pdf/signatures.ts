import { objectKeySpans, type PdfDocument, revisionWriting } from './document.ts';
import { PdfFormatError } from './errors.ts';
import {
  isArray,
  isDict,
  isName,
  isRef,
  isString,
  type PdfArray,
  type PdfDict,
  type PdfObject,
  type PdfRef,
  refKey,
} from './objects.ts';
import { decodeTextString } from './text-string.ts';

/** A signature field whose /V holds a signature dictionary, as the file states it. */
export interface SignatureField {
  /** Fully qualified /T names joined by '.'. */
  readonly fieldName: string;
  readonly fieldRef?: PdfRef;
  readonly sigRef?: PdfRef;
  /** From /Type of the signature dictionary. */
  readonly type: 'Sig' | 'DocTimeStamp' | undefined;
  readonly filter?: string;
  readonly subFilter?: string;
  /** Raw numbers as written; empty when /ByteRange is not an array of integers. */
  readonly byteRange: readonly number[];
  /** Decoded /Contents bytes, trailing zero padding kept. */
  readonly contents: Buffer;
  /**
   * File offsets of the /Contents hex string including its `<` and `>`, when /Contents is a direct
   * hex string in a directly stored signature dictionary.
   */
  readonly contentsSpan?: { start: number; end: number };
  readonly signingTime?: string;
  readonly name?: string;
  readonly reason?: string;
  readonly location?: string;
  readonly contactInfo?: string;
  /** /Reference: DocMDP and FieldMDP transform parameters live here. */
  readonly reference?: PdfArray;
  /** Permissions of a certification (DocMDP) signature. */
  readonly docMdpPermissions?: 1 | 2 | 3;
  /** Index of the revision whose endOffset equals byteRange[2] + byteRange[3], if any. */
  readonly revision?: number;
  /** The revision in which the signature dictionary object was (last) written. */
  readonly sigDictRevision: number;
}

const MAX_FIELD_DEPTH = 32;
const MAX_NODES = 200_000;

interface FieldCandidate {
  readonly field: PdfDict;
  readonly fieldRef: PdfRef | undefined;
  readonly fieldName: string;
}

/**
 * Every signature field of the last revision that carries a signature dictionary: the AcroForm
 * field tree first, then widget annotations of the pages (a field only a page links to still
 * counts). Walks are bounded in depth and size and stop at cycles.
 */
export function findSignatures(doc: PdfDocument): SignatureField[] {
  const catalog = doc.catalog();
  const seen = new Set<string>();
  const candidates: FieldCandidate[] = [];
  const budget = { nodes: 0 };
  const add = (c: FieldCandidate) => {
    const key = c.fieldRef ? refKey(c.fieldRef) : undefined;
    if (key !== undefined) {
      if (seen.has(key)) return;
      seen.add(key);
    } else if (candidates.some((o) => o.field === c.field)) return;
    candidates.push(c);
  };

  const acroForm = dictAt(doc, catalog.entries.get('AcroForm'));
  const fields = doc.resolve(acroForm?.entries.get('Fields'));
  if (isArray(fields)) {
    walkFields(doc, fields.items, '', undefined, 0, new Set(), budget, add);
  }
  for (const widget of widgets(doc, catalog, budget)) {
    const candidate = fieldOfWidget(doc, widget.dict, widget.ref);
    if (candidate) add(candidate);
  }
  const perms = dictAt(doc, catalog.entries.get('Perms'));
  const docMdpRef = perms?.entries.get('DocMDP');
  const out: SignatureField[] = [];
  for (const c of candidates) {
    const s = signatureOf(doc, c, docMdpRef);
    if (s) out.push(s);
  }
  return out;
}

function dictAt(doc: PdfDocument, o: PdfObject | undefined): PdfDict | undefined {
  const v = doc.resolve(o);
  return isDict(v) ? v : undefined;
}

function countNode(budget: { nodes: number }): void {
  if (++budget.nodes > MAX_NODES) throw new PdfFormatError('form or page tree too large');
}

function partialName(d: PdfDict): string | undefined {
  const t = d.entries.get('T');
  return isString(t) ? decodeTextString(t) : undefined;
}

const join = (parent: string, part: string | undefined): string =>
  part === undefined ? parent : parent === '' ? part : `${parent}.${part}`;

function walkFields(
  doc: PdfDocument,
  kids: readonly PdfObject[],
  parentName: string,
  inheritedFt: string | undefined,
  depth: number,
  visiting: Set<string>,
  budget: { nodes: number },
  add: (c: FieldCandidate) => void,
): void {
  if (depth > MAX_FIELD_DEPTH) return;
  for (const kid of kids) {
    countNode(budget);
    const fieldRef = isRef(kid) ? kid : undefined;
    const key = fieldRef ? refKey(fieldRef) : undefined;
    if (key !== undefined && visiting.has(key)) continue;
    const field = dictAt(doc, kid);
    if (!field) continue;
    const ftObj = field.entries.get('FT');
    const ft = isName(ftObj) ? ftObj.value : inheritedFt;
    const fieldName = join(parentName, partialName(field));
    if (ft === 'Sig' && field.entries.has('V')) add({ field, fieldRef, fieldName });
    const children = doc.resolve(field.entries.get('Kids'));
    if (isArray(children)) {
      if (key !== undefined) visiting.add(key);
      walkFields(doc, children.items, fieldName, ft, depth + 1, visiting, budget, add);
      if (key !== undefined) visiting.delete(key);
    }
  }
}

function* widgets(
  doc: PdfDocument,
  catalog: PdfDict,
  budget: { nodes: number },
): Generator<{ dict: PdfDict; ref: PdfRef | undefined }> {
  const visited = new Set<string>();
  const stack: { node: PdfObject | undefined; depth: number }[] = [
    { node: catalog.entries.get('Pages'), depth: 0 },
  ];
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item || item.depth > MAX_FIELD_DEPTH * 2) continue;
    countNode(budget);
    if (isRef(item.node)) {
      const key = refKey(item.node);
      if (visited.has(key)) continue;
      visited.add(key);
    }
    const node = dictAt(doc, item.node);
    if (!node) continue;
    const kids = doc.resolve(node.entries.get('Kids'));
    if (isArray(kids) && !isName(node.entries.get('Type'), 'Page')) {
      for (let i = kids.items.length - 1; i >= 0; i--) {
        stack.push({ node: kids.items[i], depth: item.depth + 1 });
      }
      continue;
    }
    const annots = doc.resolve(node.entries.get('Annots'));
    if (!isArray(annots)) continue;
    for (const a of annots.items) {
      countNode(budget);
      const annot = dictAt(doc, a);
      if (annot && isName(annot.entries.get('Subtype'), 'Widget')) {
        yield { dict: annot, ref: isRef(a) ? a : undefined };
      }
    }
  }
}

/** The signature field a widget belongs to (itself when merged), if it is a signed one. */
function fieldOfWidget(
  doc: PdfDocument,
  widget: PdfDict,
  widgetRef: PdfRef | undefined,
): FieldCandidate | undefined {
  const chain: { dict: PdfDict; ref: PdfRef | undefined }[] = [];
  const seen = new Set<string>();
  let node: PdfDict | undefined = widget;
  let nodeRef = widgetRef;
  while (node && chain.length <= MAX_FIELD_DEPTH) {
    chain.push({ dict: node, ref: nodeRef });
    const parent: PdfObject | undefined = node.entries.get('Parent');
    if (!isRef(parent) && !isDict(parent)) break;
    if (isRef(parent)) {
      const key = refKey(parent);
      if (seen.has(key)) break;
      seen.add(key);
    }
    nodeRef = isRef(parent) ? parent : undefined;
    node = dictAt(doc, parent);
  }
  // The field is the first node in the chain that has /V or /T (a bare widget merges upward).
  const fieldIndex = chain.findIndex((n) => n.dict.entries.has('V') || n.dict.entries.has('T'));
  const field = chain[fieldIndex];
  if (!field?.dict.entries.has('V')) return undefined;
  const ftNode = chain.slice(fieldIndex).find((n) => isName(n.dict.entries.get('FT')));
  if (!isName(ftNode?.dict.entries.get('FT'), 'Sig')) return undefined;
  let fieldName = '';
  for (let i = chain.length - 1; i >= fieldIndex; i--) {
    const n = chain[i];
    if (n) fieldName = join(fieldName, partialName(n.dict));
  }
  return { field: field.dict, fieldRef: field.ref, fieldName };
}

const nameValue = (o: PdfObject | undefined): string | undefined =>
  isName(o) ? o.value : undefined;

function text(doc: PdfDocument, d: PdfDict, key: string): string | undefined {
  const v = doc.resolve(d.entries.get(key));
  return isString(v) ? decodeTextString(v) : undefined;
}

function signatureOf(
  doc: PdfDocument,
  c: FieldCandidate,
  docMdpRef: PdfObject | undefined,
): SignatureField | undefined {
  const v = c.field.entries.get('V');
  const sigRef = isRef(v) ? v : undefined;
  const sig = dictAt(doc, v);
  if (!sig) return undefined;
  const last = doc.revisions.length - 1;

  const typeName = nameValue(sig.entries.get('Type'));
  const type = typeName === 'Sig' || typeName === 'DocTimeStamp' ? typeName : undefined;
  const br = doc.resolve(sig.entries.get('ByteRange'));
  const byteRange =
    isArray(br) && br.items.every((n) => typeof n === 'number' && Number.isSafeInteger(n))
      ? (br.items as number[])
      : [];
  const contentsObj = doc.resolve(sig.entries.get('Contents'));
  const contents = isString(contentsObj) ? contentsObj.bytes : Buffer.alloc(0);

  let contentsSpan: { start: number; end: number } | undefined;
  const rawContents = sig.entries.get('Contents');
  if (sigRef && isString(rawContents) && rawContents.hex) {
    const span = objectKeySpans(doc, sigRef.num)?.get('Contents');
    if (span && doc.bytes[span.start] === 0x3c && doc.bytes[span.end - 1] === 0x3e) {
      contentsSpan = { start: span.start, end: span.end };
    }
  }

  const referenceObj = doc.resolve(sig.entries.get('Reference'));
  const reference = isArray(referenceObj) ? referenceObj : undefined;
  const docMdpPermissions = docMdpOf(doc, reference, sigRef, docMdpRef);

  let revision: number | undefined;
  const [, , third, fourth] = byteRange;
  if (byteRange.length === 4 && third !== undefined && fourth !== undefined) {
    const end = third + fourth;
    const r = doc.revisions.find((rev) => rev.endOffset === end);
    revision = r?.index;
  }
  const holder = sigRef ?? c.fieldRef;
  const sigDictRevision = (holder && revisionWriting(doc, holder.num)) ?? last;

  const result: { -readonly [K in keyof SignatureField]: SignatureField[K] } = {
    fieldName: c.fieldName,
    type,
    byteRange,
    contents,
    sigDictRevision,
  };
  if (c.fieldRef) result.fieldRef = c.fieldRef;
  if (sigRef) result.sigRef = sigRef;
  const filter = nameValue(sig.entries.get('Filter'));
  if (filter !== undefined) result.filter = filter;
  const subFilter = nameValue(sig.entries.get('SubFilter'));
  if (subFilter !== undefined) result.subFilter = subFilter;
  if (contentsSpan) result.contentsSpan = contentsSpan;
  const texts = [
    ['signingTime', 'M'],
    ['name', 'Name'],
    ['reason', 'Reason'],
    ['location', 'Location'],
    ['contactInfo', 'ContactInfo'],
  ] as const;
  for (const [prop, key] of texts) {
    const value = text(doc, sig, key);
    if (value !== undefined) result[prop] = value;
  }
  if (reference) result.reference = reference;
  if (docMdpPermissions !== undefined) result.docMdpPermissions = docMdpPermissions;
  if (revision !== undefined) result.revision = revision;
  return result;
}

function docMdpOf(
  doc: PdfDocument,
  reference: PdfArray | undefined,
  sigRef: PdfRef | undefined,
  docMdpRef: PdfObject | undefined,
): 1 | 2 | 3 | undefined {
  let certified = sigRef !== undefined && isRef(docMdpRef) && refKey(docMdpRef) === refKey(sigRef);
  let p: PdfObject | undefined;
  for (const item of reference?.items ?? []) {
    const ref = dictAt(doc, item);
    if (!ref || !isName(doc.resolve(ref.entries.get('TransformMethod')), 'DocMDP')) continue;
    certified = true;
    p = dictAt(doc, ref.entries.get('TransformParams'))?.entries.get('P');
    p = doc.resolve(p);
  }
  if (!certified) return undefined;
  return p === 1 || p === 3 ? p : 2;
}
