import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ADMIN_MESSAGES } from './i18n-admin.ts';

/** Every visible string of the console, Vietnamese first; `{name}` placeholders are filled by `t`. */
const coreVi = {
  appName: 'Trục văn bản điện tử tỉnh',
  language: 'Ngôn ngữ',
  switchLanguage: 'English',
  signIn: 'Đăng nhập',
  signOut: 'Đăng xuất',
  signInTitle: 'Đăng nhập vào hệ thống',
  signInDevHint:
    'Máy cục bộ: chọn một cơ quan để làm việc với vai trò văn thư, hoặc chọn quản trị viên.',
  signInCognitoHint: 'Đăng nhập bằng tài khoản do Sở Thông tin và Truyền thông cấp.',
  signInAs: 'Làm việc với tư cách',
  roleAgency: 'Văn thư cơ quan',
  roleAdmin: 'Quản trị viên',
  agency: 'Cơ quan',
  signedInAs: 'Đang làm việc: {who}',
  signInFailed: 'Không đăng nhập được: {reason}',
  navUpload: 'Gửi văn bản',
  navSent: 'Văn bản đã gửi',
  navInbox: 'Văn bản đến',
  navDashboard: 'Tổng quan',
  navApprovals: 'Phê duyệt giai đoạn',
  navReports: 'Báo cáo',
  mainNav: 'Chức năng chính',
  loading: 'Đang tải…',
  retry: 'Thử lại',
  errorGeneric: 'Có lỗi: {message}',
  uploadTitle: 'Gửi văn bản đã ký số',
  file: 'Tệp PDF đã được lãnh đạo ký số',
  fileHint: 'Chỉ nhận tệp PDF, tối đa 50 MB.',
  number: 'Số văn bản',
  notation: 'Ký hiệu',
  notationHint: 'Chữ in hoa, số, dấu "-" và "/", ví dụ UBND-KGVX',
  documentType: 'Loại văn bản',
  chooseType: '— Chọn loại văn bản —',
  electronicOnly: 'chỉ gửi điện tử',
  electronicAndPaper: 'gửi điện tử và bản giấy',
  subject: 'Trích yếu nội dung',
  promulgationDate: 'Ngày ban hành',
  signerName: 'Người ký',
  signerPosition: 'Chức vụ người ký',
  urgency: 'Độ khẩn',
  urgency_normal: 'Thường',
  urgency_khan: 'Khẩn',
  'urgency_thuong-khan': 'Thượng khẩn',
  'urgency_hoa-toc': 'Hỏa tốc',
  secrecy: 'Độ mật',
  secrecy_none: 'Không mật',
  secrecy_mat: 'Mật',
  'secrecy_toi-mat': 'Tối mật',
  'secrecy_tuyet-mat': 'Tuyệt mật',
  secrecyExplain:
    'Văn bản có nội dung bí mật nhà nước (Mật, Tối mật, Tuyệt mật) không được gửi qua hệ thống này: ' +
    'Quyết định 28/2018/QĐ-TTg không cho phép gửi văn bản mật trên mạng. ' +
    'Hãy gửi bản giấy theo quy định về bảo vệ bí mật nhà nước.',
  secretRefused: 'Không thể gửi văn bản mật qua hệ thống. Hãy chọn "Không mật" hoặc gửi bản giấy.',
  recipients: 'Nơi nhận',
  recipientSearch: 'Tìm cơ quan nhận theo tên hoặc mã',
  recipientsChosen: 'Đã chọn {count} nơi nhận',
  recipientsNone: 'Chưa chọn nơi nhận nào.',
  remove: 'Bỏ {name}',
  noMatch: 'Không có cơ quan nào khớp.',
  send: 'Ký gửi',
  stepHashing: 'Đang tính mã băm SHA-256…',
  stepAnnouncing: 'Đang đăng ký văn bản…',
  stepUploading: 'Đang tải tệp lên…',
  uploadProgress: 'Tiến độ tải lên',
  fieldRequired: 'Vui lòng nhập {field}.',
  fieldInvalid: '{field}: {message}',
  statusTitle: 'Văn bản số {number}/{notation}',
  statusTimeline: 'Tiến trình xử lý',
  status_AWAITING_UPLOAD: 'Chờ tải tệp',
  status_UPLOADED: 'Đã tải lên',
  status_VERIFIED: 'Đã kiểm tra chữ ký',
  status_COUNTERSIGNED: 'Đã ký số của cơ quan',
  status_ROUTED: 'Đã chuyển đến nơi nhận',
  status_REJECTED: 'Bị từ chối',
  stepPending: 'chưa đến bước này',
  delivery_PENDING: 'Chờ gửi',
  delivery_SENT: 'Đã gửi',
  delivery_UNDELIVERABLE: 'Không gửi được',
  delivery_01: '01 Đã đến',
  delivery_02: '02 Từ chối tiếp nhận',
  delivery_03: '03 Đã tiếp nhận',
  delivery_04: '04 Đã phân công',
  delivery_05: '05 Đang xử lý',
  delivery_06: '06 Đã hoàn thành',
  delivery_13: '13 Đề nghị thu hồi',
  delivery_15: '15 Đồng ý thu hồi',
  delivery_16: '16 Từ chối thu hồi',
  deliveries: 'Nơi nhận và trạng thái',
  rejectionReasons: 'Lý do từ chối',
  reason_CHECKSUM_MISMATCH: 'Tệp tải lên khác với tệp đã đăng ký (mã băm không khớp).',
  reason_EMPTY: 'Tệp rỗng.',
  reason_NOT_A_PDF: 'Tệp không phải PDF.',
  reason_TOO_LARGE: 'Tệp lớn hơn giới hạn cho phép.',
  reason_SIGNER_NOT_OF_AGENCY: 'Người ký không thuộc cơ quan gửi.',
  reason_NO_ORGANIZATION_KEY: 'Cơ quan chưa có chữ ký số của cơ quan.',
  reason_NO_ELECTRONIC_RECIPIENT: 'Không có nơi nhận nào nhận được văn bản điện tử.',
  paperCopyRequired: 'Cần gửi kèm bản giấy đến: {recipients}',
  lastUpdate: 'Cập nhật lúc {time}',
  live: 'Tự động cập nhật',
  sentTitle: 'Văn bản đã gửi',
  inboxTitle: 'Văn bản đến',
  empty: 'Chưa có văn bản nào.',
  colNumber: 'Số/Ký hiệu',
  colSubject: 'Trích yếu',
  colStatus: 'Trạng thái',
  colDate: 'Ngày',
  colFrom: 'Cơ quan gửi',
  colActions: 'Thao tác',
  open: 'Xem',
  download: 'Tải về',
  accept: 'Tiếp nhận (03)',
  refuse: 'Từ chối (02)',
  inProgress: 'Đang xử lý (05)',
  done: 'Hoàn thành (06)',
  refuseReason: 'Lý do từ chối',
  confirmRefuse: 'Gửi từ chối',
  cancel: 'Hủy',
  receiptSent: 'Đã báo trạng thái {state}.',
  moreItems: 'Xem thêm',
  effectiveFrom: 'Hiệu lực từ {from}',
  effectiveTo: 'đến {to}',
  channelsOpen: 'Kênh đang mở',
  enrolled: 'Cơ quan tham gia',
  window: 'Khoảng thời gian',
  perDay: 'Văn bản mỗi ngày',
  perAgency: 'Văn bản theo cơ quan gửi',
  byStatus: 'Văn bản theo trạng thái (gồm lý do từ chối)',
  byChannel: 'Lượt gửi theo kênh',
  silentAgencies: 'Cơ quan chưa gửi văn bản nào',
  incomplete: 'Số liệu chưa đầy đủ (đã dừng đọc ở giới hạn).',
  chartOf: 'Biểu đồ: {title}',
  attempt: 'Lần báo cáo {attempt}',
  approve: 'Phê duyệt',
  reject: 'Không phê duyệt',
  note: 'Ghi chú',
  decided: 'Đã ghi nhận quyết định: {decision}.',
  unavailable: 'Chức năng này chưa có trong bản triển khai này.',
  skipToContent: 'Bỏ qua, đến nội dung chính',
  notFound: 'Không có trang này.',
  notAllowed: 'Trang này chỉ dành cho quản trị viên.',
  configFailed: 'Không tải được cấu hình của bảng điều khiển: {message}',
  signInCognito: 'Đăng nhập bằng tài khoản của cơ quan',
  secrecyHint: 'Chỉ văn bản không mật mới được gửi qua hệ thống.',
  sendDisabledSecret: 'Nút "Ký gửi" đã bị khóa vì văn bản được đánh dấu mật.',
  checksum: 'Mã băm SHA-256: {sha256}',
  currentStatus: 'Trạng thái hiện tại: {status}',
  reason_SIGNATURE_TOTAL_FAILED:
    'Chữ ký số trên tệp không hợp lệ: tệp đã bị sửa sau khi ký, hoặc chứng thư số không hợp lệ.',
  reason_SIGNATURE_INDETERMINATE:
    'Chưa xác nhận được chữ ký số: tệp chưa có chữ ký của lãnh đạo, hoặc không kiểm tra được chứng thư số.',
  technicalDetails: 'Chi tiết kỹ thuật',
  refuseReasonRequired: 'Vui lòng nhập lý do từ chối.',
  receiptFailed: 'Không báo được trạng thái: {message}',
  receiptActionsFor: 'Báo trạng thái văn bản {document}',
  downloadFailed: 'Không tải được tệp: {message}',
  acceptNeedsArrival: 'Tiếp nhận sẽ báo "01 Đã đến" trước, rồi "03 Đã tiếp nhận".',
} as const;

const coreEn: Record<keyof typeof coreVi, string> = {
  appName: 'Provincial e-document hub',
  language: 'Language',
  switchLanguage: 'Tiếng Việt',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signInTitle: 'Sign in',
  signInDevHint: 'Local machine: pick an agency to work as its clerk, or the administrator.',
  signInCognitoHint: 'Sign in with the account the Department of Information issued you.',
  signInAs: 'Work as',
  roleAgency: 'Agency clerk',
  roleAdmin: 'Administrator',
  agency: 'Agency',
  signedInAs: 'Working as: {who}',
  signInFailed: 'Could not sign in: {reason}',
  navUpload: 'Send a document',
  navSent: 'Sent',
  navInbox: 'Inbox',
  navDashboard: 'Dashboard',
  navApprovals: 'Phase approvals',
  navReports: 'Reports',
  mainNav: 'Main navigation',
  loading: 'Loading…',
  retry: 'Retry',
  errorGeneric: 'Something went wrong: {message}',
  uploadTitle: 'Send a signed document',
  file: 'PDF signed by a leader',
  fileHint: 'PDF only, at most 50 MB.',
  number: 'Number',
  notation: 'Notation',
  notationHint: 'Upper-case letters, digits, "-" and "/", such as UBND-KGVX',
  documentType: 'Document type',
  chooseType: '— Choose a type —',
  electronicOnly: 'electronic only',
  electronicAndPaper: 'electronic and paper',
  subject: 'Subject',
  promulgationDate: 'Date of issue',
  signerName: 'Signed by',
  signerPosition: "Signer's position",
  urgency: 'Urgency',
  urgency_normal: 'Normal',
  urgency_khan: 'Urgent (Khẩn)',
  'urgency_thuong-khan': 'Very urgent (Thượng khẩn)',
  'urgency_hoa-toc': 'Immediate (Hỏa tốc)',
  secrecy: 'Secrecy',
  secrecy_none: 'Not secret',
  secrecy_mat: 'Secret (Mật)',
  'secrecy_toi-mat': 'Top secret (Tối mật)',
  'secrecy_tuyet-mat': 'Absolutely secret (Tuyệt mật)',
  secrecyExplain:
    'Documents holding state secrets (Mật, Tối mật, Tuyệt mật) are never sent through this hub: ' +
    'Decision 28/2018/QĐ-TTg forbids sending secret documents over the network. ' +
    'Send them on paper under the rules for protecting state secrets.',
  secretRefused: 'Secret documents cannot be sent here. Choose "Not secret" or send it on paper.',
  recipients: 'Recipients',
  recipientSearch: 'Search recipients by name or code',
  recipientsChosen: '{count} recipients chosen',
  recipientsNone: 'No recipient chosen yet.',
  remove: 'Remove {name}',
  noMatch: 'No agency matches.',
  send: 'Send',
  stepHashing: 'Computing the SHA-256 digest…',
  stepAnnouncing: 'Registering the document…',
  stepUploading: 'Uploading the file…',
  uploadProgress: 'Upload progress',
  fieldRequired: 'Please fill in {field}.',
  fieldInvalid: '{field}: {message}',
  statusTitle: 'Document {number}/{notation}',
  statusTimeline: 'Processing',
  status_AWAITING_UPLOAD: 'Waiting for the file',
  status_UPLOADED: 'Uploaded',
  status_VERIFIED: 'Signature verified',
  status_COUNTERSIGNED: 'Countersigned by the agency',
  status_ROUTED: 'Routed to recipients',
  status_REJECTED: 'Rejected',
  stepPending: 'not reached yet',
  delivery_PENDING: 'Waiting to be sent',
  delivery_SENT: 'Sent',
  delivery_UNDELIVERABLE: 'Undeliverable',
  delivery_01: '01 Arrived',
  delivery_02: '02 Refused',
  delivery_03: '03 Accepted',
  delivery_04: '04 Assigned',
  delivery_05: '05 In progress',
  delivery_06: '06 Done',
  delivery_13: '13 Recall requested',
  delivery_15: '15 Recall accepted',
  delivery_16: '16 Recall refused',
  deliveries: 'Recipients and states',
  rejectionReasons: 'Why it was rejected',
  reason_CHECKSUM_MISMATCH: 'The uploaded file differs from the one announced (digest mismatch).',
  reason_EMPTY: 'The file is empty.',
  reason_NOT_A_PDF: 'The file is not a PDF.',
  reason_TOO_LARGE: 'The file is larger than allowed.',
  reason_SIGNER_NOT_OF_AGENCY: 'The signer does not belong to the sending agency.',
  reason_NO_ORGANIZATION_KEY: 'The agency has no organization signature yet.',
  reason_NO_ELECTRONIC_RECIPIENT: 'No recipient can receive electronic documents.',
  paperCopyRequired: 'Also send a paper copy to: {recipients}',
  lastUpdate: 'Updated at {time}',
  live: 'Updates automatically',
  sentTitle: 'Sent documents',
  inboxTitle: 'Inbox',
  empty: 'No documents yet.',
  colNumber: 'Number',
  colSubject: 'Subject',
  colStatus: 'Status',
  colDate: 'Date',
  colFrom: 'From',
  colActions: 'Actions',
  open: 'Open',
  download: 'Download',
  accept: 'Accept (03)',
  refuse: 'Refuse (02)',
  inProgress: 'In progress (05)',
  done: 'Done (06)',
  refuseReason: 'Reason for refusing',
  confirmRefuse: 'Send refusal',
  cancel: 'Cancel',
  receiptSent: 'Reported state {state}.',
  moreItems: 'Show more',
  effectiveFrom: 'In force from {from}',
  effectiveTo: 'to {to}',
  channelsOpen: 'Open channels',
  enrolled: 'Enrolled agencies',
  window: 'Window',
  perDay: 'Documents per day',
  perAgency: 'Documents per issuing agency',
  byStatus: 'Documents by status (rejections included)',
  byChannel: 'Deliveries by channel',
  silentAgencies: 'Agencies that have sent nothing',
  incomplete: 'Figures are incomplete (the read stopped at its bound).',
  chartOf: 'Chart: {title}',
  attempt: 'Report {attempt}',
  approve: 'Approve',
  reject: 'Reject',
  note: 'Note',
  decided: 'Decision recorded: {decision}.',
  unavailable: 'This deployment does not offer this.',
  skipToContent: 'Skip to main content',
  notFound: 'There is no such page.',
  notAllowed: 'This page is for administrators only.',
  configFailed: 'Could not load the console configuration: {message}',
  signInCognito: "Sign in with your agency's account",
  secrecyHint: 'Only documents that are not secret can be sent through the hub.',
  sendDisabledSecret: 'The "Send" button is locked because the document is marked secret.',
  checksum: 'SHA-256 digest: {sha256}',
  currentStatus: 'Current state: {status}',
  reason_SIGNATURE_TOTAL_FAILED:
    'The digital signature on the file is not valid: the file was changed after signing, or the certificate is not valid.',
  reason_SIGNATURE_INDETERMINATE:
    "The digital signature could not be confirmed: the file has no leader's signature yet, or the certificate could not be checked.",
  technicalDetails: 'Technical details',
  refuseReasonRequired: 'Please give the reason for refusing.',
  receiptFailed: 'Could not report the state: {message}',
  receiptActionsFor: 'Report the state of document {document}',
  downloadFailed: 'Could not download the file: {message}',
  acceptNeedsArrival: 'Accepting first reports "01 Arrived", then "03 Accepted".',
};

/**
 * The administrator screens keep their messages in `i18n-admin.ts`; they are merged here so one
 * translator serves the whole console. An administrator key that repeats a core key wins.
 */
const vi = { ...coreVi, ...ADMIN_MESSAGES.vi };

export type MessageKey = keyof typeof vi;

const en: Record<MessageKey, string> = { ...coreEn, ...ADMIN_MESSAGES.en };

export const DICTIONARIES = { vi, en } as const;
export type Lang = keyof typeof DICTIONARIES;
export const LANGS: readonly Lang[] = ['vi', 'en'];

export type Translate = (
  key: MessageKey,
  vars?: Readonly<Record<string, string | number>>,
) => string;

export function translator(lang: Lang): Translate {
  const dictionary: Record<MessageKey, string> = DICTIONARIES[lang];
  return (key, vars) =>
    dictionary[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      vars?.[name] === undefined ? whole : String(vars[name]),
    );
}

/** A key built from data (`status_${status}`), when the dictionary has it. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(vi, key);
}

export interface I18n {
  readonly lang: Lang;
  readonly t: Translate;
  readonly setLang: (lang: Lang) => void;
  /** Dates and times as the language writes them, in the province's time zone. */
  readonly formatTime: (iso: string) => string;
}

export function makeI18n(lang: Lang, setLang: (lang: Lang) => void): I18n {
  const locale = lang === 'vi' ? 'vi-VN' : 'en-GB';
  const format = new Intl.DateTimeFormat(locale, {
    dateStyle: 'short',
    timeStyle: 'short',
    timeZone: 'Asia/Ho_Chi_Minh',
  });
  return {
    lang,
    t: translator(lang),
    setLang,
    formatTime: (iso) => {
      const date = new Date(iso);
      return Number.isNaN(date.getTime()) ? iso : format.format(date);
    },
  };
}

export const I18nContext = createContext<I18n>(makeI18n('vi', () => undefined));

export const useI18n = (): I18n => useContext(I18nContext);

const LANG_KEY = 'edoc-hub.lang';

/** The language the user chose last time on this browser; Vietnamese otherwise. */
export function storedLang(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

export function storeLang(lang: Lang): void {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
  }
}
