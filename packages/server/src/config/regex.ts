/**
 * `http_body_healthy_match` is written in Rust `regex` syntax; this converts it to a JavaScript
 * RegExp. Matching is an unanchored search (`RegExp.test()`), like Rust's `is_match`.
 *
 * | Rust                                          | JavaScript                                      |
 * |-----------------------------------------------|-------------------------------------------------|
 * | leading `(?i)` `(?m)` `(?s)`, combined `(?is)` | flags `i`, `m`, `s`                             |
 * | leading `(?u)`, negations such as `(?-u)`     | ignored (`u` is always tried; negations of flags that are off are no-ops) |
 * | `(?x)` `(?U)` `(?R)`, flags later in the pattern, scoped `(?i:…)` | rejected                    |
 * | `(?P<name>…)`                                 | `(?<name>…)`                                    |
 * | `\A`, `\z`                                    | `^`, `$` (lookarounds under `(?m)`)             |
 * | `\<`, `\>` (start, end of word)               | `\b(?=\w)`, `\b(?<=\w)`                         |
 * | `\x{HHHH}`, `\pL`, `\a`                       | `\u{HHHH}`, `\p{L}`, `\x07`                     |
 * | other escaped punctuation (`\#`, `\:`, …)     | the literal character                           |
 * | `[]…]`, `[^]…]` (a leading `]` is literal)    | `[\]…]`, `[^\]…]`                               |
 * | nested classes `[a[b]]`, `[[:alpha:]]`, `&&` `--` `~~` in a class | rejected                    |
 * | `\d` `\w` `\b` are Unicode-aware              | ASCII only (accepted difference)                |
 * | lookarounds and backreferences are errors     | accepted                                        |
 *
 * The result is compiled with the `u` flag (Rust is Unicode by default); if that fails it is retried
 * without `u`, unless the pattern uses `\p` or `\x{…}`, whose meaning would silently change.
 */

const FLAG_REJECTIONS: Record<string, string> = {
  x: '(?x) verbose mode is not supported: remove the spaces and # comments from the pattern',
  U: '(?U) swap-greed mode is not supported: use lazy quantifiers such as .*? instead',
  R: '(?R) CRLF mode is not supported',
};
const FLAGS_AS_IS = new Set(['i', 'm', 's']);
const IGNORED_FLAGS = new Set(['u']);
const LEADING_FLAG_GROUP = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?\)/;
/** An inline flag group anywhere: `(?i)`, `(?-s)`, `(?i:`. */
const INLINE_FLAG_GROUP = /^\(\?[a-zA-Z-]+[):]/;
/** Punctuation that JavaScript accepts escaped under the `u` flag (plus `-` inside a class). */
const JS_ESCAPABLE = new Set('^$\\.*+?()[]{}|/');
const ASCII_PUNCTUATION = /^[!-/:-@[-`{-~ ]$/;

export function compileBodyMatch(source: string): RegExp {
  const fail = (kind: string, reason: string): Error =>
    new Error(`${kind} regular expression /${source}/: ${reason}`);
  const { flags, rest } = takeLeadingFlags(source, (reason) => fail('unsupported', reason));
  const { pattern, unicodeOnly } = translate(rest, flags.includes('m'), (reason) =>
    fail('unsupported', reason),
  );
  try {
    return new RegExp(pattern, `${flags}u`);
  } catch (unicodeError) {
    if (!unicodeOnly) {
      try {
        return new RegExp(pattern, flags);
      } catch {
        // Report the Unicode-mode error: it is the one matching Rust's semantics.
      }
    }
    const reason = (unicodeError as Error).message.replace(
      /^Invalid regular expression: \/.*\/[a-z]*: /s,
      '',
    );
    throw fail('invalid', reason);
  }
}

function takeLeadingFlags(source: string, fail: (reason: string) => Error): { flags: string; rest: string } {
  const flags = new Set<string>();
  let rest = source;
  for (let match = LEADING_FLAG_GROUP.exec(rest); match; match = LEADING_FLAG_GROUP.exec(rest)) {
    const [group, enabled = '', disabled = ''] = match;
    for (const flag of enabled + disabled) {
      const rejection = FLAG_REJECTIONS[flag];
      if (rejection && enabled.includes(flag)) throw fail(rejection);
      if (!rejection && !FLAGS_AS_IS.has(flag) && !IGNORED_FLAGS.has(flag)) {
        throw fail(`unknown inline flag "${flag}" in ${group}`);
      }
      if (FLAGS_AS_IS.has(flag) && enabled.includes(flag)) flags.add(flag);
    }
    rest = rest.slice(group.length);
  }
  return { flags: [...flags].join(''), rest };
}

/** Rewrites the Rust-only syntax of the table above, tracking escapes and character classes. */
function translate(
  source: string,
  multiline: boolean,
  fail: (reason: string) => Error,
): { pattern: string; unicodeOnly: boolean } {
  let pattern = '';
  let unicodeOnly = false;
  let inClass = false;
  let i = 0;
  while (i < source.length) {
    const char = source[i] as string;
    const next = source[i + 1];
    if (char === '\\' && next !== undefined) {
      const translated = translateEscape(source, i, inClass, multiline);
      unicodeOnly ||= translated.unicodeOnly;
      pattern += translated.text;
      i += translated.length;
    } else if (inClass) {
      if (char === '[') throw fail('nested character classes and [[:name:]] classes are not supported');
      if ((char === '&' || char === '-' || char === '~') && next === char) {
        throw fail(`the class set operation "${char}${char}" is not supported`);
      }
      if (char === ']') inClass = false;
      pattern += char;
      i += 1;
    } else if (char === '[') {
      // In Rust a `]` right after `[` or `[^` is a literal; in JavaScript `[]` is an empty class.
      const opening = next === '^' ? '[^' : '[';
      const literalBracket = source[i + opening.length] === ']';
      pattern += literalBracket ? `${opening}\\]` : opening;
      i += opening.length + (literalBracket ? 1 : 0);
      inClass = true;
    } else if (char === '(' && source.startsWith('(?P<', i)) {
      pattern += '(?<';
      i += 4;
    } else if (char === '(' && INLINE_FLAG_GROUP.test(source.slice(i))) {
      throw fail('inline flags are supported only at the very start of the pattern, as in (?i)abc');
    } else {
      pattern += char;
      i += 1;
    }
  }
  return { pattern, unicodeOnly };
}

function translateEscape(
  source: string,
  at: number,
  inClass: boolean,
  multiline: boolean,
): { text: string; length: number; unicodeOnly: boolean } {
  const letter = source[at + 1] as string;
  const plain = (text: string, length = 2) => ({ text, length, unicodeOnly: false });
  if (!inClass && letter === 'A') return plain(multiline ? '(?<![\\s\\S])' : '^');
  if (!inClass && letter === 'z') return plain(multiline ? '(?![\\s\\S])' : '$');
  if (!inClass && letter === '<') return plain('\\b(?=\\w)');
  if (!inClass && letter === '>') return plain('\\b(?<=\\w)');
  if (letter === 'a') return plain('\\x07');
  if (letter === 'x' && source[at + 2] === '{') {
    const end = source.indexOf('}', at);
    const digits = end === -1 ? source.slice(at + 3) : source.slice(at + 3, end);
    return {
      text: `\\u{${digits}}`,
      length: end === -1 ? source.length - at : end - at + 1,
      unicodeOnly: true,
    };
  }
  if ((letter === 'p' || letter === 'P') && source[at + 2] !== '{') {
    return { text: `\\${letter}{${source[at + 2] ?? ''}}`, length: 3, unicodeOnly: true };
  }
  if (letter === 'p' || letter === 'P') return { text: `\\${letter}`, length: 2, unicodeOnly: true };
  const keepEscaped = JS_ESCAPABLE.has(letter) || (inClass && letter === '-');
  if (ASCII_PUNCTUATION.test(letter) && !keepEscaped) return plain(letter);
  return plain(`\\${letter}`);
}
