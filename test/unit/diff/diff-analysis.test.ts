import { describe, expect, it } from 'vitest';
import { arr, dict, name, type PdfObject, ref, str } from '#pdf/objects.ts';
import { analyseChangesAfter } from '#signature/diff-analysis.ts';
import {
  catalogWith,
  FakePdf,
  page1With,
  type RevisionObjects,
  rect,
  signedDocument,
  signedTrailer,
} from './fake-pdf.ts';

/** A document signed in revision 0 with `update` appended as revision 1. */
function signedThen(
  update: (pdf: FakePdf) => RevisionObjects,
  trailer: Record<string, ReturnType<typeof ref>> = {},
) {
  const pdf = new FakePdf();
  const base = signedDocument(pdf);
  const objects = update(pdf);
  return pdf.build([
    { objects: base, trailer: signedTrailer },
    { objects, trailer },
  ]);
}

const sigDict = (type: 'Sig' | 'DocTimeStamp' = 'Sig') =>
  dict({
    Type: name(type),
    Filter: name('Adobe.PPKLite'),
    ByteRange: arr([0, 10, 20, 30]),
    Contents: str('sig2', true),
  });

const textField = (value: string, appearance = ref(9)) =>
  dict({
    FT: name('Tx'),
    T: str('Name'),
    V: str(value),
    Type: name('Annot'),
    Subtype: name('Widget'),
    Rect: rect(10, 10, 200, 30),
    P: ref(3),
    AP: dict({ N: appearance }),
  });

const newSignatureField = (extra: Record<string, PdfObject> = {}) =>
  dict({
    FT: name('Sig'),
    T: str('Sig2'),
    V: ref(12),
    Type: name('Annot'),
    Subtype: name('Widget'),
    Rect: rect(0, 0, 0, 0),
    P: ref(3),
    ...extra,
  });

describe('analyseChangesAfter', () => {
  it('accepts a second signature in a new invisible signature field', () => {
    const doc = signedThen(() => ({
      1: catalogWith({}, [ref(5), ref(7), ref(11)]),
      3: page1With({ Annots: arr([ref(5), ref(7), ref(11)]) }),
      11: newSignatureField(),
      12: sigDict(),
    }));

    const result = analyseChangesAfter(doc, 0, {});

    expect(result.allowed).toBe(true);
    expect(result.level).toBe('FORM_FILLING');
    expect(result.reasons).toEqual([]);
    expect(result.modifications.map((m) => m.object).sort()).toEqual([
      '1 0',
      '11 0',
      '12 0',
      '3 0',
    ]);
  });

  it('accepts a visible signature with its appearance stream after an approval signature', () => {
    const doc = signedThen((pdf) => ({
      1: catalogWith({}, [ref(5), ref(7), ref(11)]),
      3: page1With({ Annots: arr([ref(5), ref(7), ref(11)]) }),
      11: newSignatureField({ Rect: rect(300, 50, 500, 100), AP: dict({ N: ref(15) }) }),
      12: sigDict(),
      15: pdf.stream({ Type: name('XObject'), Subtype: name('Form') }, '0 0 1 rg'),
    }));

    const result = analyseChangesAfter(doc, 0, {});

    expect(result.reasons).toEqual([]);
    expect(result.level).toBe('FORM_FILLING');
  });

  it('refuses a new visible signature field after a certification signature', () => {
    const doc = signedThen((pdf) => ({
      1: catalogWith({}, [ref(5), ref(7), ref(11)]),
      3: page1With({ Annots: arr([ref(5), ref(7), ref(11)]) }),
      11: newSignatureField({ Rect: rect(300, 50, 500, 100), AP: dict({ N: ref(15) }) }),
      12: sigDict(),
      15: pdf.stream({ Type: name('XObject'), Subtype: name('Form') }, '0 0 1 rg'),
    }));

    const result = analyseChangesAfter(doc, 0, { docMdp: 2 });

    expect(result.allowed).toBe(false);
    expect(result.reasons.join()).toMatch(
      /visible signature field Sig2 was created after a certification/,
    );
  });

  it('classifies an added document security store as LTA_UPDATES, allowed even for DocMDP P=1', () => {
    const doc = signedThen((pdf) => ({
      1: catalogWith({ DSS: ref(11) }),
      11: dict({ Type: name('DSS'), Certs: arr([ref(12)]), OCSPs: arr([ref(15)]) }),
      12: pdf.stream({}, 'certificate DER'),
      15: pdf.stream({}, 'OCSP DER'),
    }));

    const result = analyseChangesAfter(doc, 0, { docMdp: 1 });

    expect(result.reasons).toEqual([]);
    expect(result.level).toBe('LTA_UPDATES');
  });

  it('classifies a document timestamp in a new invisible field as LTA_UPDATES', () => {
    const doc = signedThen(() => ({
      1: catalogWith({}, [ref(5), ref(7), ref(11)]),
      11: newSignatureField(),
      12: sigDict('DocTimeStamp'),
    }));

    const result = analyseChangesAfter(doc, 0, { docMdp: 1 });

    expect(result.level).toBe('LTA_UPDATES');
    expect(result.allowed).toBe(true);
  });

  it('refuses a second approval signature after a certification signature with P=1', () => {
    const doc = signedThen(() => ({
      1: catalogWith({}, [ref(5), ref(7), ref(11)]),
      11: newSignatureField(),
      12: sigDict(),
    }));

    const result = analyseChangesAfter(doc, 0, { docMdp: 1 });

    expect(result.level).toBe('FORM_FILLING');
    expect(result.allowed).toBe(false);
  });

  it('refuses a page whose content stream was replaced', () => {
    const doc = signedThen((pdf) => ({
      3: page1With({ Contents: ref(11) }),
      11: pdf.stream({}, 'BT /F1 12 Tf 72 700 Td (Quyet dinh so 99) Tj ET'),
    }));

    const result = analyseChangesAfter(doc, 0, {});

    expect(result.allowed).toBe(false);
    expect(result.level).toBe('OTHER');
    expect(result.reasons.join()).toMatch(
      /3 0 \(\/Root\/Pages\/Kids\[0\]\) was changed \(\/Contents\)/,
    );
  });

  it('refuses a content stream rewritten in place', () => {
    const doc = signedThen((pdf) => ({
      4: pdf.stream({}, 'BT /F1 12 Tf 72 700 Td (Quyet dinh so 99) Tj ET'),
    }));

    const result = analyseChangesAfter(doc, 0, {});

    expect(result.allowed).toBe(false);
    expect(result.modifications).toContainEqual(
      expect.objectContaining({
        object: '4 0',
        path: '/Root/Pages/Kids[0]/Contents',
        level: 'OTHER',
      }),
    );
  });

  it('refuses an added page', () => {
    const doc = signedThen((pdf) => ({
      2: dict({ Type: name('Pages'), Kids: arr([ref(3), ref(13), ref(11)]), Count: 3 }),
      11: dict({ Type: name('Page'), Parent: ref(2), Contents: ref(12) }),
      12: pdf.stream({}, 'BT (Phu luc) Tj ET'),
    }));

    const result = analyseChangesAfter(doc, 0, {});

    expect(result.allowed).toBe(false);
    expect(result.reasons.join()).toMatch(/page tree changed/);
  });

  it('refuses a removed page', () => {
    const doc = signedThen(() => ({
      2: dict({ Type: name('Pages'), Kids: arr([ref(3)]), Count: 1 }),
    }));

    const result = analyseChangesAfter(doc, 0, {});

    expect(result.allowed).toBe(false);
    expect(result.level).toBe('OTHER');
  });

  it('refuses a trailer whose /Root was switched to another catalog', () => {
    const doc = signedThen(
      () => ({
        11: catalogWith({}),
      }),
      { Root: ref(11) },
    );

    const result = analyseChangesAfter(doc, 0, {});

    expect(result.allowed).toBe(false);
    expect(result.reasons.join()).toMatch(/\/Root was redirected from 1 0 to 11 0/);
  });

  it('classifies a filled-in form field as FORM_FILLING: allowed for P=2, refused for P=1', () => {
    const doc = signedThen((pdf) => ({
      7: textField('Tran Thi B', ref(11)),
      11: pdf.stream({ Type: name('XObject'), Subtype: name('Form') }, 'BT (Tran Thi B) Tj ET'),
    }));

    const p2 = analyseChangesAfter(doc, 0, { docMdp: 2 });
    const p1 = analyseChangesAfter(doc, 0, { docMdp: 1 });
    const approval = analyseChangesAfter(doc, 0, {});

    expect(p2).toMatchObject({ level: 'FORM_FILLING', allowed: true });
    expect(p1).toMatchObject({ level: 'FORM_FILLING', allowed: false });
    expect(p1.reasons.join()).toMatch(/FORM_FILLING exceeds LTA_UPDATES/);
    expect(approval.allowed).toBe(true);
  });

  it('accepts an appearance stream rewritten in place with the new value when only the field uses it', () => {
    const doc = signedThen((pdf) => ({
      7: textField('Tran Thi B'),
      9: pdf.stream(
        { Type: name('XObject'), Subtype: name('Form'), BBox: rect(0, 0, 190, 20) },
        'BT /F1 10 Tf (Tran Thi B) Tj ET',
      ),
    }));

    expect(analyseChangesAfter(doc, 0, {})).toMatchObject({ level: 'FORM_FILLING', allowed: true });
  });

  it('refuses a new appearance for a field whose value did not change (DSS-2236 replace)', () => {
    const doc = signedThen((pdf) => ({
      7: textField('Nguyen Van A', ref(11)),
      11: pdf.stream({ Type: name('XObject'), Subtype: name('Form') }, 'BT (Tran Thi B) Tj ET'),
    }));

    const result = analyseChangesAfter(doc, 0, {});

    expect(result.allowed).toBe(false);
    expect(result.reasons.join()).toMatch(/appearance of field Name changed but its value did not/);
  });

  it('refuses an appearance stream rewritten in place when the page content also draws it', () => {
    const pdf = new FakePdf();
    const base = signedDocument(pdf);
    base[3] = page1With({
      Resources: dict({ Font: dict({ F1: ref(8) }), XObject: dict({ Fm0: ref(9) }) }),
    });
    const doc = pdf.build([
      { objects: base, trailer: signedTrailer },
      {
        objects: {
          7: textField('Tran Thi B'),
          9: pdf.stream(
            { Type: name('XObject'), Subtype: name('Form'), BBox: rect(0, 0, 190, 20) },
            'BT /F1 10 Tf (Quyet dinh so 99) Tj ET',
          ),
        },
      },
    ]);

    const result = analyseChangesAfter(doc, 0, {});

    expect(result.allowed).toBe(false);
    expect(result.reasons.join()).toMatch(
      /9 0 .*used by the signed revision at 3 0\/Resources\/XObject\/Fm0/,
    );
  });

  it('refuses a catalog that gained /OpenAction', () => {
    const doc = signedThen(() => ({
      1: catalogWith({ OpenAction: arr([ref(13), name('Fit')]) }),
    }));

    const result = analyseChangesAfter(doc, 0, {});

    expect(result.allowed).toBe(false);
    expect(result.reasons.join()).toMatch(/catalog changed: \/OpenAction/);
  });

  it('classifies a new comment annotation as ANNOTATIONS, refused by default for approval signatures', () => {
    const doc = signedThen(() => ({
      3: page1With({ Annots: arr([ref(5), ref(7), ref(11)]) }),
      11: dict({
        Type: name('Annot'),
        Subtype: name('Text'),
        Rect: rect(0, 0, 20, 20),
        Contents: str('ok'),
      }),
    }));

    expect(analyseChangesAfter(doc, 0, {})).toMatchObject({ level: 'ANNOTATIONS', allowed: false });
    expect(analyseChangesAfter(doc, 0, { allowAnnotationsWithoutDocMdp: true }).allowed).toBe(true);
    expect(analyseChangesAfter(doc, 0, { docMdp: 3 }).allowed).toBe(true);
    expect(analyseChangesAfter(doc, 0, { docMdp: 2 }).allowed).toBe(false);
  });

  it('refuses an annotation of the signed revision removed from its page', () => {
    const doc = signedThen(() => ({ 3: page1With({ Annots: arr([ref(5)]) }) }));

    const result = analyseChangesAfter(doc, 0, { docMdp: 3 });

    expect(result.allowed).toBe(false);
    expect(result.reasons.join()).toMatch(/annotation \(7 0\) was removed from page 1/);
  });

  it('refuses freeing an object the signed revision used', () => {
    const doc = signedThen(() => ({ 14: 'free' }));

    const result = analyseChangesAfter(doc, 0, {});

    expect(result.allowed).toBe(false);
    expect(result.reasons.join()).toMatch(/object 14 0 of the signed revision was deleted/);
  });

  it('ignores objects rewritten with identical content', () => {
    const doc = signedThen((pdf) => ({
      4: pdf.stream({}, 'BT /F1 12 Tf 72 700 Td (Quyet dinh so 12) Tj ET'),
      8: dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Helvetica') }),
    }));

    expect(analyseChangesAfter(doc, 0, { docMdp: 1 })).toMatchObject({
      level: 'NONE',
      allowed: true,
      modifications: [],
    });
  });

  it('accepts new objects nothing references', () => {
    const doc = signedThen((pdf) => ({ 11: pdf.stream({}, 'BT (orphan) Tj ET') }));

    expect(analyseChangesAfter(doc, 0, { docMdp: 1 })).toMatchObject({
      level: 'LTA_UPDATES',
      allowed: true,
    });
  });

  it('refuses defining an object the signed revision referenced but lacked', () => {
    const pdf = new FakePdf();
    const base = signedDocument(pdf);
    base[13] = dict({ Type: name('Page'), Parent: ref(2), Contents: arr([ref(14), ref(20)]) });
    const doc = pdf.build([
      { objects: base, trailer: signedTrailer },
      { objects: { 20: pdf.stream({}, 'BT (chen them) Tj ET') } },
    ]);

    const result = analyseChangesAfter(doc, 0, {});

    expect(result.allowed).toBe(false);
    expect(result.reasons.join()).toMatch(
      /20 0 was added where the signed revision referenced 13 0\/Contents\[1\]/,
    );
  });

  it('accepts an updated document information dictionary and XMP metadata', () => {
    const doc = signedThen((pdf) => ({
      1: catalogWith({ Metadata: ref(12) }),
      10: dict({ Producer: str('edoc-hub'), ModDate: str('D:20250101000000Z') }),
      12: pdf.stream({ Type: name('Metadata'), Subtype: name('XML') }, '<x:xmpmeta/>'),
    }));

    expect(analyseChangesAfter(doc, 0, { docMdp: 1 })).toMatchObject({
      level: 'LTA_UPDATES',
      allowed: true,
    });
  });

  it('refuses a new form field that is not a signature field', () => {
    const doc = signedThen(() => ({
      1: catalogWith({}, [ref(5), ref(7), ref(11)]),
      11: dict({ FT: name('Tx'), T: str('Extra'), V: str('x'), Rect: rect(0, 0, 10, 10) }),
    }));

    const result = analyseChangesAfter(doc, 0, {});

    expect(result.allowed).toBe(false);
    expect(result.reasons.join()).toMatch(/fields other than signature fields added: Extra/);
  });

  it('refuses changing an existing signature', () => {
    const doc = signedThen(() => ({ 6: sigDict() }));

    expect(analyseChangesAfter(doc, 0, {}).allowed).toBe(false);
  });

  it('fails closed when the compare budget is exhausted', () => {
    const doc = signedThen(() => ({ 10: dict({ Producer: str('other') }) }));

    const result = analyseChangesAfter(doc, 0, { maxObjectsCompared: 3 });

    expect(result).toMatchObject({ level: 'OTHER', allowed: false });
    expect(result.reasons.join()).toMatch(/analysis budget exceeded/);
  });

  it('finishes on a circular page tree', () => {
    const doc = signedThen(() => ({
      2: dict({ Type: name('Pages'), Kids: arr([ref(3), ref(2)]), Count: 2 }),
    }));

    expect(analyseChangesAfter(doc, 0, {}).allowed).toBe(false);
  });

  it('reports nothing for the last revision', () => {
    const doc = signedThen(() => ({}));

    expect(analyseChangesAfter(doc, 1, {})).toEqual({
      level: 'NONE',
      modifications: [],
      allowed: true,
      reasons: [],
    });
  });
});
