import { loadAgencyDirectory } from './directory.ts';

/**
 * Seed agency directory for Quảng Ngãi. Every identifier is illustrative: built in the QCVN 102
 * format around the province root H48 (itself unconfirmed) and the G root of ministries, not taken
 * from the national register. Focal-point people, e-mails and telephones are placeholders.
 * Phases: `axis-pilot` (25/4–10/5/2019, Provincial Office to ministries), `province-pilot`
 * (15/5–15/6/2019, inside the province), `official` (from 30/6/2019).
 */
const entries = [
  {
    code: '000.00.00.H48',
    codeStatus: 'illustrative',
    name: 'Ủy ban nhân dân tỉnh Quảng Ngãi',
    kind: 'other',
    channel: 'province',
    focalPoint: { name: 'Nguyễn Văn An', email: 'vanthu@quangngai.gov.vn', phone: '0255 3822 001' },
    enrolment: ['axis-pilot', 'province-pilot', 'official'],
    signerOrganizations: ['UBND tỉnh Quảng Ngãi', 'Ủy ban nhân dân tỉnh Quảng Ngãi'],
    organizationSigning: {
      key: { kind: 'kms', keyId: 'alias/edoc-org-000-00-00-H48' },
      certificateChain: { kind: 'object', key: 'certificates/000.00.00.H48/chain.pem' },
    },
  },
  {
    code: '000.00.01.H48',
    codeStatus: 'illustrative',
    name: 'Văn phòng Ủy ban nhân dân tỉnh Quảng Ngãi',
    kind: 'provincial-department',
    channel: 'province',
    focalPoint: {
      name: 'Trần Thị Bình',
      email: 'vanthu.vp@quangngai.gov.vn',
      phone: '0255 3822 002',
    },
    enrolment: ['axis-pilot', 'province-pilot', 'official'],
    signerOrganizations: ['Văn phòng UBND tỉnh Quảng Ngãi', 'Văn phòng UBND tỉnh'],
    organizationSigning: {
      key: { kind: 'pkcs11', tokenLabel: 'edoc-vp-ubnd', keyLabel: 'org-000.00.01.H48' },
      certificateChain: { kind: 'object', key: 'certificates/000.00.01.H48/chain.pem' },
    },
  },
  {
    code: '000.00.08.H48',
    codeStatus: 'illustrative',
    name: 'Sở Thông tin và Truyền thông',
    kind: 'provincial-department',
    channel: 'province',
    focalPoint: {
      name: 'Lê Văn Cường',
      email: 'vanthu.stttt@quangngai.gov.vn',
      phone: '0255 3822 008',
    },
    enrolment: ['province-pilot', 'official'],
    signerOrganizations: ['Sở Thông tin và Truyền thông tỉnh Quảng Ngãi'],
    organizationSigning: {
      key: { kind: 'kms', keyId: 'alias/edoc-org-000-00-08-H48' },
      certificateChain: { kind: 'object', key: 'certificates/000.00.08.H48/chain.pem' },
    },
  },
  {
    code: '000.00.02.H48',
    codeStatus: 'illustrative',
    name: 'Sở Nội vụ',
    kind: 'provincial-department',
    channel: 'province',
    focalPoint: {
      name: 'Phạm Thị Dung',
      email: 'vanthu.snv@quangngai.gov.vn',
      phone: '0255 3822 012',
    },
    enrolment: ['province-pilot', 'official'],
    signerOrganizations: ['Sở Nội vụ tỉnh Quảng Ngãi'],
    organizationSigning: {
      key: { kind: 'kms', keyId: 'alias/edoc-org-000-00-02-H48' },
      certificateChain: { kind: 'object', key: 'certificates/000.00.02.H48/chain.pem' },
    },
  },
  {
    code: '000.00.03.H48',
    codeStatus: 'illustrative',
    name: 'Sở Tài chính',
    kind: 'provincial-department',
    channel: 'province',
    focalPoint: {
      name: 'Hoàng Văn Em',
      email: 'vanthu.stc@quangngai.gov.vn',
      phone: '0255 3822 013',
    },
    enrolment: ['official'],
    signerOrganizations: ['Sở Tài chính tỉnh Quảng Ngãi'],
    organizationSigning: {
      key: { kind: 'kms', keyId: 'alias/edoc-org-000-00-03-H48' },
      certificateChain: { kind: 'object', key: 'certificates/000.00.03.H48/chain.pem' },
    },
  },
  {
    code: '000.00.04.H48',
    codeStatus: 'illustrative',
    name: 'Sở Kế hoạch và Đầu tư',
    kind: 'provincial-department',
    channel: 'province',
    focalPoint: {
      name: 'Võ Thị Giang',
      email: 'vanthu.skhdt@quangngai.gov.vn',
      phone: '0255 3822 014',
    },
    enrolment: ['official'],
    signerOrganizations: ['Sở Kế hoạch và Đầu tư tỉnh Quảng Ngãi'],
    organizationSigning: {
      key: { kind: 'kms', keyId: 'alias/edoc-org-000-00-04-H48' },
      certificateChain: { kind: 'object', key: 'certificates/000.00.04.H48/chain.pem' },
    },
  },
  {
    code: '000.00.21.H48',
    codeStatus: 'illustrative',
    name: 'Ủy ban nhân dân thành phố Quảng Ngãi',
    kind: 'district',
    channel: 'province',
    focalPoint: {
      name: 'Đặng Văn Hải',
      email: 'vanthu.tpqn@quangngai.gov.vn',
      phone: '0255 3822 021',
    },
    enrolment: ['province-pilot', 'official'],
    signerOrganizations: ['UBND thành phố Quảng Ngãi'],
    organizationSigning: {
      key: { kind: 'kms', keyId: 'alias/edoc-org-000-00-21-H48' },
      certificateChain: { kind: 'object', key: 'certificates/000.00.21.H48/chain.pem' },
    },
  },
  {
    code: '000.00.22.H48',
    codeStatus: 'illustrative',
    name: 'Ủy ban nhân dân huyện Bình Sơn',
    kind: 'district',
    channel: 'province',
    focalPoint: {
      name: 'Bùi Thị Lan',
      email: 'vanthu.binhson@quangngai.gov.vn',
      phone: '0255 3851 022',
    },
    enrolment: ['official'],
    signerOrganizations: ['UBND huyện Bình Sơn'],
    organizationSigning: {
      key: { kind: 'file', path: 'keys/000.00.22.H48.p12' },
      certificateChain: { kind: 'file', path: 'keys/000.00.22.H48-chain.pem' },
    },
  },
  {
    code: '000.00.23.H48',
    codeStatus: 'illustrative',
    name: 'Ủy ban nhân dân huyện Sơn Tịnh',
    kind: 'district',
    channel: 'province',
    focalPoint: {
      name: 'Ngô Văn Minh',
      email: 'vanthu.sontinh@quangngai.gov.vn',
      phone: '0255 3842 023',
    },
    enrolment: ['official'],
    signerOrganizations: ['UBND huyện Sơn Tịnh'],
    organizationSigning: {
      key: { kind: 'kms', keyId: 'alias/edoc-org-000-00-23-H48' },
      certificateChain: { kind: 'object', key: 'certificates/000.00.23.H48/chain.pem' },
    },
  },
  {
    code: '000.00.00.G01',
    codeStatus: 'illustrative',
    name: 'Văn phòng Chính phủ',
    kind: 'ministry',
    channel: 'national-axis',
    focalPoint: {
      name: 'Văn thư Văn phòng Chính phủ',
      email: 'vanthu@chinhphu.vn',
      phone: '024 3845 0001',
    },
    enrolment: [],
    signerOrganizations: [],
  },
  {
    code: '000.00.00.G22',
    codeStatus: 'illustrative',
    name: 'Bộ Thông tin và Truyền thông',
    kind: 'ministry',
    channel: 'national-axis',
    focalPoint: {
      name: 'Văn thư Bộ Thông tin và Truyền thông',
      email: 'vanthu@mic.gov.vn',
      phone: '024 3943 0002',
    },
    enrolment: [],
    signerOrganizations: [],
  },
];

export const QUANG_NGAI_DIRECTORY = loadAgencyDirectory(entries);
