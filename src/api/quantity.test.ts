import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addQuantities,
  canonicalQuantity,
  compareQuantities,
  formatQuantity,
  parseQuantity,
  QUANTITY_FORMAT_MESSAGE,
  QUANTITY_SUFFIX_MESSAGE,
  quantityMilliValue,
  quantityValue,
  roundUpToMilli,
  tryParseQuantity,
} from './quantity.ts';

describe('parseQuantity: exact values in nanos', () => {
  const cases: [string, bigint, string][] = [
    ['0', 0n, 'DecimalSI'],
    ['1', 1_000_000_000n, 'DecimalSI'],
    ['500m', 500_000_000n, 'DecimalSI'],
    ['0.5', 500_000_000n, 'DecimalSI'],
    ['1.5', 1_500_000_000n, 'DecimalSI'],
    ['2k', 2_000_000_000_000n, 'DecimalSI'],
    ['1Ki', 1024_000_000_000n, 'BinarySI'],
    ['1.5Gi', 1_610_612_736n * 1_000_000_000n, 'BinarySI'],
    ['1e3', 1_000_000_000_000n, 'DecimalExponent'],
    ['1E-3', 1_000_000n, 'DecimalExponent'],
    ['-2', -2_000_000_000n, 'DecimalSI'],
    ['+3', 3_000_000_000n, 'DecimalSI'],
    ['1n', 1n, 'DecimalSI'],
    // Below nano precision rounds away from zero.
    ['0.0000000001', 1n, 'DecimalSI'],
    ['-0.0000000001', -1n, 'DecimalSI'],
    // A binary quantity below one is DecimalSI.
    ['0.5Ki', 512_000_000_000n, 'BinarySI'],
    ['0.0001Ki', 102_400_000n, 'DecimalSI'],
    // Upstream's lexer quirks.
    ['.', 0n, 'DecimalSI'],
    ['1.', 1_000_000_000n, 'DecimalSI'],
    ['007', 7_000_000_000n, 'DecimalSI'],
    ['1E', 10n ** 27n, 'DecimalSI'],
  ];
  for (const [input, nanos, format] of cases) {
    test(input, () => {
      const q = parseQuantity(input);
      assert.equal(q.nanos, nanos);
      assert.equal(q.format, format);
    });
  }

  test('binary quantities are capped at the largest int64', () => {
    assert.equal(parseQuantity('100Ei').nanos, (2n ** 63n - 1n) * 1_000_000_000n);
  });
});

describe('parseQuantity: errors as upstream', () => {
  const formatErrors = ['', 'abc', '1 Gi', '1.2.3', '0x10', '1KiB'];
  for (const input of formatErrors) {
    test(JSON.stringify(input), () => {
      assert.throws(() => parseQuantity(input), { message: QUANTITY_FORMAT_MESSAGE });
      assert.equal(tryParseQuantity(input), undefined);
    });
  }
  const suffixErrors = ['1e', '1k3', '1Mi-', '1-', 'Gi1', '5mm'];
  for (const input of suffixErrors) {
    test(JSON.stringify(input), () => {
      assert.throws(() => parseQuantity(input), { message: QUANTITY_SUFFIX_MESSAGE });
    });
  }
});

describe('formatQuantity: canonical form', () => {
  const cases: [string, string][] = [
    ['0', '0'],
    ['0.5', '500m'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['1.5', '1500m'],
    ['1000', '1k'],
    ['1024', '1024'],
    ['1500', '1500'],
    ['100m', '100m'],
    ['1Ki', '1Ki'],
    ['1024Ki', '1Mi'],
    ['1.5Gi', '1536Mi'],
    ['1000Mi', '1000Mi'],
    ['0.5Ki', '512'],
    ['1.5Ki', '1536'],
    ['0.5Gi', '512Mi'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['12e6', '12e6'],
    ['-1500m', '-1500m'],
    ['-2048', '-2048'],
    ['-2Ki', '-2Ki'],
    ['0.0000000001', '1n'],
    ['123456789n', '123456789n'],
    ['1000000000n', '1'],
  ];
  for (const [input, out] of cases) {
    test(`${input} → ${out}`, () => {
      assert.equal(formatQuantity(parseQuantity(input)), out);
      assert.equal(canonicalQuantity(input), out);
    });
  }
  test('invalid strings are returned unchanged', () => {
    assert.equal(canonicalQuantity('lots'), 'lots');
  });
});

describe('values and arithmetic', () => {
  test('Value and MilliValue round away from zero', () => {
    assert.equal(quantityValue(parseQuantity('1.2')), 2n);
    assert.equal(quantityValue(parseQuantity('-1.2')), -2n);
    assert.equal(quantityValue(parseQuantity('1Gi')), 1_073_741_824n);
    assert.equal(quantityMilliValue(parseQuantity('250m')), 250n);
    assert.equal(quantityMilliValue(parseQuantity('1n')), 1n);
    assert.equal(quantityMilliValue(parseQuantity('2')), 2000n);
  });
  test('roundUpToMilli', () => {
    assert.equal(formatQuantity(roundUpToMilli(parseQuantity('0.0001'))), '1m');
    assert.equal(formatQuantity(roundUpToMilli(parseQuantity('1.5'))), '1500m');
  });
  test('compare and add', () => {
    assert.equal(compareQuantities(parseQuantity('1'), parseQuantity('1000m')), 0);
    assert.equal(compareQuantities(parseQuantity('999m'), parseQuantity('1')), -1);
    assert.equal(compareQuantities(parseQuantity('1Ki'), parseQuantity('1k')), 1);
    assert.equal(formatQuantity(addQuantities(parseQuantity('1Gi'), parseQuantity('512Mi'))), '1536Mi');
  });
});
