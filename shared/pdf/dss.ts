import type { PdfDocument } from './document.ts';
import { PdfFormatError } from './errors.ts';
import { isArray, isDict, isStream, type PdfObject } from './objects.ts';

/** Validation material a document carries in its /DSS (ETSI EN 319 142-1 §5.4.2). */
export interface DocumentSecurityStore {
  readonly certificates: readonly Buffer[];
  readonly crls: readonly Buffer[];
  readonly ocspResponses: readonly Buffer[];
}

const EMPTY: DocumentSecurityStore = { certificates: [], crls: [], ocspResponses: [] };
/** A /DSS is bounded so a hostile one cannot make validation decode thousands of streams. */
const MAX_ENTRIES = 1000;

/**
 * The /DSS of the document as of its last revision. Entries that are not streams, or whose
 * streams do not decode, are skipped: the DSS only ever adds candidates for path building, and
 * every candidate is checked cryptographically before it is used.
 */
export function readDocumentSecurityStore(doc: PdfDocument): DocumentSecurityStore {
  let dss: PdfObject | undefined;
  try {
    dss = doc.resolve(doc.catalog().entries.get('DSS'));
  } catch (error) {
    if (error instanceof PdfFormatError) return EMPTY;
    throw error;
  }
  if (!isDict(dss)) return EMPTY;
  const streams = (key: string): Buffer[] => {
    const out: Buffer[] = [];
    try {
      const list = doc.resolve(dss.entries.get(key));
      if (!isArray(list)) return [];
      for (const item of list.items.slice(0, MAX_ENTRIES)) {
        try {
          const s = doc.resolve(item);
          if (isStream(s)) out.push(doc.decodeStream(s));
        } catch (error) {
          if (!(error instanceof PdfFormatError)) throw error;
        }
      }
    } catch (error) {
      if (!(error instanceof PdfFormatError)) throw error;
    }
    return out;
  };
  return { certificates: streams('Certs'), crls: streams('CRLs'), ocspResponses: streams('OCSPs') };
}
