import { describe, expect, it } from 'vitest';
import { dict, dictOf, isName, name, ref, refKey } from '#pdf/objects.ts';

describe('pdf object model', () => {
  it('recognises names by value', () => {
    expect(isName(name('Sig'), 'Sig')).toBe(true);
    expect(isName(name('Sig'), 'DocTimeStamp')).toBe(false);
  });

  it('keys references by number and generation', () => {
    expect(refKey(ref(12, 3))).toBe('12 3');
  });

  it('gives the dictionary of a stream', () => {
    const d = dict({ Type: name('XObject') });
    expect(dictOf({ kind: 'stream', dict: d, dataOffset: 0, dataLength: 0 })).toBe(d);
    expect(dictOf(7)).toBeUndefined();
  });
});
