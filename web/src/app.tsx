import { useEffect, useState } from 'preact/hooks';
import { onUnauthorized, setToken } from './api.ts';
import { setTimeZoneMode, zoneLabel } from './format.ts';
import { typingIn, useApi, useTimeZone } from './hooks.ts';
import { AlertPage, AlertsPage } from './pages/alerts.tsx';
import { DashboardsPage } from './pages/dashboards.tsx';
import { EntityPage } from './pages/entity.tsx';
import { SearchPage } from './pages/search.tsx';
import { SourcesPage } from './pages/sources.tsx';
import { TrailPage } from './pages/trail.tsx';
import { navigate, useLocation } from './router.ts';
import { SignInForm, UserMenu, type SessionInfo } from './signin.tsx';
import { AuditPage } from './pages/audit.tsx';
import { SchedulesPage } from './pages/schedules.tsx';
import { UsersPage } from './pages/users.tsx';
import { roleAtLeast, useRole } from './session.ts';
import { carryRange } from './time-range.ts';

interface Status {
  database: string;
  readOnly: boolean;
  events: number;
  alerts: number;
}

const NAV = [
  ['/alerts', 'Alerts', 'a'],
  ['/trail', 'Trail', 't'],
  ['/search', 'Search', 's'],
  ['/dashboards', 'Dashboards', 'd'],
  ['/sources', 'Sources & rules', 'r'],
] as const;

/** Pages after the main ones: scheduled searches for everyone, users and the audit log for admins only. */
const MORE_NAV = [
  ['/searches', 'Scheduled', 'viewer'],
  ['/users', 'Users', 'admin'],
  ['/audit', 'Audit log', 'admin'],
] as const;

type Theme = 'auto' | 'light' | 'dark';
const THEME_KEY = 'packettrail.theme';

function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem(THEME_KEY) as Theme | null) ?? 'auto');
  useEffect(() => {
    if (theme === 'auto') document.documentElement.removeAttribute('data-theme');
    else document.documentElement.setAttribute('data-theme', theme);
    localStorage.setItem(THEME_KEY, theme);
  }, [theme]);
  const next = () => setTheme(theme === 'auto' ? 'dark' : theme === 'dark' ? 'light' : 'auto');
  return [theme, next];
}

function TokenForm() {
  return (
    <form class="token" onSubmit={(e) => {
      e.preventDefault();
      setToken(String(new FormData(e.currentTarget as HTMLFormElement).get('token') ?? ''));
      location.reload();
    }}>
      <h1>Access token</h1>
      <p>This server requires an access token (printed by packettrail serve, kept next to the database or set in PACKETTRAIL_TOKEN).</p>
      <input name="token" type="password" autocomplete="off" aria-label="access token" size={50} />
      <button type="submit">Use token</button>
    </form>
  );
}

/** `g` then a letter jumps to a page (g a: alerts, g t: trail, g s: search, g d: dashboards, g r: sources and rules). */
function useJumpKeys(): void {
  useEffect(() => {
    let armed = 0;
    const h = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.ctrlKey || e.metaKey || e.altKey || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName)) return;
      if (e.key === 'g') {
        armed = Date.now();
        return;
      }
      const target = NAV.find(([, , k]) => k === e.key);
      if (target && Date.now() - armed < 1500) navigate(target[0]);
      armed = 0;
    };
    window.addEventListener('keydown', h);
    return () => window.removeEventListener('keydown', h);
  }, []);
}

/**
 * `/` focuses the page's search box (`[data-search-box]`: the query box, the alerts' text filter);
 * a page without one opens Search. Not while typing in a field.
 */
function useSearchKey(): void {
  useEffect(() => {
    const h = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
      e.preventDefault();
      const box = document.querySelector<HTMLElement>('main [data-search-box]');
      if (box) box.focus();
      else navigate(carryRange('/search'));
    };
    window.addEventListener('keydown', h);
    return () => window.removeEventListener('keydown', h);
  }, []);
}

export function App() {
  const loc = useLocation();
  const [theme, nextTheme] = useTheme();
  // Every page shows times in this zone; switching re-renders them all.
  const zone = useTimeZone();
  const [locked, setLocked] = useState(false);
  useEffect(() => onUnauthorized(() => setLocked(true)), []);
  useJumpKeys();
  const me = useRole();
  useSearchKey();
  const status = useApi<Status>('/api/status');
  const [, section, rest] = /^\/([^/]*)\/?(.*)$/.exec(loc.path) ?? [];
  useEffect(() => {
    if (!section) navigate('/alerts', true);
  }, [section]);
  // Until the status arrives saving is offered; the server refuses it anyway under --read-only.
  const readOnly = status.data?.readOnly ?? false;
  let page;
  const session = useApi<SessionInfo>(locked ? '/api/auth/session' : null);
  if (locked) page = session.data?.accounts ? <SignInForm oidc={session.data.oidc} /> : session.loading ? null : <TokenForm />;
  else if (section === 'alerts' && rest) page = <AlertPage id={decodeURIComponent(rest)} />;
  else if (section === 'alerts') page = <AlertsPage loc={loc} />;
  else if (section === 'trail') page = <TrailPage loc={loc} />;
  else if (section === 'search') page = <SearchPage loc={loc} readOnly={readOnly} />;
  else if (section === 'dashboards') page = <DashboardsPage loc={loc} view={rest ? decodeURIComponent(rest) : undefined} />;
  else if (section === 'sources') page = <SourcesPage />;
  else if (section === 'searches') page = <SchedulesPage loc={loc} readOnly={readOnly} />;
  else if (section === 'users') page = <UsersPage />;
  else if (section === 'audit') page = <AuditPage loc={loc} />;
  else if (section === 'entity' && rest) {
    // `/entity/ip/10.0.0.5`: the value is one encoded path segment (a `/` in it is %2F).
    const [kind = '', ...value] = rest.split('/');
    let decoded: string | undefined;
    try {
      decoded = decodeURIComponent(value.join('/'));
    } catch {
      decoded = undefined;
    }
    page = decoded === undefined ? <p>Not a valid entity address.</p> : <EntityPage kind={kind} value={decoded} loc={loc} />;
  }
  else if (section) page = <p>No page here. <a href="/alerts">Alerts</a></p>;
  useEffect(() => {
    const title = section === 'entity' ? 'Entity' : (NAV.find(([p]) => p === `/${section}`) ?? MORE_NAV.find(([p]) => p === `/${section}`))?.[1];
    document.title = title ? `${title} · packettrail` : 'packettrail';
  }, [section]);
  return (
    <>
      <a class="skip" href="#main">
        skip to content
      </a>
      <header class="top">
        <strong class="brand">packettrail</strong>
        <nav aria-label="pages">
          {NAV.map(([path, label, key]) => (
            <a href={carryRange(path)} aria-current={`/${section}` === path ? 'page' : undefined} title={`g ${key}`}>
              {label}
            </a>
          ))}
          {MORE_NAV.filter(([, , need]) => roleAtLeast(me.role, need)).map(([path, label]) => (
            <a href={path} aria-current={`/${section}` === path ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="status muted">
          {status.data && `${status.data.events.toLocaleString('en-US')} events · ${status.data.alerts.toLocaleString('en-US')} alerts${status.data.readOnly ? ' · read-only' : ''}`}
        </span>
        <button type="button" class="theme" data-testid="time-zone" onClick={() => setTimeZoneMode(zone === 'utc' ? 'local' : 'utc')} title={`click for ${zone === 'utc' ? 'local time' : 'UTC'}`}>
          time zone: {zoneLabel(zone)}
        </button>
        <UserMenu />
        <button type="button" class="theme" onClick={nextTheme} aria-label={`theme: ${theme} (click to change)`}>
          {theme === 'auto' ? '◐ auto' : theme === 'dark' ? '● dark' : '○ light'}
        </button>
      </header>
      <main id="main">{page}</main>
    </>
  );
}
