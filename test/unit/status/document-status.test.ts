import { describe, expect, it } from 'vitest';
import {
  canAdvanceDelivery,
  canTransition,
  DOCUMENT_STATUSES,
  isTerminal,
} from '#status/document-status.ts';

describe('document status model', () => {
  it('runs the pipeline in order and allows rejection from every non-terminal state', () => {
    expect(canTransition('AWAITING_UPLOAD', 'UPLOADED')).toBe(true);
    expect(canTransition('UPLOADED', 'VERIFIED')).toBe(true);
    expect(canTransition('VERIFIED', 'COUNTERSIGNED')).toBe(true);
    expect(canTransition('COUNTERSIGNED', 'ROUTED')).toBe(true);
    for (const s of DOCUMENT_STATUSES.filter((x) => !isTerminal(x))) {
      expect(canTransition(s, 'REJECTED'), s).toBe(true);
    }
  });

  it('never skips countersigning or leaves a terminal state', () => {
    expect(canTransition('VERIFIED', 'ROUTED')).toBe(false);
    expect(canTransition('UPLOADED', 'COUNTERSIGNED')).toBe(false);
    expect(canTransition('REJECTED', 'UPLOADED')).toBe(false);
    expect(canTransition('ROUTED', 'REJECTED')).toBe(false);
  });

  it('follows the edXML status codes for deliveries', () => {
    expect(canAdvanceDelivery('01', '03')).toBe(true);
    expect(canAdvanceDelivery('03', '06')).toBe(true);
    expect(canAdvanceDelivery('02', '03')).toBe(false);
    expect(canAdvanceDelivery('13', '15')).toBe(true);
    expect(canAdvanceDelivery('15', '05')).toBe(false);
  });
});
