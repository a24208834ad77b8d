import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asciiSource } from './ascii-source.ts';

test('escapes non-ASCII so the text is one byte per character and means the same', () => {
  const src = "const re = /^([a-zµμ]+)$/; const s = 'a → b'; // node → pod\nexport { re, s };";
  const out = asciiSource(src);
  assert.ok([...out].every((c) => c.charCodeAt(0) <= 0x7f));
  const mod = { re: /x/, s: '' };
  new Function('m', `${out.replace('export { re, s };', 'm.re = re; m.s = s;')}`)(mod);
  assert.ok(mod.re.test('10μ') === false && mod.re.test('μs') && mod.re.test('µs'));
  assert.equal(mod.s, 'a → b');
});

test('astral characters become their surrogate pair, still the same string', () => {
  const out = asciiSource("const s = '🚀';");
  assert.equal(out, "const s = '\\ud83d\\ude80';");
  assert.equal(new Function(`${out} return s;`)(), '🚀');
});

test('ASCII text is returned as is', () => {
  assert.equal(asciiSource('let a = 1; // plain'), 'let a = 1; // plain');
});
