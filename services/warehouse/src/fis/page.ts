/**
 * The FIS web view's static page at `/fis`: HTML, CSS, the compiled client script (client/app.ts)
 * and ECharts, served from this package's node_modules (no CDN). The page holds no data: it asks
 * the authenticated API with the token the user brings (URL fragment `#token=…` or the login
 * field), so it loads without one.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Router } from 'express';

/** The compiled client: next to this module in dist/, or (tests run from src/) in the built dist/. */
function clientScript(): string {
  const candidates = [path.join(__dirname, 'client', 'app.js'), path.resolve(__dirname, '../../dist/fis/client/app.js')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`FIS-Webansicht: ${candidates[1]} fehlt; bitte zuerst bauen (npm run build).`);
  return found;
}

// The embedded host serves plain HTTP on this machine: helmet's default policy would upgrade the
// page's own script requests to HTTPS. Same-origin only, no inline script, no plugins.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

const HTML = `<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lagebild FIS</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/fis/app.css">
<script src="/fis/echarts.min.js" defer></script>
<script src="/fis/app.js" defer></script>
</head>
<body>
<a class="skip" href="#inhalt">Zum Inhalt springen</a>
<header class="kopf">
  <div class="marke">Lagebild <span>FIS</span></div>
  <nav id="navigation" aria-label="Dashboards"></nav>
  <button id="abmelden" type="button" hidden>Abmelden</button>
</header>
<main id="inhalt" tabindex="-1">
  <section id="anmeldung" class="anmeldung" hidden>
    <h1>Anmeldung</h1>
    <p>Das Führungsinformationssystem zeigt die Daten Ihres Mandanten. Bitte fügen Sie Ihr Zugangstoken ein.</p>
    <form id="anmeldeformular">
      <label for="token">Zugangstoken</label>
      <input id="token" name="token" type="password" autocomplete="off" required>
      <button type="submit">Anmelden</button>
    </form>
    <p id="anmeldefehler" class="fehler" role="alert"></p>
  </section>
  <section id="dashboard" hidden>
    <h1 id="titel"></h1>
    <p id="beschreibung" class="beschreibung"></p>
    <form id="variablen" class="variablen" aria-label="Auswahl"></form>
    <div id="panels" class="raster"></div>
  </section>
</main>
</body>
</html>
`;

const CSS = `
:root { --text: #1b1f24; --muted: #4d5663; --line: #d5dae1; --bg: #f4f6f8; --panel: #fff; --accent: #0b5cad; --red: #c62828; --yellow: #b7791f; --green: #2e7d32; --blue: #0b5cad; --grey: #5f6b7a; font-size: 17px; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; color: var(--text); background: var(--bg); line-height: 1.4; }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 10; }
.kopf { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.2rem; background: #12263f; color: #fff; flex-wrap: wrap; }
.marke { font-weight: 700; font-size: 1.2rem; white-space: nowrap; } .marke span { color: #8cc4ff; }
nav { display: flex; gap: .3rem; flex-wrap: wrap; flex: 1; }
nav a { color: #dfe9f5; text-decoration: none; padding: .35rem .7rem; border-radius: .3rem; }
nav a[aria-current="page"] { background: #fff; color: #12263f; font-weight: 600; }
nav a:hover { background: #2a4466; color: #fff; }
a:focus-visible, button:focus-visible, select:focus-visible, input:focus-visible, [tabindex]:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
button { font: inherit; padding: .4rem .9rem; border-radius: .3rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
#abmelden { background: transparent; border-color: #8cc4ff; }
main { padding: 1rem 1.2rem 2rem; }
h1 { font-size: 1.6rem; margin: .2rem 0; }
.beschreibung { color: var(--muted); margin: 0 0 .8rem; max-width: 70rem; }
.anmeldung { max-width: 36rem; background: var(--panel); padding: 1.2rem 1.5rem; border: 1px solid var(--line); border-radius: .5rem; }
.anmeldung input { width: 100%; font: inherit; padding: .4rem; margin: .3rem 0 .8rem; }
.fehler { color: var(--red); font-weight: 600; }
.variablen { display: flex; flex-wrap: wrap; gap: .8rem 1.2rem; margin-bottom: 1rem; }
.variablen label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); font-weight: 600; }
.variablen select { font: inherit; font-size: 1rem; padding: .3rem .4rem; min-width: 11rem; max-width: 22rem; color: var(--text); }
.raster { display: grid; grid-template-columns: repeat(24, minmax(0, 1fr)); grid-auto-rows: 34px; gap: 10px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: .5rem; padding: .6rem .8rem; display: flex; flex-direction: column; min-height: 0; min-width: 0; }
.panel h2 { font-size: 1.05rem; margin: 0 0 .2rem; }
.panel .hilfe { font-size: .8rem; color: var(--muted); margin: 0 0 .4rem; }
.panel .inhalt { flex: 1; min-height: 0; overflow: auto; position: relative; }
.panel .chart { position: absolute; inset: 0; }
.panel .leer, .panel .fehler { color: var(--muted); padding: .5rem 0; }
.kacheln { display: flex; flex-wrap: wrap; gap: .5rem; }
.kachel { flex: 1 1 6.5rem; border-left: 6px solid var(--grey); background: #f8fafc; padding: .4rem .7rem; border-radius: .3rem; color: inherit; text-decoration: none; display: block; }
.kachel .name { font-size: .85rem; color: var(--muted); }
.kachel .wert { font-size: 1.6rem; font-weight: 700; line-height: 1.2; }
.kachel .notiz { font-size: .8rem; color: var(--muted); }
.kachel.GREEN { border-color: var(--green); } .kachel.YELLOW { border-color: var(--yellow); } .kachel.RED { border-color: var(--red); } .kachel.BLUE { border-color: var(--blue); }
.trend { font-size: .9rem; font-weight: 600; margin-left: .3rem; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { position: sticky; top: 0; background: #eef2f6; }
td:first-child { white-space: pre-wrap; }
td.zahl, th.zahl { text-align: right; font-variant-numeric: tabular-nums; }
.gesperrt { font-style: italic; color: #7a4d00; background: repeating-linear-gradient(45deg, #fff7e6, #fff7e6 4px, #ffe9bf 4px, #ffe9bf 8px); padding: 0 .3rem; border-radius: .2rem; }
.status { font-weight: 600; }
@media (max-width: 900px) { .raster { display: block; } .panel { margin-bottom: 10px; min-height: 18rem; } }
@media (min-width: 1800px) { :root { font-size: 20px; } .raster { grid-auto-rows: 40px; } }
`;

/**
 * The client as a browser script. tsc compiles every file of this CommonJS package as a module
 * (isolatedModules), which adds one `exports` marker line; the function around it gives that line
 * an object to write to and keeps the client's names out of the page's global scope.
 */
function browserScript(): string {
  return `(function (exports) {\n${readFileSync(clientScript(), 'utf8')}\n})({});\n`;
}

export function createFisPage(): Router {
  const router = Router();
  const echarts = require.resolve('echarts/dist/echarts.min.js');
  const headers = (res: { setHeader(name: string, value: string): void }) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('Cache-Control', 'no-cache');
  };
  router.get('/', (_req, res) => {
    headers(res);
    res.type('html').send(HTML);
  });
  router.get('/app.css', (_req, res) => {
    headers(res);
    res.type('css').send(CSS);
  });
  router.get('/app.js', (_req, res) => {
    headers(res);
    res.type('application/javascript').send(browserScript());
  });
  router.get('/echarts.min.js', (_req, res) => {
    headers(res);
    res.type('application/javascript').sendFile(echarts);
  });
  return router;
}
