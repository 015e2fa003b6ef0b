// Passwords inside connection strings (a publish target's URL, an ATTACH in a step): found so they can be
// masked wherever a message or a log might quote them. Both forms: a URL (postgres://user:pw@host/db, also
// ?password=pw, a raw @ or : inside the password) and a key=value conninfo (host=h password='p w').

const URL_START = /^[a-z][a-z0-9+.-]*:\/\//i;
const CONNINFO_PASSWORD = /(^|\s)(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s']\S*)/gi;
const QUERY_PASSWORD = /([?&]password=)([^&#]*)/gi;

/** The user-info part of a URL (between // and the last @ before the query), with where it starts. */
function userInfo(text: string): { start: number; end: number } | undefined {
  const start = text.match(URL_START)?.[0].length;
  if (start === undefined) return undefined;
  const query = text.slice(start).search(/[?#]/);
  const authorityEnd = query < 0 ? text.length : start + query;
  const at = text.lastIndexOf('@', authorityEnd - 1);
  return at >= start ? { start, end: at } : undefined;
}

const decoded = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/** Every password a connection string holds (as written, and percent-decoded when that differs). */
export function connectionPasswords(text: string): string[] {
  const found: string[] = [];
  const info = userInfo(text);
  if (info) {
    const user = text.slice(info.start, info.end);
    const colon = user.indexOf(':');
    if (colon >= 0) found.push(user.slice(colon + 1));
  }
  for (const m of text.matchAll(QUERY_PASSWORD)) found.push(m[2]);
  if (!URL_START.test(text))
    for (const m of text.matchAll(CONNINFO_PASSWORD))
      found.push(m[3].replace(/^'(.*)'$/s, '$1').replace(/\\(.)/g, '$1'));
  const all = found.filter(Boolean).flatMap((p) => [p, decoded(p)]);
  return [...new Set(all)];
}

/** The connection string with every password replaced by ***, for messages. */
export function redactConnection(text: string): string {
  let out = text;
  const info = userInfo(out);
  if (info) {
    const colon = out.slice(info.start, info.end).indexOf(':');
    if (colon >= 0) out = `${out.slice(0, info.start + colon + 1)}***${out.slice(info.end)}`;
  }
  out = out.replace(QUERY_PASSWORD, '$1***');
  return URL_START.test(out) ? out : out.replace(CONNINFO_PASSWORD, '$1$2***');
}

/** `text` with each of `secrets` (3 characters or more) replaced by ***. */
export function maskAll(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of [...secrets].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length))
    out = out.split(secret).join('***');
  return out;
}
