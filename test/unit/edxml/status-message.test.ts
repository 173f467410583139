import { describe, expect, it } from 'vitest';
import { EdxmlFormatError } from '#shared/edxml/errors.ts';
import {
  buildStatusMessage,
  EDXML_STATUS_CODES,
  EDXML_STATUS_MEANINGS,
  type EdxmlStatus,
  parseStatusMessage,
} from '#shared/edxml/status-message.ts';
import { DELIVERY_STATES } from '#status/document-status.ts';

function makeStatus(overrides: Partial<EdxmlStatus> = {}): EdxmlStatus {
  return {
    ResponseFor: {
      OrganId: '000.00.00.H48',
      Code: '1808/UBND-KGVX',
      PromulgationDate: '2019/04/16',
      DocumentId: '000.00.00.H48,2019/04/16,1808/UBND-KGVX',
    },
    From: { OrganId: '000.00.00.G22', OrganName: 'Văn phòng Chính phủ' },
    StatusCode: '03',
    Description: 'Đã tiếp nhận & vào sổ',
    Timestamp: '2019/04/16 09:15:00',
    StaffInfo: { Department: 'Phòng Hành chính - Tổ chức', Staff: 'Lê Thị D' },
    ...overrides,
  };
}

describe('edXML status messages', () => {
  it('round-trips every status code', () => {
    for (const StatusCode of EDXML_STATUS_CODES) {
      const status = makeStatus({ StatusCode });

      expect(parseStatusMessage(buildStatusMessage(status)), StatusCode).toEqual(status);
    }
  });

  it('takes its codes from the delivery states, without our own PENDING, SENT and UNDELIVERABLE', () => {
    expect(EDXML_STATUS_CODES).toEqual(['01', '02', '03', '04', '05', '06', '13', '15', '16']);
    expect(DELIVERY_STATES.filter((s) => !EDXML_STATUS_CODES.includes(s as never))).toEqual([
      'PENDING',
      'SENT',
      'UNDELIVERABLE',
    ]);
    expect(Object.keys(EDXML_STATUS_MEANINGS).sort()).toEqual([...EDXML_STATUS_CODES]);
  });

  it('writes the status under edXML:Status with the edXML: prefix', () => {
    const xml = buildStatusMessage(makeStatus()).toString('utf8');

    expect(xml).toContain(
      '<edXML:edXMLEnvelope><edXML:edXMLHeader><edXML:Status><edXML:ResponseFor><edXML:OrganId>000.00.00.H48</edXML:OrganId>',
    );
    expect(xml).toContain('<edXML:StatusCode>03</edXML:StatusCode>');
    expect(xml).toContain('Đã tiếp nhận &amp; vào sổ');
    expect(xml).toContain('<edXML:edXMLBody/>');
  });

  it('refuses an unknown status code, naming the element', () => {
    const xml = buildStatusMessage(makeStatus())
      .toString('utf8')
      .replace(
        '<edXML:StatusCode>03</edXML:StatusCode>',
        '<edXML:StatusCode>07</edXML:StatusCode>',
      );

    let error: unknown;
    try {
      parseStatusMessage(xml);
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(EdxmlFormatError);
    expect(error).toMatchObject({
      path: 'edXML/edXMLEnvelope/edXMLHeader/Status/StatusCode',
      message: expect.stringContaining('unknown status code'),
    });
  });

  it('refuses to build a status with an unknown code', () => {
    const status = { ...makeStatus(), StatusCode: '99' } as unknown as EdxmlStatus;

    expect(() => buildStatusMessage(status)).toThrow(/unknown status code/);
  });

  it('refuses a status without a timestamp', () => {
    const xml = buildStatusMessage(makeStatus())
      .toString('utf8')
      .replace(/<edXML:Timestamp>.*?<\/edXML:Timestamp>/, '');

    expect(() => parseStatusMessage(xml)).toThrow(
      'missing required element at edXML/edXMLEnvelope/edXMLHeader/Status/Timestamp',
    );
  });

  it('reads a status written with a bare envelope root and empty optional elements', () => {
    const xml = `<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLHeader>
    <edXML:Status>
      <edXML:ResponseFor>
        <edXML:OrganId>000.00.00.H48</edXML:OrganId>
        <edXML:Code>1808/UBND-KGVX</edXML:Code>
        <edXML:PromulgationDate>2019/04/16</edXML:PromulgationDate>
        <edXML:DocumentId>000.00.00.H48,2019/04/16,1808/UBND-KGVX</edXML:DocumentId>
      </edXML:ResponseFor>
      <edXML:From>
        <edXML:OrganId>000.00.00.G22</edXML:OrganId>
        <edXML:OrganName>Văn phòng Chính phủ</edXML:OrganName>
        <edXML:OrganizationInCharge />
        <edXML:OrganAdd />
      </edXML:From>
      <edXML:StatusCode>01</edXML:StatusCode>
      <edXML:Description>Đã đến</edXML:Description>
      <edXML:Timestamp>2019/04/16 08:31:00</edXML:Timestamp>
      <edXML:StaffInfo />
    </edXML:Status>
  </edXML:edXMLHeader>
  <edXML:edXMLBody />
</edXML:edXMLEnvelope>`;

    expect(parseStatusMessage(xml)).toEqual({
      ResponseFor: makeStatus().ResponseFor,
      From: {
        OrganId: '000.00.00.G22',
        OrganName: 'Văn phòng Chính phủ',
        OrganizationInCharge: '',
        OrganAdd: '',
      },
      StatusCode: '01',
      Description: 'Đã đến',
      Timestamp: '2019/04/16 08:31:00',
      StaffInfo: {},
    });
  });
});
