import { loadDocumentTypeCatalogue } from './catalogue.ts';

/**
 * Seed catalogue of document types by issuance form (1808/UBND-KGVX item 1). Names and
 * abbreviations follow Decree 30/2020/NĐ-CP; which types are electronic-only and the retention
 * years are illustrative until the province's own catalogue and the retention table of the
 * Ministry of Home Affairs are loaded.
 */
const entries = [
  {
    code: 'cong-van',
    name: 'Công văn',
    abbreviation: null,
    issuanceForm: 'electronic-only',
    retentionYears: 10,
  },
  {
    code: 'quyet-dinh',
    name: 'Quyết định',
    abbreviation: 'QĐ',
    issuanceForm: 'electronic-and-paper',
    retentionYears: 70,
  },
  {
    code: 'thong-bao',
    name: 'Thông báo',
    abbreviation: 'TB',
    issuanceForm: 'electronic-only',
    retentionYears: 10,
  },
  {
    code: 'ke-hoach',
    name: 'Kế hoạch',
    abbreviation: 'KH',
    issuanceForm: 'electronic-only',
    retentionYears: 20,
  },
  {
    code: 'bao-cao',
    name: 'Báo cáo',
    abbreviation: 'BC',
    issuanceForm: 'electronic-only',
    retentionYears: 20,
  },
  {
    code: 'to-trinh',
    name: 'Tờ trình',
    abbreviation: 'TTr',
    issuanceForm: 'electronic-and-paper',
    retentionYears: 20,
  },
  {
    code: 'giay-moi',
    name: 'Giấy mời',
    abbreviation: 'GM',
    issuanceForm: 'electronic-only',
    retentionYears: 5,
  },
];

export const SEED_DOCUMENT_TYPES = loadDocumentTypeCatalogue(entries);
