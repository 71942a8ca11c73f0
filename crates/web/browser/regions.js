// Browser check of the regions page on the demo server (which has demo accounts): a process
// manager signs in, builds SKATER regions from the form, gets a field error for a floor that is
// too high, switches to max-p with a maximum, saves, and finds the run with its overlay files.
// Screenshots at 1280 and 390 px, axe-core (WCAG 2.1 A/AA, best practice), figure text size and
// overflow at phone width on each step.
//   cargo run -p sozialatlas -- serve --listen 127.0.0.1:8093
//   cd crates/web/browser && npm install --no-save playwright-core axe-core
//   node regions.js http://127.0.0.1:8093 /tmp/shots
// Exits non-zero on a failed step or a problem of a page.
const { base, out, launch, pageProblems, phoneProblems, signIn } = require('./lib');

(async () => {
  const browser = await launch();
  let failures = 0;
  const fail = (msg) => { console.log(`FAIL ${msg}`); failures++; };
  async function look(page, name) {
    await page.screenshot({ path: `${out}/regions-${name}.png`, fullPage: true });
    for (const v of await pageProblems(page)) fail(`${name} ${page.url()}: ${v}`);
    for (const v of await phoneProblems(page, `${out}/regions-${name}-mobile.png`)) fail(`${name} ${page.url()}: ${v}`);
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const compute = 'form[action$="/analysis/regions"][method=get] button[type=submit]';

  await page.goto(base + '/login?next=/analysis/regions');
  await signIn(page, 'prozess@example.org', 'demo-prozess');
  if (!page.url().includes('/analysis/regions')) fail(`sign-in did not lead to the regions page: ${page.url()}`);
  await look(page, 'form');

  // SKATER with the form's defaults and a floor of two areas.
  await page.fill('#r-min-areas', '2');
  await Promise.all([page.waitForNavigation(), page.click(compute)]);
  const rows = await page.locator('tr[data-key^="region-"]').count();
  if (rows !== 4) fail(`expected 4 regions, found ${rows}`);
  await look(page, 'skater');

  // A floor above the whole population: the field's error, no result.
  await page.fill('#r-min-areas', '');
  await page.fill('#r-min-population', '10000000');
  await Promise.all([page.waitForNavigation(), page.click(compute)]);
  if ((await page.locator('.error-summary a[href="#r-min-population"]').count()) !== 1) fail('no error at the minimum population');
  await look(page, 'error');

  // max-p with a maximum, then saved.
  await page.check('#r-method-max-p');
  await page.fill('#r-min-population', '8000');
  await page.fill('#r-max-population', '25000');
  await Promise.all([page.waitForNavigation(), page.click(compute)]);
  if ((await page.locator('tr[data-key^="region-"]').count()) < 2) fail('max-p built fewer than two regions');
  await look(page, 'max-p');
  await Promise.all([page.waitForNavigation(), page.click('form[method=post][action$="/analysis/regions"] button[type=submit]')]);
  if (!/\/analysis\/runs\/\d+\?saved=1/.test(page.url())) fail(`not on the saved run: ${page.url()}`);
  if ((await page.locator('a[href$="/regions.geojson"]').count()) !== 1) fail('no boundary file on the run page');
  await look(page, 'run');

  await browser.close();
  console.log(`regions: ${failures} problems; screenshots in ${out}`);
  process.exit(failures ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
