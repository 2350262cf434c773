/**
 * JSON text beyond `JSON.parse` and `JSON.stringify`: duplicate object keys, which `JSON.parse` resolves silently
 * (the last wins) and other readers differently, so that two programs reading the same input would see different
 * data; and JSON text that is safe to show on a terminal.
 */

/** Characters `JSON.stringify` writes raw that a terminal or editor acts on (see {@link escapeJsonForDisplay}). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\p{Bidi_Control}]/u;
const UNSAFE_IN_JSON_ALL = new RegExp(UNSAFE_IN_JSON.source, 'gu');

/**
 * JSON text with DEL, the C1 controls (U+009B is CSI in 8-bit terminals), the line and paragraph separators and the
 * bidirectional controls written as `\uXXXX` escapes, as the text and JUnit outputs escape them: `JSON.stringify`
 * escapes only C0 controls, and a report carries strings from the hostile document (voucher fields, certificate
 * names, file names). These characters can only stand inside JSON strings, and each is in the BMP, so the text reads
 * back as exactly the same value.
 *
 * @param json - JSON text.
 * @returns the same JSON with those characters escaped (the same string when it has none).
 * @example escapeJsonForDisplay(JSON.stringify({ name: 'a\u202eb' })) // '{"name":"a\\u202eb"}'
 */
export function escapeJsonForDisplay(json: string): string {
  if (!UNSAFE_IN_JSON.test(json)) return json;
  return json.replace(UNSAFE_IN_JSON_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The first object key that appears twice in one object of a JSON text already known to be valid (`JSON.parse`
 * read it), with the path of its object: `JSON.parse` keeps the last, other readers the first, so an input (a seal
 * policy, the data of a voucher) must not depend on which.
 *
 * @param text - valid JSON text.
 * @returns the key and its object's path (`$`, `$.a`, `$.list[2]`), or undefined when no object repeats a key.
 */
export function firstDuplicateKey(text: string): { key: string; path: string } | undefined {
  // One frame per open object or array: the keys seen (objects), the path, the next array index.
  const frames: { keys?: Set<string>; path: string; index: number }[] = [];
  let pendingKey: string | undefined;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const str = JSON.parse(text.slice(i, j + 1)) as string;
      const top = frames[frames.length - 1];
      if (expectKey && top?.keys !== undefined) {
        if (top.keys.has(str)) return { key: str, path: top.path };
        top.keys.add(str);
        pendingKey = str;
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      const top = frames[frames.length - 1];
      const path = top === undefined ? '$' : top.keys !== undefined ? `${top.path}.${pendingKey ?? ''}` : `${top.path}[${top.index}]`;
      frames.push(c === '{' ? { keys: new Set(), path, index: 0 } : { path, index: 0 });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      frames.pop();
    } else if (c === ',') {
      const top = frames[frames.length - 1];
      if (top?.keys !== undefined) expectKey = true;
      else if (top !== undefined) top.index++;
    }
  }
  return undefined;
}
