import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildEdxmlDocument,
  type EdxmlAttachment,
  type EdxmlDocument,
  parseEdxmlDocument,
} from '#shared/edxml/envelope.ts';
import {
  EdxmlFormatError,
  EdxmlIntegrityError,
  EdxmlLimitError,
  EdxmlUnsafeXmlError,
} from '#shared/edxml/errors.ts';
import { formatDocumentId, formatEdxmlTimestamp } from '#shared/edxml/fields.ts';

const QUANG_NGAI = 'Ủy ban nhân dân tỉnh Quảng Ngãi';

function makeAttachment(overrides: Partial<EdxmlAttachment> = {}): EdxmlAttachment {
  return {
    ContentId: 'cid-1',
    ContentType: 'application/pdf',
    Description: 'Văn bản chính',
    AttachmentName: '1808-UBND-KGVX.pdf',
    content: Buffer.from('%PDF-1.7 hello'),
    ...overrides,
  };
}

function makeDocument(overrides: Partial<EdxmlDocument> = {}): EdxmlDocument {
  return {
    MessageHeader: {
      From: {
        OrganId: '000.00.00.H48',
        OrganizationInCharge: QUANG_NGAI,
        OrganName: QUANG_NGAI,
        OrganAdd: '52 Hùng Vương, TP. Quảng Ngãi',
        Email: 'vanthu@quangngai.gov.vn',
        Telephone: '0255 3822 000',
        Fax: '0255 3822 001',
        Website: 'https://quangngai.gov.vn',
      },
      To: [
        { OrganId: '000.00.00.G22', OrganName: 'Văn phòng Chính phủ' },
        { OrganId: '000.00.00.G12', OrganName: 'Bộ Thông tin và Truyền thông' },
      ],
      DocumentId: formatDocumentId({
        organId: '000.00.00.H48',
        promulgationDate: '2019/04/16',
        codeNumber: '1808',
        codeNotation: 'UBND-KGVX',
      }),
      Code: { CodeNumber: '1808', CodeNotation: 'UBND-KGVX' },
      PromulgationInfo: { Place: 'Quảng Ngãi', PromulgationDate: '2019/04/16' },
      DocumentType: { Type: '1', TypeName: 'Công văn' },
      Subject: 'Triển khai gửi, nhận văn bản điện tử có ký số',
      Content: 'Thực hiện Công văn số 2887/VPCP-KSTT ngày 09/4/2019',
      SignerInfo: {
        Competence: 'KT. Chủ tịch',
        Position: 'Phó Chủ tịch',
        FullName: 'Nguyễn Văn A',
      },
      DueDate: '2019/05/15',
      ToPlaces: { Place: ['Các sở, ban, ngành', 'UBND các huyện'] },
      OtherInfo: {
        Priority: '1',
        SphereOfPromulgation: 'Lưu hành nội bộ',
        TyperNotation: 'TVC',
        PromulgationAmount: '1',
        PageAmount: '2',
        Direction: 'false',
        Appendixes: { Appendix: ['Phụ lục II'] },
      },
      SteeringType: '0',
    },
    TraceHeaderList: {
      TraceHeader: [{ OrganId: '000.00.00.H48', Timestamp: '2019/04/16 08:30:00' }],
    },
    attachments: [
      makeAttachment(),
      makeAttachment({
        ContentId: 'cid-2',
        ContentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        Description: undefined,
        AttachmentName: 'Phụ lục.docx',
        content: Buffer.from([0, 1, 2, 255, 254, 253]),
      }),
    ],
    ...overrides,
  };
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

function verified(attachment: EdxmlAttachment) {
  const { Description, ...rest } = attachment;
  return {
    ...rest,
    ...(Description === undefined ? {} : { Description }),
    sha256: sha256(attachment.content),
    size: attachment.content.byteLength,
  };
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('edXML document package', () => {
  it('parses what it builds back to the same document, attachments verified', () => {
    const document = makeDocument();

    const parsed = parseEdxmlDocument(buildEdxmlDocument(document));

    expect(parsed).toEqual({
      MessageHeader: document.MessageHeader,
      TraceHeaderList: document.TraceHeaderList,
      attachments: document.attachments.map(verified),
      xmlDsigPresent: false,
    });
  });

  it('round-trips a document without attachments', () => {
    const document = makeDocument({ attachments: [] });

    const xml = buildEdxmlDocument(document);

    expect(xml.toString('utf8')).toContain('<edXML:edXMLManifest version="1.0"/>');
    expect(parseEdxmlDocument(xml)).toEqual({ ...document, xmlDsigPresent: false });
  });

  it('writes the QCVN namespace, the edXML: prefix on every element and the header in QCVN order', () => {
    const { DocumentId, Subject, From, ...rest } = makeDocument().MessageHeader;
    const shuffled = makeDocument({ MessageHeader: { Subject, ...rest, DocumentId, From } });

    const xml = buildEdxmlDocument(shuffled).toString('utf8');

    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><edXML xmlns="http:\/\/www.mic.gov.vn\/TBT\/QCVN_102_2016" xmlns:edXML="http:\/\/www.mic.gov.vn\/TBT\/QCVN_102_2016"/,
    );
    const tags = [...xml.matchAll(/<\/?([A-Za-z][\w:.-]*)/g)].map((m) => m[1]);
    expect(tags.filter((t) => t !== 'edXML' && !t?.startsWith('edXML:'))).toEqual([]);
    const header = /<edXML:MessageHeader>(.*)<\/edXML:MessageHeader>/.exec(xml)?.[1] ?? '';
    const topLevel = [...header.matchAll(/<edXML:(\w+)>/g)].map((m) => m[1]);
    expect(
      topLevel.filter((t) => ['From', 'To', 'DocumentId', 'Code', 'Subject'].includes(t ?? '')),
    ).toEqual(['From', 'To', 'To', 'DocumentId', 'Code', 'Subject']);
  });

  it('keeps Vietnamese text intact as UTF-8 through a round trip', () => {
    const document = makeDocument();

    const bytes = buildEdxmlDocument(document);

    expect(bytes.includes(Buffer.from(QUANG_NGAI, 'utf8'))).toBe(true);
    const parsed = parseEdxmlDocument(bytes);
    expect(parsed.MessageHeader.From.OrganName).toBe(QUANG_NGAI);
    expect(parsed.attachments[1]?.AttachmentName).toBe('Phụ lục.docx');
  });

  it('escapes XML special characters and keeps line breaks', () => {
    const subject = `Về việc <script>alert("x")</script> & 'báo cáo' ]]> a\r\nb`;
    const document = makeDocument({
      MessageHeader: { ...makeDocument().MessageHeader, Subject: subject },
    });

    const xml = buildEdxmlDocument(document).toString('utf8');

    expect(xml).not.toContain('<script>');
    expect(xml).toContain('&lt;script&gt;alert("x")&lt;/script&gt; &amp;');
    expect(parseEdxmlDocument(xml).MessageHeader.Subject).toBe(subject);
  });

  it('names the path of a missing required element', () => {
    const xml = buildEdxmlDocument(makeDocument())
      .toString('utf8')
      .replace(/<edXML:Subject>.*?<\/edXML:Subject>/, '');

    const error = catchError(() => parseEdxmlDocument(xml));

    expect(error).toBeInstanceOf(EdxmlFormatError);
    expect(error).toMatchObject({
      path: 'edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Subject',
      message: expect.stringMatching(/^missing required element/),
    });
  });

  it('refuses an unknown element instead of dropping it', () => {
    const xml = buildEdxmlDocument(makeDocument())
      .toString('utf8')
      .replace('<edXML:Subject>', '<edXML:Secret>Tối mật</edXML:Secret><edXML:Subject>');

    const error = catchError(() => parseEdxmlDocument(xml));

    expect(error).toBeInstanceOf(EdxmlFormatError);
    expect(error).toMatchObject({
      path: 'edXML/edXMLEnvelope/edXMLHeader/MessageHeader',
      message: expect.stringContaining('unknown element edXML:Secret'),
    });
  });

  it('refuses an element outside the QCVN namespace even with a familiar name', () => {
    const xml = buildEdxmlDocument(makeDocument())
      .toString('utf8')
      .replace(/<edXML:Subject>(.*?)<\/edXML:Subject>/, '<Subject xmlns="urn:other">$1</Subject>');

    expect(() => parseEdxmlDocument(xml)).toThrow(/unknown element \{urn:other\}Subject/);
  });

  it('points at the repeated recipient whose identifier is wrong', () => {
    const xml = buildEdxmlDocument(makeDocument()).toString('utf8').replace('000.00.00.G12', 'G12');

    expect(catchError(() => parseEdxmlDocument(xml))).toMatchObject({
      path: 'edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To[2]/OrganId',
    });
  });

  it('refuses a second copy of an element that may appear once', () => {
    const xml = buildEdxmlDocument(makeDocument())
      .toString('utf8')
      .replace('<edXML:Subject>', '<edXML:Subject>một</edXML:Subject><edXML:Subject>');

    expect(() => parseEdxmlDocument(xml)).toThrow(/edXML:Subject may appear only once/);
  });

  it('refuses to build a document the parser would refuse', () => {
    const document = makeDocument({
      MessageHeader: {
        ...makeDocument().MessageHeader,
        PromulgationInfo: { Place: 'Quảng Ngãi', PromulgationDate: '2019/02/30' },
      },
    });

    expect(catchError(() => buildEdxmlDocument(document))).toMatchObject({
      name: 'EdxmlFormatError',
      path: 'edXMLEnvelope/edXMLHeader/MessageHeader/PromulgationInfo/PromulgationDate',
    });
  });

  it('refuses an attachment whose bytes no longer match the manifest hash', () => {
    const xml = buildEdxmlDocument(
      makeDocument({ attachments: [makeAttachment({ content: Buffer.from('hello') })] }),
    ).toString('utf8');
    const tampered = xml.replace(
      Buffer.from('hello').toString('base64'),
      Buffer.from('jello').toString('base64'),
    );

    const error = catchError(() => parseEdxmlDocument(tampered));

    expect(error).toBeInstanceOf(EdxmlIntegrityError);
    expect(error).toMatchObject({ message: expect.stringContaining('SHA-256') });
  });

  it('refuses a manifest hash that was changed', () => {
    const document = makeDocument({ attachments: [makeAttachment()] });
    const xml = buildEdxmlDocument(document).toString('utf8');
    const tampered = xml.replace(sha256(makeAttachment().content), '0'.repeat(64));

    expect(() => parseEdxmlDocument(tampered)).toThrow(EdxmlIntegrityError);
  });

  it('refuses an attachment whose size differs from the manifest', () => {
    const content = Buffer.from('hello');
    const xml = buildEdxmlDocument(makeDocument({ attachments: [makeAttachment({ content })] }))
      .toString('utf8')
      .replace('hub:size="5"', 'hub:size="6"');

    expect(() => parseEdxmlDocument(xml)).toThrow(/5 bytes, the manifest says 6/);
  });

  it('refuses an attachment the manifest does not list, and a listed one that is missing', () => {
    const xml = buildEdxmlDocument(makeDocument()).toString('utf8');
    const orphan = xml.replace(
      /<edXML:Reference [^>]*>(?:(?!<\/edXML:Reference>).)*<\/edXML:Reference>/,
      '',
    );
    const missing = xml.replace(
      /<edXML:Attachment>(?:(?!<\/edXML:Attachment>).)*<\/edXML:Attachment>/,
      '',
    );

    expect(() => parseEdxmlDocument(orphan)).toThrow(/cid-1 is not in the manifest/);
    expect(() => parseEdxmlDocument(missing)).toThrow(/no attachment with ContentId cid-1/);
  });

  it('refuses manifest entries without digests unless told they may be absent', () => {
    const xml = buildEdxmlDocument(makeDocument())
      .toString('utf8')
      .replace(/ hub:(sha256|size)="[^"]*"/g, '');

    expect(() => parseEdxmlDocument(xml)).toThrow(EdxmlIntegrityError);
    const parsed = parseEdxmlDocument(xml, { requireDigests: false });
    expect(parsed.attachments.map((a) => a.sha256)).toEqual(
      makeDocument().attachments.map((a) => sha256(a.content)),
    );
  });

  it('refuses a DOCTYPE before parsing (billion laughs)', () => {
    const xml = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol2;</edXML>`;

    expect(() => parseEdxmlDocument(xml)).toThrow(EdxmlUnsafeXmlError);
    expect(() => parseEdxmlDocument(xml)).toThrow(/DOCTYPE/);
  });

  it('refuses an external entity reference that has no DOCTYPE', () => {
    const xml = buildEdxmlDocument(makeDocument())
      .toString('utf8')
      .replace(/<edXML:Subject>.*?<\/edXML:Subject>/, '<edXML:Subject>&xxe;</edXML:Subject>');

    const error = catchError(() => parseEdxmlDocument(xml));

    expect(error).toBeInstanceOf(EdxmlUnsafeXmlError);
    expect(error).toMatchObject({ path: 'edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Subject' });
  });

  it('refuses attachments beyond the total decoded-size limit', () => {
    const big = makeAttachment({ content: Buffer.alloc(4096, 1) });
    const xml = buildEdxmlDocument(makeDocument({ attachments: [big] }));
    const limits = { maxAttachments: 5, maxTotalAttachmentBytes: 4095, maxInputBytes: 1 << 20 };

    const error = catchError(() => parseEdxmlDocument(xml, { limits }));

    expect(error).toBeInstanceOf(EdxmlLimitError);
    expect(error).toMatchObject({ message: expect.stringContaining('4095 decoded bytes') });
  });

  it('refuses oversized input before parsing it', () => {
    const xml = buildEdxmlDocument(
      makeDocument({ attachments: [makeAttachment({ content: Buffer.alloc(4096) })] }),
    );

    const limits = { maxAttachments: 5, maxTotalAttachmentBytes: 1 << 20, maxInputBytes: 2000 };

    expect(() => parseEdxmlDocument(xml, { limits })).toThrow(
      `input of ${xml.byteLength} bytes exceeds the limit of 2000`,
    );
  });

  it('refuses more attachments than allowed, when building and when parsing', () => {
    const document = makeDocument();
    const limits = { maxAttachments: 1, maxTotalAttachmentBytes: 1 << 20 };

    expect(() => buildEdxmlDocument(document, limits)).toThrow(EdxmlLimitError);
    expect(() => parseEdxmlDocument(buildEdxmlDocument(document), { limits })).toThrow(
      /2 attachments exceed the limit of 1/,
    );
  });

  it('refuses XML that is not well-formed or not UTF-8', () => {
    const xml = buildEdxmlDocument(makeDocument()).toString('utf8').replace('</edXML:Subject>', '');

    expect(() => parseEdxmlDocument(xml)).toThrow(/not well-formed/);
    expect(() => parseEdxmlDocument(Buffer.from([0x3c, 0x61, 0xff, 0x3e]))).toThrow(/UTF-8/);
  });

  it('reads a package laid out like the public SDK samples', () => {
    const content = Buffer.from('%PDF-1.4 sample');
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<edXML xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From>
          <edXML:OrganId>000.00.00.G22</edXML:OrganId>
          <edXML:OrganizationInCharge>Văn phòng Chính phủ</edXML:OrganizationInCharge>
          <edXML:OrganName>Văn phòng Chính phủ</edXML:OrganName>
          <edXML:OrganAdd>1 Hoàng Hoa Thám, Hà Nội</edXML:OrganAdd>
          <edXML:Email />
          <edXML:Telephone />
          <edXML:Fax />
          <edXML:Website />
        </edXML:From>
        <edXML:To>
          <edXML:OrganId>000.00.00.H48</edXML:OrganId>
          <edXML:OrganName>${QUANG_NGAI}</edXML:OrganName>
        </edXML:To>
        <edXML:Code>
          <edXML:CodeNumber>2887</edXML:CodeNumber>
          <edXML:CodeNotation>VPCP-KSTT</edXML:CodeNotation>
        </edXML:Code>
        <edXML:PromulgationInfo>
          <edXML:Place>Hà Nội</edXML:Place>
          <edXML:PromulgationDate>2019/04/09</edXML:PromulgationDate>
        </edXML:PromulgationInfo>
        <edXML:DocumentType>
          <edXML:Type>1</edXML:Type>
          <edXML:TypeName>Công văn</edXML:TypeName>
          <edXML:TypeDetail>0</edXML:TypeDetail>
        </edXML:DocumentType>
        <edXML:Subject>Gửi, nhận văn bản điện tử</edXML:Subject>
        <edXML:Content><![CDATA[Nội dung có <thẻ> & ký tự đặc biệt]]></edXML:Content>
        <edXML:SignerInfo>
          <edXML:Competence>KT. Bộ trưởng, Chủ nhiệm</edXML:Competence>
          <edXML:Position>Phó Chủ nhiệm</edXML:Position>
          <edXML:FullName>Nguyễn Văn B</edXML:FullName>
        </edXML:SignerInfo>
        <edXML:DueDate>2019/04/25</edXML:DueDate>
        <edXML:ToPlaces>
          <edXML:Place>Các tỉnh, thành phố</edXML:Place>
        </edXML:ToPlaces>
        <edXML:OtherInfo>
          <edXML:Priority>0</edXML:Priority>
          <edXML:SphereOfPromulgation>Liên thông văn bản</edXML:SphereOfPromulgation>
          <edXML:TyperNotation>TVC</edXML:TyperNotation>
          <edXML:PromulgationAmount>1</edXML:PromulgationAmount>
          <edXML:PageAmount>3</edXML:PageAmount>
        </edXML:OtherInfo>
        <edXML:SteeringType>0</edXML:SteeringType>
        <edXML:DocumentId>000.00.00.G22,2019/04/09,2887/VPCP-KSTT</edXML:DocumentId>
      </edXML:MessageHeader>
      <edXML:TraceHeaderList id="a1b2c3d4" version="1.0" mustUnderstand="1" actor="http://schemas.xmlsoap.org/soap/actor/next">
        <edXML:TraceHeader>
          <edXML:OrganId>000.00.00.G22</edXML:OrganId>
          <edXML:Timestamp>2019/04/09 16:05:00</edXML:Timestamp>
        </edXML:TraceHeader>
        <edXML:Bussiness>
          <edXML:BussinessDocType>0</edXML:BussinessDocType>
          <edXML:BussinessDocReason>Văn bản điện tử mới</edXML:BussinessDocReason>
          <edXML:StaffInfo>
            <edXML:Department>Phòng Hành chính</edXML:Department>
            <edXML:Staff>Trần Thị C</edXML:Staff>
          </edXML:StaffInfo>
          <edXML:Paper>0</edXML:Paper>
        </edXML:Bussiness>
      </edXML:TraceHeaderList>
      <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo /></Signature>
    </edXML:edXMLHeader>
    <edXML:edXMLBody>
      <edXML:edXMLManifest version="1.0">
        <edXML:Reference xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="cid:abc" xlink:type="simple">
          <edXML:ContentId>abc</edXML:ContentId>
          <edXML:ContentType>application/pdf</edXML:ContentType>
          <edXML:AttachmentName>2887-VPCP-KSTT.pdf</edXML:AttachmentName>
        </edXML:Reference>
      </edXML:edXMLManifest>
    </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded>
    <Attachment>
      <ContentType>application/pdf</ContentType>
      <ContentId>abc</ContentId>
      <ContentTransferEncoded>
${content.toString('base64')}
      </ContentTransferEncoded>
      <AttachmentName>2887-VPCP-KSTT.pdf</AttachmentName>
    </Attachment>
  </AttachmentEncoded>
</edXML>`;

    const parsed = parseEdxmlDocument(xml, { requireDigests: false });

    expect(parsed.xmlDsigPresent).toBe(true);
    expect(parsed.MessageHeader.From).toEqual({
      OrganId: '000.00.00.G22',
      OrganizationInCharge: 'Văn phòng Chính phủ',
      OrganName: 'Văn phòng Chính phủ',
      OrganAdd: '1 Hoàng Hoa Thám, Hà Nội',
      Email: '',
      Telephone: '',
      Fax: '',
      Website: '',
    });
    expect(parsed.MessageHeader.Content).toBe('Nội dung có <thẻ> & ký tự đặc biệt');
    expect(parsed.MessageHeader.DocumentType).toEqual({
      Type: '1',
      TypeName: 'Công văn',
      TypeDetail: '0',
    });
    expect(parsed.TraceHeaderList.Bussiness?.StaffInfo?.Staff).toBe('Trần Thị C');
    expect(parsed.attachments).toEqual([
      {
        ContentId: 'abc',
        ContentType: 'application/pdf',
        AttachmentName: '2887-VPCP-KSTT.pdf',
        content,
        sha256: sha256(content),
        size: content.byteLength,
      },
    ]);
  });
});

describe('edXML timestamps', () => {
  it('writes instants in Vietnam time', () => {
    expect(formatEdxmlTimestamp(new Date('2019-04-15T17:30:05Z'))).toBe('2019/04/16 00:30:05');
  });
});
