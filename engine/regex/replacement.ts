/**
 * Java replacement strings (Matcher.appendReplacement, as Spark's
 * regexp_replace uses them): `$n` is group n (further digits are taken while
 * they name an existing group), `${name}` a named group, `\x` the character x.
 * A group that did not take part in the match adds nothing.
 *
 * Java raises its errors (a lone `$`, a trailing `\`, an unknown group) only
 * when a match is replaced; `parseJavaReplacement` returns the error and the
 * caller raises it at the first match, as Spark does.
 */
import type { JavaRegex } from './java-regex.js';
import { jsGroupName } from './java-regex.js';

/** Literal text and group references (group 0 is the whole match). */
export type ReplacementPart = string | number;

export type ParsedReplacement = { readonly ok: true; readonly parts: readonly ReplacementPart[]; readonly literal: string | null } | { readonly ok: false; readonly reason: string };

export function parseJavaReplacement(rep: string, re: JavaRegex): ParsedReplacement {
  const parts: ReplacementPart[] = [];
  let text = '';
  let i = 0;
  const fail = (reason: string): ParsedReplacement => ({ ok: false, reason });
  while (i < rep.length) {
    const c = rep[i];
    if (c === '\\') {
      i++;
      if (i === rep.length) return fail('character to be escaped is missing');
      text += rep[i++];
      continue;
    }
    if (c !== '$') { text += c; i++; continue; }
    i++;
    if (i === rep.length) return fail('Illegal group reference: group index is missing');
    let ref: number;
    if (rep[i] === '{') {
      i++;
      const m = /^[A-Za-z0-9]*/.exec(rep.slice(i))![0];
      i += m.length;
      if (m.length === 0) return fail('named capturing group has 0 length name');
      if (rep[i] !== '}') return fail("named capturing group is missing trailing '}'");
      if (/^[0-9]/.test(m)) return fail(`capturing group name {${m}} starts with digit character`);
      const n = re.groupNames.get(m);
      if (n === undefined) return fail(`No group with name {${m}}`);
      ref = n;
      i++;
    } else {
      const d = rep.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return fail('Illegal group reference');
      ref = d;
      i++;
      while (i < rep.length) {
        const nd = rep.charCodeAt(i) - 48;
        if (nd < 0 || nd > 9) break;
        const next = ref * 10 + nd;
        if (re.groupCount < next) break;
        ref = next;
        i++;
      }
      if (ref > re.groupCount) return fail(`No group ${ref}`);
    }
    if (text) { parts.push(text); text = ''; }
    parts.push(ref);
  }
  if (text) parts.push(text);
  const literal = parts.every((p) => typeof p === 'string') ? (parts as string[]).join('') : null;
  return { ok: true, parts, literal };
}

/** The replacement for one match. */
export function expandReplacement(parts: readonly ReplacementPart[], m: RegExpExecArray): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else if (p === 0) out += m[0];
    else out += m.groups?.[jsGroupName(p)] ?? '';
  }
  return out;
}
