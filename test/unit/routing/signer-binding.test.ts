import { describe, expect, it } from 'vitest';
import { foldName, slugName } from '#shared/routing/fold-name.ts';
import { signerMatchesAgency } from '#shared/routing/signer-binding.ts';

const department = {
  name: 'Sở Thông tin và Truyền thông',
  signerOrganizations: ['Sở Thông tin và Truyền thông tỉnh Quảng Ngãi'],
};

describe('foldName', () => {
  it('removes diacritics, maps đ to d, lower-cases and collapses whitespace', () => {
    expect(foldName('  Ủy ban   nhân dân\ttỉnh Quảng Ngãi ')).toBe(
      'uy ban nhan dan tinh quang ngai',
    );
    expect(foldName('ĐÀI PHÁT THANH')).toBe('dai phat thanh');
  });

  it('folds decomposed and precomposed input alike', () => {
    expect(foldName('Quảng Ngãi'.normalize('NFD'))).toBe(foldName('Quảng Ngãi'.normalize('NFC')));
  });

  it('folds both tone placements of "hoa"', () => {
    expect(slugName('Hoả tốc')).toBe('hoa-toc');
    expect(slugName('Hỏa tốc')).toBe('hoa-toc');
    expect(slugName('thuong_khan')).toBe('thuong-khan');
  });
});

describe('signerMatchesAgency', () => {
  it('matches an upper-case certificate name without diacritics', () => {
    expect(
      signerMatchesAgency(['SO THONG TIN VA TRUYEN THONG'], department, 'organization-name'),
    ).toBe(true);
  });

  it('matches a registered signer organization written differently', () => {
    expect(
      signerMatchesAgency(
        ['UBND TINH QUANG NGAI', 'Sở  Thông tin và Truyền thông TỈNH QUẢNG NGÃI'],
        department,
        'organization-name',
      ),
    ).toBe(true);
  });

  it('matches Đ in the certificate against d in the registered name', () => {
    const agency = { name: 'Sở Kế hoạch và Đầu tư', signerOrganizations: [] };
    expect(signerMatchesAgency(['SO KE HOACH VA DAU TU'], agency, 'organization-name')).toBe(true);
  });

  it('refuses the same department of another province', () => {
    const noRegisteredNames = {
      name: 'Sở Thông tin và Truyền thông tỉnh Quảng Ngãi',
      signerOrganizations: [],
    };
    expect(
      signerMatchesAgency(
        ['Sở Thông tin và Truyền thông tỉnh Bình Định'],
        noRegisteredNames,
        'organization-name',
      ),
    ).toBe(false);
  });

  it('refuses a name that only contains the agency name', () => {
    expect(
      signerMatchesAgency(
        ['Trung tâm Công nghệ thông tin - Sở Thông tin và Truyền thông'],
        department,
        'organization-name',
      ),
    ).toBe(false);
  });

  it('refuses a certificate without organization fields or with blank ones', () => {
    expect(signerMatchesAgency([], department, 'organization-name')).toBe(false);
    expect(signerMatchesAgency(['  '], department, 'organization-name')).toBe(false);
  });

  it('accepts any certificate when the binding is none', () => {
    expect(signerMatchesAgency(['Công ty ABC'], department, 'none')).toBe(true);
  });
});
