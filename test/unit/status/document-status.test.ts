import { describe, expect, it } from 'vitest';
import {
  canAdvanceDelivery,
  canAdvanceDeliveryOverAxis,
  canTransition,
  DELIVERY_STATES,
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

describe('delivery model over the national axis', () => {
  it('lets a peer skip codes forward but keeps the API model step by step', () => {
    expect(canAdvanceDelivery('SENT', '03')).toBe(false);
    expect(canAdvanceDeliveryOverAxis('SENT', '03')).toBe(true);
    expect(canAdvanceDelivery('01', '06')).toBe(false);
    expect(canAdvanceDeliveryOverAxis('01', '06')).toBe(true);
    expect(canAdvanceDeliveryOverAxis('PENDING', '04')).toBe(true);
  });

  it('never goes backwards, refuses after acceptance, or answers a recall nobody asked for', () => {
    expect(canAdvanceDeliveryOverAxis('03', '01')).toBe(false);
    expect(canAdvanceDeliveryOverAxis('06', '05')).toBe(false);
    expect(canAdvanceDeliveryOverAxis('03', '02')).toBe(false);
    expect(canAdvanceDeliveryOverAxis('SENT', '15')).toBe(false);
    expect(canAdvanceDeliveryOverAxis('02', '03')).toBe(false);
    expect(canAdvanceDeliveryOverAxis('UNDELIVERABLE', '01')).toBe(false);
    expect(canAdvanceDeliveryOverAxis('SENT', 'PENDING')).toBe(false);
  });

  it('allows every step the API model allows, so storage can guard with it alone', () => {
    for (const from of DELIVERY_STATES) {
      for (const to of DELIVERY_STATES) {
        if (canAdvanceDelivery(from, to)) {
          expect(canAdvanceDeliveryOverAxis(from, to), `${from} → ${to}`).toBe(true);
        }
      }
    }
  });
});
