import type { Channel } from '../routing/directory.ts';
import type { DocumentStatus } from '../status/document-status.ts';

/** Vietnamese names of the document statuses, for reports read by the province's staff. */
export const STATUS_LABELS: Readonly<Record<DocumentStatus, string>> = {
  AWAITING_UPLOAD: 'Chờ tải lên',
  UPLOADED: 'Đã tải lên',
  VERIFIED: 'Đã xác thực chữ ký',
  COUNTERSIGNED: 'Đã ký số của cơ quan',
  ROUTED: 'Đã chuyển đi',
  REJECTED: 'Bị từ chối',
};

export const CHANNEL_LABELS: Readonly<Record<Channel, string>> = {
  'national-axis': 'Trục liên thông văn bản quốc gia',
  province: 'Nội bộ tỉnh',
};
