import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ConsoleConfigError } from './errors.js';

/**
 * The console's single page and its script, bundled with esbuild from console/ui on first request
 * and kept in memory. The page carries the CSRF token the UI sends back on every mutation.
 */
const UI_DIR = fileURLToPath(new URL('../ui/', import.meta.url));
/** The same script built by `npm run build`, for an installed package, which has no esbuild. */
const PREBUILT_SCRIPT = fileURLToPath(new URL('../../dist/console/app.js', import.meta.url));

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

let bundled: Promise<string> | null = null;

export function appScript(): Promise<string> {
  bundled ??= (async () => {
    const esbuild = await import('esbuild').catch(() => undefined);
    if (!esbuild) return readFile(PREBUILT_SCRIPT, 'utf8');
    const result = await esbuild.build({
      entryPoints: [`${UI_DIR}main.ts`],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      write: false,
      logLevel: 'silent',
      // elkjs' bundled build probes for a web-worker module it does not need in the main thread.
      external: ['web-worker'],
    });
    return result.outputFiles[0].text;
  })().catch((error) => {
    bundled = null;
    throw new ConsoleConfigError(
      `could not bundle the console UI: ${(error as Error).message.split('\n')[0]}`,
    );
  });
  return bundled;
}

/** The console's styles, then uPlot's own (its legend and cursor), served as one sheet. */
export async function appStyles(): Promise<string> {
  const [own, charts] = await Promise.all([
    readFile(`${UI_DIR}styles.css`, 'utf8'),
    readFile(`${UI_DIR}vendor/uplot.css`, 'utf8'),
  ]);
  return `${own}\n${charts}`;
}

/** The page, with the environments in promotion order so the UI needs no request to learn them. */
export function consolePage(csrfToken: string, pipeline: string, environments: readonly string[]): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="tollgate-csrf" content="${esc(csrfToken)}">
<meta name="tollgate-environments" content="${esc(JSON.stringify(environments))}">
<title>Tollgate · ${esc(pipeline)}</title>
<link rel="stylesheet" href="/console/app.css">
<script type="module" src="/console/app.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <span class="brand">Tollgate <small>${esc(pipeline)}</small></span>
  <nav aria-label="Console sections">
    <a href="#/board">Board</a>
    <a href="#/runs">Runs</a>
    <a href="#/stats">Statistics</a>
    <a href="#/approvals">Approvals</a>
    <a href="#/envs">Environments</a>
  </nav>
  <span id="live" class="live" role="status" aria-live="polite"></span>
</header>
<main id="main" tabindex="-1"><p>Loading…</p></main>
</body>
</html>
`;
}
