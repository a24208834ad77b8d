import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError, notFound } from '../api/errors.ts';
import { isGone, isNotFound, responseError, statusToError } from './errors.ts';

describe('decoding failures', () => {
  test('a Status body becomes the same ApiError the server threw', () => {
    const thrown = notFound('pods', 'web');
    const err = responseError(404, JSON.stringify(thrown.toStatus()));
    assert.ok(err instanceof ApiError);
    assert.equal(err.reason, 'NotFound');
    assert.equal(err.code, 404);
    assert.equal(err.message, 'pods "web" not found');
    assert.deepEqual(err.details, thrown.details);
    assert.equal(isNotFound(err), true);
  });

  test('a body that is not a Status gets the reason of its HTTP code', () => {
    const err = responseError(503, '<html>maintenance</html>', '7');
    assert.equal(err.reason, 'ServiceUnavailable');
    assert.equal(err.message, 'the server is currently unable to handle the request');
    assert.equal(err.details?.retryAfterSeconds, 7);
    assert.match(err.details?.causes?.[0].message ?? '', /maintenance/);
    assert.equal(responseError(418, '').reason, 'BadRequest');
    assert.equal(responseError(599, '').reason, 'InternalError');
  });

  test('a watch ERROR Status with code 410 is recognised as gone', () => {
    const err = statusToError({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'too old resource version: 3 (9)',
      reason: 'Expired',
      code: 410,
    });
    assert.equal(isGone(err), true);
    assert.equal(err.reason, 'Expired');
  });
});
