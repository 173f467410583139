import type { PdfDocument } from '#pdf/document.ts';
import { isName, isStream, type PdfObject, type PdfRef, ref, refKey } from '#pdf/objects.ts';
import { changedKeys, sameObject } from './diff/compare.ts';
import {
  AnalysisBudgetExceededError,
  type Approval,
  Budget,
  forEachRef,
  levelAtMost,
  type ModificationLevel,
  maxLevel,
  RevisionDiff,
  SignedRevisionIndex,
  SuspiciousModificationError,
  type Usage,
} from './diff/context.ts';
import {
  checkDocInfo,
  checkDss,
  checkMetadata,
  checkTrailerAndCatalog,
} from './diff/document-rules.ts';
import { checkForm, type NewSignatureWidgets } from './diff/form-rules.ts';
import { checkPages } from './diff/page-rules.ts';

export type { ModificationLevel } from './diff/context.ts';

/** One object (or structural fact) that a revision after the signature changed. */
export interface Modification {
  readonly revision: number;
  /** The object as "num gen", when the change is about one object. */
  readonly object?: string;
  /** Where the signed revision reached that object from the trailer, e.g. "/Root/Pages/Kids[0]/Contents". */
  readonly path?: string;
  readonly level: ModificationLevel;
  readonly description: string;
}

export interface DiffResult {
  /** The highest level over all modifications; NONE when nothing changed. */
  readonly level: ModificationLevel;
  readonly modifications: readonly Modification[];
  readonly allowed: boolean;
  /** Why the changes are not allowed; empty when they are. */
  readonly reasons: readonly string[];
}

export interface DiffOptions {
  /** DocMDP permissions of the signature when it is a certification signature (P of /TransformParams). */
  readonly docMdp?: 1 | 2 | 3;
  /** Objects loaded and compared before the analysis gives up and fails closed. @default 100_000 */
  readonly maxObjectsCompared?: number;
  /**
   * Accept new annotations (ANNOTATIONS) after an approval signature. ISO 32000 and pyHanko leave
   * this to policy; government documents must not gain comments or stamps after an approval
   * signature, so it is off. A certification signature with P=3 allows them regardless.
   * @default false
   */
  readonly allowAnnotationsWithoutDocMdp?: boolean;
}

const DEFAULT_BUDGET = 100_000;

/**
 * What changes after `signedRevision` may be accepted:
 * - certification P=1: LTA_UPDATES only (DSS, VRI, document timestamps, their fields, Info/XMP);
 * - certification P=2, or an approval signature: up to FORM_FILLING (also new signature fields
 *   and signatures, filled-in values and their appearance streams);
 * - certification P=3: up to ANNOTATIONS (also new annotations and edits of those annotations);
 *   approval signatures only with `allowAnnotationsWithoutDocMdp`.
 * OTHER is never accepted.
 */
export function permittedLevel(options: DiffOptions): ModificationLevel {
  switch (options.docMdp) {
    case 1:
      return 'LTA_UPDATES';
    case 2:
      return 'FORM_FILLING';
    case 3:
      return 'ANNOTATIONS';
    default:
      return options.allowAnnotationsWithoutDocMdp ? 'ANNOTATIONS' : 'FORM_FILLING';
  }
}

/**
 * Modification analysis after signing (pyHanko's difference analysis): every revision after
 * `signedRevision` is compared with the signed one, object by object. Each object a revision
 * writes must be identical to its signed version, unreachable, or explained by a rule (catalog,
 * Info, XMP, DSS, form fields, signature fields and widgets, page /Annots); an object of the
 * signed revision may only be replaced if every place the signed revision used it from is
 * explained, which defeats shadow attacks that reuse an appearance stream as page content.
 * Anything unexplained is OTHER and never allowed. Hostile structures and an exhausted budget end
 * in OTHER (fail closed), never in an exception.
 */
export function analyseChangesAfter(
  doc: PdfDocument,
  signedRevision: number,
  options: DiffOptions,
): DiffResult {
  const last = doc.revisions.length - 1;
  const permitted = permittedLevel(options);
  if (signedRevision >= last) {
    return { level: 'NONE', modifications: [], allowed: true, reasons: [] };
  }
  const budget = new Budget(options.maxObjectsCompared ?? DEFAULT_BUDGET);
  const modifications: Modification[] = [];
  try {
    const index = new SignedRevisionIndex(doc, signedRevision, budget);
    for (let r = signedRevision + 1; r <= last; r++) {
      modifications.push(...analyseRevision(new RevisionDiff(index, r, options.docMdp)));
    }
  } catch (error) {
    modifications.push({
      revision: signedRevision + 1,
      level: 'OTHER',
      description: failureDescription(error),
    });
  }
  const level = modifications.reduce<ModificationLevel>((l, m) => maxLevel(l, m.level), 'NONE');
  const refused = modifications.filter(
    (m) => m.level === 'OTHER' || !levelAtMost(m.level, permitted),
  );
  const reasons = refused.map(
    (m) =>
      `revision ${m.revision}: ${m.description}${m.level === 'OTHER' ? '' : ` (${m.level} exceeds ${permitted})`}`,
  );
  return { level, modifications, allowed: refused.length === 0, reasons: [...new Set(reasons)] };
}

function failureDescription(error: unknown): string {
  if (error instanceof AnalysisBudgetExceededError) return error.message;
  if (error instanceof SuspiciousModificationError) return error.message;
  if (error instanceof Error) return `the signed revision could not be analysed: ${error.message}`;
  return 'the signed revision could not be analysed';
}

type Rule = (diff: RevisionDiff) => void;

function analyseRevision(diff: RevisionDiff): Modification[] {
  const out: Modification[] = [];
  const revision = diff.newRev;
  let widgets: NewSignatureWidgets = new Map();
  const rules: Rule[] = [
    checkTrailerAndCatalog,
    checkDocInfo,
    checkMetadata,
    checkDss,
    (d) => {
      widgets = checkForm(d);
    },
    (d) => checkPages(d, widgets),
  ];
  for (const rule of rules) {
    try {
      rule(diff);
    } catch (error) {
      if (!(error instanceof SuspiciousModificationError)) throw error;
      if (!out.some((m) => m.description === error.message)) {
        out.push({ revision, level: 'OTHER', description: error.message });
      }
    }
  }
  out.push(...reviewWrittenObjects(diff));
  return out;
}

/** Every entry the revision wrote, judged against the approvals the rules gave. */
function reviewWrittenObjects(diff: RevisionDiff): Modification[] {
  const { doc, index, newRev: revision } = diff;
  const rev = doc.revisions[revision];
  if (!rev) return [];
  const out: Modification[] = [];
  let reachable: Set<string> | undefined;
  const isReachable = (key: string) => {
    reachable ??= reachableSinceSigning(diff);
    return reachable.has(key);
  };
  for (const [num, entry] of rev.entries) {
    if (num === 0) continue;
    const signed = index.entries.get(num);
    const signedKey = signed && signed.type !== 'free' ? `${num} ${signed.gen}` : undefined;
    if (entry.type === 'free' || (signedKey && signed?.gen !== entry.gen)) {
      if (signedKey && index.reaches(signedKey)) {
        out.push({
          revision,
          object: signedKey,
          path: index.paths.get(signedKey),
          level: 'OTHER',
          description: `object ${signedKey} of the signed revision was deleted`,
        });
      }
      if (entry.type === 'free') continue;
    }
    const r = ref(num, entry.gen);
    const key = refKey(r);
    if (entry.type === 'inuse' && entry.offset === rev.xrefOffset) continue;
    diff.budget.spend();
    const current = doc.getObject(num, entry.gen, revision);
    const defined = index.defines(r);
    const usages = index.usages.get(key) ?? [];
    if (!defined && usages.length === 0 && isStructural(current)) continue;
    if (defined && sameObject(doc, diff.oldObject(r), current)) continue;
    const path = index.paths.get(key);
    const base = { revision, object: key, ...(path === undefined ? {} : { path }) };
    const approvals = diff.approvals.get(key) ?? [];
    if (usages.length > 0) {
      const open = uncleared(usages, approvals);
      if (open.length > 0) {
        out.push({ ...base, level: 'OTHER', description: unexplained(diff, r, current, open) });
      } else out.push(explained(base, approvals));
    } else if (approvals.length > 0) {
      out.push(explained(base, approvals));
    } else if (isReachable(key)) {
      out.push({ ...base, level: 'OTHER', description: unexplained(diff, r, current, []) });
    } else {
      out.push({ ...base, level: 'LTA_UPDATES', description: `unreferenced object ${key} added` });
    }
  }
  return out;
}

/** Object and cross-reference streams only carry other objects; they are judged through those. */
function isStructural(o: PdfObject | undefined): boolean {
  if (!isStream(o)) return false;
  const type = o.dict.entries.get('Type');
  return isName(type, 'ObjStm') || isName(type, 'XRef');
}

function uncleared(usages: readonly Usage[], approvals: readonly Approval[]): Usage[] {
  if (approvals.some((a) => a.scope === 'all')) return [];
  return usages.filter(
    (u) =>
      !approvals.some(
        (a) => typeof a.scope === 'object' && a.scope.from === u.from && a.scope.path === u.path,
      ),
  );
}

function explained(
  base: { revision: number; object: string; path?: string },
  approvals: readonly Approval[],
): Modification {
  const top = approvals.reduce((a, b) => (levelAtMost(b.level, a.level) ? a : b));
  return { ...base, level: top.level, description: top.description };
}

function unexplained(
  diff: RevisionDiff,
  r: PdfRef,
  current: PdfObject | undefined,
  open: readonly Usage[],
): string {
  const key = refKey(r);
  const where = diff.index.paths.get(key);
  const before = diff.index.defines(r) ? diff.oldObject(r) : undefined;
  const what =
    before === undefined
      ? `object ${key} was added`
      : `object ${key}${where ? ` (${where})` : ''} was changed${describeChange(diff, before, current)}`;
  const uses = open
    .slice(0, 3)
    .map((u) => (u.from === 'trailer' ? `trailer${u.path}` : `${u.from}${u.path}`));
  const usedAt =
    before === undefined && open.length > 0
      ? ` where the signed revision referenced ${uses.join(', ')}`
      : open.length > 0
        ? `; used by the signed revision at ${uses.join(', ')}${open.length > 3 ? ', …' : ''}`
        : '';
  return `${what}${usedAt} and no rule allows it`;
}

function describeChange(
  diff: RevisionDiff,
  before: PdfObject | undefined,
  after: PdfObject | undefined,
): string {
  const a = before && typeof before === 'object' && 'kind' in before ? before : undefined;
  const b = after && typeof after === 'object' && 'kind' in after ? after : undefined;
  if (a?.kind === 'dict' && b?.kind === 'dict') {
    return ` (${changedKeys(diff.doc, a, b).join(', ')})`;
  }
  if (a?.kind === 'stream' && b?.kind === 'stream') {
    const keys = changedKeys(diff.doc, a.dict, b.dict, new Set(['Length']));
    return keys.length > 0 ? ` (stream data, ${keys.join(', ')})` : ' (stream data)';
  }
  return '';
}

/**
 * Objects reachable in the new revision whose reachability is new: a walk from the trailer that
 * descends through objects written after signing and through objects the signed revision did not
 * reach. Objects the signed revision reached are judged by their usages instead.
 */
function reachableSinceSigning(diff: RevisionDiff): Set<string> {
  const seen = new Set<string>();
  const stack: PdfObject[] = [diff.doc.trailer(diff.newRev)];
  while (stack.length > 0) {
    const o = stack.pop();
    forEachRef(o, '', (r) => {
      const key = refKey(r);
      if (seen.has(key)) return;
      seen.add(key);
      if (diff.writtenSince(r) || !diff.index.reaches(key)) {
        stack.push(diff.newObject(r) ?? null);
      }
    });
  }
  return seen;
}
