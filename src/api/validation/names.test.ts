import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
  isValidPercent,
  isValidPortName,
  isWildcardDNS1123Subdomain,
  NAME_VALIDATORS,
} from './names.ts';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

type Case = [string, string[]];
const table = (name: string, fn: (v: string) => string[], cases: Case[]) =>
  describe(name, () => {
    for (const [input, want] of cases) test(JSON.stringify(input), () => assert.deepEqual(fn(input), want));
  });

table('isDNS1123Subdomain', isDNS1123Subdomain, [
  ['example.com', []],
  ['a', []],
  ['0-0.9', []],
  ['Bad_Name', [SUBDOMAIN_MSG]],
  ['-a', [SUBDOMAIN_MSG]],
  ['a.', [SUBDOMAIN_MSG]],
  ['', [SUBDOMAIN_MSG]],
  ['a'.repeat(253), []],
  ['a'.repeat(254), ['must be no more than 253 characters']],
]);

table('isDNS1123Label', isDNS1123Label, [
  ['my-name', []],
  ['123-abc', []],
  ['a.b', ['must not contain dots']],
  ['UPPER', [LABEL_MSG]],
  ['a'.repeat(64), ['must be no more than 63 characters']],
]);

table('isDNS1035Label', isDNS1035Label, [
  ['web', []],
  ['1web', [DNS1035_MSG]],
  ['web-', [DNS1035_MSG]],
]);

table('isQualifiedName', isQualifiedName, [
  ['app', []],
  ['app.kubernetes.io/name', []],
  ['MyName', []],
  ['/name', ['prefix part must be non-empty']],
  ['Bad_Prefix/name', [`prefix part ${SUBDOMAIN_MSG}`]],
  ['ex.com/', ['name part must be non-empty', QUALIFIED_NAME_PART]],
  ['bad key!', [QUALIFIED_NAME_PART]],
  ['a'.repeat(64), ['name part must be no more than 63 characters']],
  [
    'a/b/c',
    [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ],
  ],
]);

table('isValidLabelValue', isValidLabelValue, [
  ['', []],
  ['v1.2_x-y', []],
  ['not valid!', [LABEL_VALUE_MSG]],
  ['-x', [LABEL_VALUE_MSG]],
  ['a'.repeat(64), ['must be no more than 63 characters']],
]);

table('isConfigMapKey', isConfigMapKey, [
  ['key.name', []],
  ['.hidden', []],
  ['.', ["must not be '.'"]],
  ['..x', ["must not start with '..'"]],
  [
    'bad key!',
    [
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ],
  ],
]);

table('isEnvVarName', isEnvVarName, [
  ['MY_VAR', []],
  ['my.env-name', []],
  [
    '1ABC',
    [
      "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    ],
  ],
]);

table('isValidPortName', isValidPortName, [
  ['http', []],
  ['http-alt', []],
  ['123', ['must contain at least one letter (a-z)']],
  ['a--b', ['must not contain consecutive hyphens']],
  ['-a', ['must not begin or end with a hyphen']],
  [
    'HTTP',
    [
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'must contain at least one letter (a-z)',
    ],
  ],
  ['abcdefghijklmnop', ['must be no more than 15 characters']],
]);

table('isValidPercent', isValidPercent, [
  ['25%', []],
  [
    '25',
    [
      "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ],
  ],
]);

table('isWildcardDNS1123Subdomain', isWildcardDNS1123Subdomain, [
  ['*.example.com', []],
  [
    'example.com',
    [
      "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ],
  ],
]);

table('isValidPathSegmentName', isValidPathSegmentName, [
  ['system:admin', []],
  ['..', ["may not be '..'"]],
  ['a/b%c', ["may not contain '/'", "may not contain '%'"]],
]);

describe('name rules for generateName', () => {
  test('a trailing dash is allowed in a prefix', () => {
    assert.deepEqual(NAME_VALIDATORS.subdomain('web-', true), []);
    assert.deepEqual(NAME_VALIDATORS.label('web-', true), []);
    assert.notDeepEqual(NAME_VALIDATORS.subdomain('web-', false), []);
  });
  test('path-segment prefixes only check content', () => {
    assert.deepEqual(NAME_VALIDATORS['path-segment']('..', true), []);
    assert.deepEqual(NAME_VALIDATORS['path-segment']('a/', true), ["may not contain '/'"]);
  });
});
