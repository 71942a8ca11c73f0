// Browser check of saving a typology proposal as action areas on the demo server (which has
// demo accounts): a process manager signs in, opens the typology, names the set, drops one
// proposed area, saves, and finds the set on the action-area page; an empty name comes back as
// a form error. Screenshots of each step and axe-core (WCAG 2.1 A/AA, best practice) on each.
//   cargo run -p sozialatlas -- serve --listen 127.0.0.1:8093
//   cd crates/web/browser && npm install --no-save playwright-core axe-core
//   node analysis-save.js http://127.0.0.1:8093 /tmp/shots
// Exits non-zero on a failed step or an axe violation.
const { base, out, launch, pageProblems, signIn } = require('./lib');

(async () => {
  const browser = await launch();
  let failures = 0;
  const fail = (msg) => { console.log(`FAIL ${msg}`); failures++; };
  async function look(page, name) {
    await page.screenshot({ path: `${out}/save-${name}.png`, fullPage: true });
    for (const v of await pageProblems(page)) fail(`${name} ${page.url()}: ${v}`);
  }
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  const save = 'form[action$="/analysis/action-areas"] button[type=submit]';

  await page.goto(base + '/login?next=/analysis/typology');
  await signIn(page, 'prozess@example.org', 'demo-prozess');
  if (!page.url().includes('/analysis/typology')) fail(`sign-in did not lead back to the typology: ${page.url()}`);

  const ticked = await page.locator('input[type=checkbox][name=area]')
    .evaluateAll((b) => b.filter((x) => x.checked).map((x) => x.value));
  if (ticked.length < 2) fail(`expected at least two proposed areas, found ${ticked.length}`);
  await look(page, 'typology');

  // An empty name: the form comes back with its error, nothing saved.
  await page.fill('#p-name', '');
  await Promise.all([page.waitForNavigation(), page.click(save)]);
  if ((await page.locator('.error-summary').count()) === 0) fail('no error summary after saving without a name');
  await look(page, 'error');

  // Name it, drop the first proposed area, save.
  await page.fill('#p-name', 'Aktionsräume Browser-Test');
  await page.uncheck(`input[type=checkbox][name=area][value="${ticked[0]}"]`);
  await Promise.all([page.waitForNavigation(), page.click(save)]);
  if (!/\/analysis\/action-areas\?set=\d+/.test(page.url())) fail(`not on the saved set: ${page.url()}`);
  if (!(await page.textContent('main')).includes('Aktionsräume Browser-Test')) fail('the saved set is not shown by name');
  await look(page, 'saved');

  await browser.close();
  console.log(`analysis save: ${failures} problems; screenshots in ${out}`);
  process.exit(failures ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
