import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIELD_MANAGER_MAX_LENGTH, managerOrUserAgent, validateFieldManager } from './manager-name.ts';

test('the manager is the fieldManager parameter, else the user agent before its first "/"', () => {
  assert.equal(managerOrUserAgent('kubectl-edit', 'kubectl/v1.32.4'), 'kubectl-edit');
  assert.equal(
    managerOrUserAgent(null, 'kubectl.1.32/v1.32.5 (linux/amd64) kubernetes/9894294'),
    'kubectl.1.32',
  );
  assert.equal(managerOrUserAgent('', 'node-fetch'), 'node-fetch');
  assert.equal(managerOrUserAgent(undefined, undefined), '');
  assert.equal(managerOrUserAgent(undefined, 'a\u0007b/1'), 'ab', 'unprintable characters are dropped');
  assert.equal(managerOrUserAgent(undefined, 'x'.repeat(300)).length, FIELD_MANAGER_MAX_LENGTH);
});

test('a given fieldManager must be printable and at most 128 bytes', () => {
  assert.deepEqual(validateFieldManager('kubectl'), []);
  assert.deepEqual(validateFieldManager('é'.repeat(64)), []);
  assert.equal(validateFieldManager('é'.repeat(65))[0].detail, 'Too long: may not be more than 128 bytes');
  assert.equal(
    validateFieldManager('bad\nname')[0].detail,
    'Invalid value: "bad\\nname": must only contain printable characters',
  );
});
