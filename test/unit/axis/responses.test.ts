import { describe, expect, it } from 'vitest';
import {
  AxisAuthenticationError,
  AxisRejectedError,
  AxisUnavailableError,
} from '#shared/axis/errors.ts';
import {
  agenciesResponseSchema,
  errorOf,
  readJsonAnswer,
  receivedListResponseSchema,
  sendResponseSchema,
} from '#shared/axis/responses.ts';

const json = (value: unknown) => JSON.stringify(value);

describe('axis answers', () => {
  it('reads the axis id of a sent package', () => {
    expect(readJsonAnswer(sendResponseSchema, 200, json({ status: 'OK', docId: 'D-1' }))).toEqual({
      status: 'OK',
      docId: 'D-1',
    });
  });

  it('reads the waiting list and ignores fields it does not know', () => {
    const answer = readJsonAnswer(
      receivedListResponseSchema,
      200,
      json({ status: 'OK', extra: 1, data: [{ docId: 'A', from: '000.00.00.G22', size: 3 }] }),
    );
    expect(answer.data).toEqual([{ docId: 'A', from: '000.00.00.G22' }]);
  });

  it('turns FAIL into a non-retryable refusal carrying the axis code, even on HTTP 200', () => {
    const error = errorOf(
      200,
      json({ status: 'FAIL', errorCode: 'INVALID_RECEIVER', errorDesc: 'unknown organ' }),
    );
    expect(error).toBeInstanceOf(AxisRejectedError);
    expect(error).toMatchObject({ code: 'INVALID_RECEIVER', retryable: false, httpStatus: 200 });
    expect(error?.message).toContain('unknown organ');
  });

  it('accepts the SDK spelling ErrorCode/ErrorDesc', () => {
    expect(
      errorOf(400, json({ status: 'FAIL', ErrorCode: 'E42', ErrorDesc: 'bad' })),
    ).toMatchObject({ code: 'E42' });
  });

  it('names a 4xx without a JSON body by its HTTP status', () => {
    const error = errorOf(413, '<html>too large</html>');
    expect(error).toBeInstanceOf(AxisRejectedError);
    expect(error).toMatchObject({ code: 'HTTP_413', httpStatus: 413 });
  });

  it.each([500, 502, 503, 504, 408, 429])('treats HTTP %i as retryable', (status) => {
    const error = errorOf(status, json({ status: 'FAIL', errorCode: 'BUSY' }));
    expect(error).toBeInstanceOf(AxisUnavailableError);
    expect(error).toMatchObject({ retryable: true });
    expect(error).not.toBeInstanceOf(AxisRejectedError);
  });

  it.each([401, 403])(
    'treats HTTP %i as a credentials problem, retried rather than blamed on the document',
    (status) => {
      const error = errorOf(status, json({ status: 'FAIL', errorCode: 'BAD_SIGNATURE' }));
      expect(error).toBeInstanceOf(AxisAuthenticationError);
      expect(error).toBeInstanceOf(AxisUnavailableError);
    },
  );

  it('treats a 2xx it cannot read as unavailable, not as success', () => {
    expect(() => readJsonAnswer(sendResponseSchema, 200, '<html>proxy</html>')).toThrow(
      AxisUnavailableError,
    );
    expect(() => readJsonAnswer(sendResponseSchema, 200, json({ status: 'OK' }))).toThrow(
      AxisUnavailableError,
    );
  });

  it('validates the agency list', () => {
    const answer = readJsonAnswer(
      agenciesResponseSchema,
      200,
      json({ status: 'OK', data: [{ id: '000.00.00.G22', name: 'Văn phòng Chính phủ' }] }),
    );
    expect(answer.data).toEqual([{ id: '000.00.00.G22', name: 'Văn phòng Chính phủ' }]);
    expect(() =>
      readJsonAnswer(agenciesResponseSchema, 200, json({ status: 'OK', data: [{ name: 'x' }] })),
    ).toThrow(AxisUnavailableError);
  });
});
