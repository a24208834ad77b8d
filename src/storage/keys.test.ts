import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareKeys, prefixEnd, rangeStart } from './keys.ts';

const utf8Compare = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('keys', () => {
  it('compareKeys orders like UTF-8 bytes (etcd, SQLite BINARY), not like UTF-16 code units', () => {
    const keys = [
      '/a',
      '/a/',
      '/a0',
      '/b',
      '/\u00e9',
      '/\uffef',
      '/\ufffd',
      '/\u{1f600}',
      '/\u{10ffff}',
      '/',
      '',
    ];
    const byBytes = [...keys].sort(utf8Compare);
    assert.deepEqual([...keys].sort(compareKeys), byBytes);
    // The case UTF-16 gets wrong: U+FFFD sorts before U+1F600 in UTF-8.
    assert.ok(compareKeys('\ufffd', '\u{1f600}') < 0);
    assert.ok('\ufffd' > '\u{1f600}', 'JavaScript alone would order them the other way');
  });

  it('prefixEnd is the exclusive end of the prefix range', () => {
    assert.equal(prefixEnd('/registry/pods/'), '/registry/pods0');
    assert.equal(prefixEnd('a\u{10ffff}'), 'b');
    assert.equal(prefixEnd('\ud7ff'), '\ue000', 'skips the surrogate range');
    assert.equal(prefixEnd(''), undefined);
    for (const p of ['/registry/', 'x\u00ff', '/\uffff']) {
      const end = prefixEnd(p)!;
      for (const k of [p, `${p}a`, `${p}\u{10ffff}\u{10ffff}`])
        assert.ok(utf8Compare(k, end) < 0, `${k} < ${end}`);
      assert.ok(utf8Compare(end, p) > 0);
    }
  });

  it('rangeStart resumes at the later of prefix and startKey', () => {
    assert.equal(rangeStart('/a/', undefined), '/a/');
    assert.equal(rangeStart('/a/', '/a/x'), '/a/x');
    assert.equal(rangeStart('/a/', '/0'), '/a/');
  });
});
