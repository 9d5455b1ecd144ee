// The web host's per-launch token: read from `?token=` once, kept in sessionStorage so a reload
// of the (cleaned) URL still works, and attached to every request to the host.
import { WEB_PATHS } from '../../../protocol/host';

export const TOKEN_STORAGE_KEY = 'vivit-monitor.token';

type TokenStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** The token from the query string (which wins and is remembered) or from storage. */
export function resolveToken(
  search: string,
  storage: TokenStorage | undefined,
): string | undefined {
  const fromUrl = new URLSearchParams(search).get('token')?.trim();
  if (fromUrl) {
    try {
      storage?.setItem(TOKEN_STORAGE_KEY, fromUrl);
    } catch {
      // Storage can be disabled (privacy settings); the token then lives only in this page.
    }
    return fromUrl;
  }
  try {
    return storage?.getItem(TOKEN_STORAGE_KEY) || undefined;
  } catch {
    return undefined;
  }
}

/** The page URL without the token, so it does not linger in history, bookmarks or screenshots. */
export function urlWithoutToken(href: string): string {
  const url = new URL(href);
  url.searchParams.delete('token');
  return url.pathname + (url.search === '?' ? '' : url.search) + url.hash;
}

/** `ws(s)://<host>/ws?token=…` on the page's own host. */
export function socketUrl(location: Pick<Location, 'protocol' | 'host'>, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}${WEB_PATHS.socket}?token=${encodeURIComponent(token)}`;
}

/** Same-origin URL of the current session's log. */
export function logUrl(token: string): string {
  return `${WEB_PATHS.log}?token=${encodeURIComponent(token)}`;
}

/** Reconnect delay after `attempt` failures (0-based): doubling from `initialMs` up to `maxMs`. */
export function backoffDelay(attempt: number, initialMs = 500, maxMs = 8000): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt));
}

/** File name from a Content-Disposition header, if it names one. */
export function fileNameFromDisposition(header: string | null): string | undefined {
  if (!header) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain?.[1].trim() || undefined;
}
