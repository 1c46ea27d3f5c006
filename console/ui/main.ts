import { startLive } from './live.js';
import { approvalsPage } from './pages/approvals-page.js';
import { boardPage } from './pages/board-page.js';
import { diffPage } from './pages/diff-page.js';
import { envsPage } from './pages/envs-page.js';
import { releasePage } from './pages/release-page.js';
import { runPage } from './pages/run-page.js';
import { runsPage } from './pages/runs-page.js';
import { statsPage } from './pages/stats-page.js';
import { followWaiting } from './pending.js';

/** A hash router: each page renders into <main> and returns its cleanup. */
let cleanup: () => void = () => undefined;
let environments: string[] = [];

const TITLES: Record<string, string> = {
  board: 'Delivery board',
  runs: 'Runs',
  stats: 'Statistics',
  approvals: 'Approvals',
  envs: 'Environments',
  releases: 'Release',
  diff: 'Compare',
};

function route(): void {
  const main = document.getElementById('main') as HTMLElement;
  const [hashSection, arg, second] = location.hash.replace(/^#\/?/, '').split('/');
  // The delivery board is the landing page.
  const section = hashSection || 'board';
  cleanup();
  const value = arg ? decodeURIComponent(arg) : '';
  if (section === 'board') cleanup = boardPage(main);
  else if (section === 'stats') cleanup = statsPage(main);
  else if (section === 'runs' && value) cleanup = runPage(main, value);
  else if (section === 'approvals') cleanup = approvalsPage(main);
  else if (section === 'envs') cleanup = envsPage(main, environments);
  else if (section === 'releases' && value) cleanup = releasePage(main, value);
  else if (section === 'diff')
    cleanup = diffPage(main, value, second ? decodeURIComponent(second) : '', environments);
  else cleanup = runsPage(main, environments);
  for (const link of document.querySelectorAll('header nav a')) {
    const current = link.getAttribute('href') === `#/${section}`;
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${TITLES[section] ?? 'Runs'}${value ? ` ${value}` : ''} · Tollgate`;
  main.focus({ preventScroll: true });
}

function start(): void {
  // The page carries the environments in promotion order (a two-year ledger made fetching
  // /api/envs for their names cost seconds on every load).
  try {
    const meta = document.querySelector('meta[name="tollgate-environments"]')?.getAttribute('content');
    const names: unknown = JSON.parse(meta ?? '[]');
    environments = Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    environments = [];
  }
  startLive();
  followWaiting();
  window.addEventListener('hashchange', () => route());
  route();
}

start();
