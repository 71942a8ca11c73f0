// Browser check of the atlas: screenshots of the main pages at 1280 and 390 px, and on each at
// both widths an axe-core run (WCAG 2.1 A/AA and best practice), the rendered size of every
// figure text (none below 11 CSS px) and, at 390 px, no horizontal overflow; in headless Debian
// Chromium. Needs a running server:
//   cargo run -p sozialatlas -- serve --listen 127.0.0.1:8093
//   cd crates/web/browser && npm install --no-save playwright-core axe-core
//   node check.js http://127.0.0.1:8093 /tmp/shots
// Exits non-zero on any of these problems.
const { base, out, launch, pageProblems } = require('./lib');
const pages = [
  ['start', '/'],
  ['indicator', '/indicators/sgb2_quote/stadtteil/2022?area=1'],
  ['change', '/en/indicators/sgb2_quote/stadtteil/2022?compare=2018'],
  ['smoothed', '/indicators/sgb2_quote/stadtteil/2022?smooth=seb&area=7'],
  ['suppressed', '/indicators/wohnungslosigkeit/stadtteil/2019'],
  ['profile', '/areas/stadtteil/1'],
  ['areas', '/areas'],
  ['compare', '/compare'],
  ['catalogue', '/catalogue'],
  ['sources', '/sources'],
  ['error', '/indicators/nope/stadtteil/2022'],
  ['analysis', '/analysis'],
  ['index', '/analysis/index'],
  ['typology', '/en/analysis/typology?k=4&kmeans=100'],
  ['action-areas', '/analysis/action-areas'],
  // Stored runs exist only with a store that has them (ANALYSIS_RUNS=1: runs 1 and 2 are
  // typologies, 3 an index, 4 a Moran run, and set 1 exists).
  ...(process.env.ANALYSIS_RUNS ? [
    ['run-typology', '/analysis/runs/1'],
    ['run-index', '/en/analysis/runs/3'],
    ['run-moran', '/analysis/runs/4'],
    ['runs-compare', '/analysis/runs/compare?a=1&b=2'],
  ] : []),
];
(async () => {
  const browser = await launch();
  let failures = 0;
  for (const [width, height, suffix] of [[1280, 800, ''], [390, 844, '-mobile']]) {
    const page = await browser.newPage({ viewport: { width, height } });
    for (const [name, path] of pages) {
      await page.goto(base + path, { waitUntil: 'load' });
      await page.screenshot({ path: `${out}/${name}${suffix}.png`, fullPage: true });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) { console.log(`${path} (${width}px): ${overflow}px horizontal overflow`); failures++; }
      for (const v of await pageProblems(page)) {
        failures++;
        console.log(`${path} (${width}px): ${v}`);
      }
    }
    await page.close();
  }
  // The profile prints on one A4 page; its print button (hidden without the script) shows.
  const page = await browser.newPage();
  await page.goto(base + '/areas/stadtteil/1');
  if (!(await page.isVisible('[data-print]'))) { console.log('profile: the print button is hidden'); failures++; }
  const pdf = await page.pdf({ format: 'A4' });
  const pagesInPdf = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  if (pagesInPdf !== 1) { console.log(`profile prints on ${pagesInPdf} pages`); failures++; }
  await browser.close();
  console.log(`${pages.length} pages checked, ${failures} problems; screenshots in ${out}`);
  process.exit(failures ? 1 : 0);
})();
