// Splits a string command (`command: npm run start -- --port "8 0"`) into words the way compose
// does (POSIX shell quoting, no expansion): it is an argv, not a shell script.

export function splitShellWords(s: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new SyntaxError(`unterminated single quote in ${JSON.stringify(s)}`);
      word += s.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        // Inside double quotes a backslash escapes only $ ` " \ and newline.
        if (s[j] === '\\' && '$`"\\\n'.includes(s[j + 1] ?? '')) j++;
        word += s[j];
      }
      if (j >= s.length) throw new SyntaxError(`unterminated double quote in ${JSON.stringify(s)}`);
      i = j;
    } else if (c === '\\') {
      if (i + 1 < s.length) word += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
