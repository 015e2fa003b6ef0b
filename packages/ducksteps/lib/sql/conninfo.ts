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

/** A key=value value, quoted when libpq needs it (empty, spaces, quotes, backslashes). */
const conninfoValue = (value: string) => (/^[^\s'\\]+$/.test(value) ? value : `'${value.replace(/['\\]/g, '\\$&')}'`);

/** A PostgreSQL URL (postgres[ql]://user:pw@host:port,host2/db?key=value) as libpq key=value pairs, its password
 * apart: so the password can be handed over on its own, never inside the string. */
function urlConninfo(url: string): { conninfo: string; password?: string } {
  const info = userInfo(url);
  const start = url.match(URL_START)![0].length;
  const [user, password] = info
    ? ((s) => (s.includes(':') ? [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1)] : [s, undefined]))(
        url.slice(info.start, info.end),
      )
    : [undefined, undefined];
  const rest = url.slice(info ? info.end + 1 : start);
  const [, hostPorts = '', path = '', query = ''] = rest.match(/^([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?/) ?? [];
  const hosts = hostPorts ? hostPorts.split(',').map((h) => h.match(/^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/) ?? [h, h]) : [];
  const pairs: Array<[string, string | undefined]> = [
    ['host', hosts.map((h) => decoded(h[1]).replace(/^\[(.*)\]$/, '$1')).join(',') || undefined],
    ['port', hosts.some((h) => h[2]) ? hosts.map((h) => h[2] ?? '').join(',') : undefined],
    ['user', user && decoded(user)],
    ['dbname', path ? decoded(path) : undefined],
  ];
  let secret = password === undefined ? undefined : decoded(password);
  for (const param of query.split('&').filter(Boolean)) {
    const [key, value = ''] = param.split('=');
    if (key.toLowerCase() === 'password') secret = decoded(value);
    else pairs.push([decoded(key), decoded(value)]);
  }
  const conninfo = pairs
    .filter((p): p is [string, string] => p[1] !== undefined && p[1] !== '')
    .map(([k, v]) => `${k}=${conninfoValue(v)}`)
    .join(' ');
  return { conninfo, password: secret || undefined };
}

/** A libpq connection string (key=value pairs, or a postgres:// URL) as key=value pairs without the password,
 * and the password. */
export function splitPassword(text: string): { conninfo: string; password?: string } {
  if (URL_START.test(text.trim())) return urlConninfo(text.trim());
  const found = [...text.matchAll(CONNINFO_PASSWORD)].at(-1)?.[3];
  return {
    conninfo: text
      .replace(CONNINFO_PASSWORD, '$1')
      .replace(/\s{2,}/g, ' ')
      .trim(),
    password: found?.replace(/^'(.*)'$/s, '$1').replace(/\\(.)/g, '$1'),
  };
}

/** Text (a command line, a message) with the password of every connection string in it masked: URLs wherever
 * they stand, and key=value `password=`. */
export const maskConnections = (text: string): string =>
  text
    .replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, (url) => redactConnection(url))
    .replace(/(^|[\s:;])(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s']\S*)/gi, '$1$2***');
