/** Spec section 5: `409 conflict` (type request) is a catalogue entry, answered as JSON and as SVG. */
import { AvtrzError, ERROR_CATALOGUE, errorBody } from '../../../lambdas/core/errors';
import { renderAvatarError } from '../../../lambdas/http/avatar-error';
import { makeEvent } from '../../support/events';

test('the catalogue holds 409 conflict of type request', () => {
  expect(ERROR_CATALOGUE.conflict).toMatchObject({ status: 409, type: 'request' });
});

test('JSON: the error shape with the message naming what conflicted', () => {
  const err = new AvtrzError('conflict', 'This key was already rolled; its successor is key_x.');
  expect(err.status).toBe(409);
  expect(errorBody(err, 'req-1')).toEqual({
    error: {
      code: 'conflict',
      type: 'request',
      message: 'This key was already rolled; its successor is key_x.',
      request_id: 'req-1',
    },
  });
  const res = renderAvatarError(err, makeEvent({ headers: { accept: 'application/json' } }), 'req-1');
  expect(res.statusCode).toBe(409);
  expect(JSON.parse(String(res.body)).error.code).toBe('conflict');
});

test('SVG for an image load: same status, x-avtrz-error: conflict', () => {
  const res = renderAvatarError(
    new AvtrzError('conflict'),
    makeEvent({ headers: { 'sec-fetch-dest': 'image' } }),
    'r',
  );
  expect(res.statusCode).toBe(409);
  expect(res.headers).toMatchObject({ 'content-type': 'image/svg+xml', 'x-avtrz-error': 'conflict' });
  expect(String(res.body).startsWith('<svg')).toBe(true);
});
