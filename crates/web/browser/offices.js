// The action offices in headless Chromium, on the embedded demo (which has an example office with
// example cases and the demo accounts): the public office page and the atlas indicator show the
// published aggregate; a staff member opens a case, refers it to a partner agency and closes it;
// a supervisor sees the suppressed statistics but not the case. axe-core (WCAG 2.1 A/AA and best
// practice) must find nothing on any office page. Screenshots of every step go to the folder.
//   node offices.js http://127.0.0.1:8093 /tmp/shots
const { base, out, launch, pageProblems, signIn } = require('./lib');
let failures = 0;
function check(cond, msg) { if (!cond) { console.log('FAIL: ' + msg); process.exit(1); } }

(async () => {
  const browser = await launch();
  async function axe(page, name) {
    for (const v of await pageProblems(page)) {
      failures++;
      console.log(`axe ${name}: ${v}`);
    }
  }
  async function shot(page, name) {
    await page.screenshot({ path: `${out}/offices-${name}.png`, fullPage: true });
    await axe(page, name);
  }
  async function login(page, email, password) {
    await page.goto(base + '/login', { waitUntil: 'load' });
    await signIn(page, email, password);
  }

  // 1. The public pages, anonymous.
  const pub = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await pub.goto(base + '/offices', { waitUntil: 'load' });
  await shot(pub, '1-list');
  await Promise.all([pub.waitForURL(/\/offices\/beispiel/), pub.click('a[href="/offices/beispiel"]')]);
  const body = await pub.textContent('main');
  check(body.includes('Beispielinhalt'), 'the example office is marked as example content');
  check(body.includes('Beispielweg 1') && body.includes('24939 Flensburg'), 'address on the office page');
  check(/Montag 9–12 Uhr/.test(body), 'opening hours on the office page');
  const figures = await pub.$$eval('table.office-figures tbody tr', rows => rows.map(r => [...r.querySelectorAll('th,td')].map(c => c.textContent.trim())));
  check(figures.length > 0, 'the office page shows figures');
  const newCases = figures.find(r => r[0] === 'Neue Fälle');
  check(newCases && newCases.slice(1).some(c => /^\d[\d.]*$/.test(c) && Number(c.replace(/\./g, '')) >= 5), 'published new cases on the office page: ' + JSON.stringify(newCases));
  check(figures.flat().every(c => !/^[1-4]$/.test(c)), 'no count between 1 and 4 is published: ' + JSON.stringify(figures));
  await shot(pub, '2-office');
  // 2. The atlas indicator shows the same aggregate for the action area.
  const atlasLink = await pub.getAttribute('a[href*="/indicators/office_cases/"]', 'href');
  check(atlasLink, 'link from the office page to the atlas indicator');
  const year = atlasLink.split('/').pop();
  const lastPublished = newCases[newCases.length - 1];
  await pub.goto(base + atlasLink, { waitUntil: 'load' });
  check((await pub.textContent('h1')).includes('Neue Fälle der Aktionsbüros'), 'atlas indicator page');
  const atlasText = await pub.textContent('main');
  check(atlasText.includes(lastPublished), `the atlas shows the office page's figure ${lastPublished} for ${year}`);
  await pub.screenshot({ path: `${out}/offices-3-atlas-indicator.png`, fullPage: true });
  await pub.goto(base + '/en/offices/beispiel', { waitUntil: 'load' });
  check((await pub.textContent('main')).includes('Example content'), 'English office page');
  await shot(pub, '4-office-en');
  // Anonymous visitors get nothing of the log.
  const anon = await pub.goto(base + '/office/beispiel', { waitUntil: 'load' });
  check(/\/login/.test(pub.url()), 'anonymous staff page goes to the sign-in page: ' + pub.url());
  await pub.close();

  // 3. A staff member: open a case, refer it, close it.
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  await login(page, 'buero@example.org', 'demo-buero');
  await page.goto(base + '/office', { waitUntil: 'load' });
  check(/\/office\/beispiel/.test(page.url()), 'staff land on their office: ' + page.url());
  await shot(page, '5-cases');
  await page.goto(base + '/office/beispiel/due', { waitUntil: 'load' });
  await shot(page, '6-due');
  await page.click('a[href="/office/beispiel/new"]');
  await page.waitForURL(/\/new$/);
  await shot(page, '7-new');
  // Submitting without a topic is refused with a form error.
  await Promise.all([page.waitForNavigation(), page.click('form.office-form button[type=submit]')]);
  check((await page.textContent('.error-summary')).includes('Thema'), 'missing topic is a form error');
  await shot(page, '7b-new-error');
  await page.selectOption('#channel', 'phone');
  await page.check('#topic-housing');
  await page.check('#topic-debt');
  await page.fill('#note', 'Browsertest: Mietrückstand, Unterlagen mitgebracht.');
  await page.fill('#followup_due', '2099-01-15');
  await page.fill('#followup_what', 'Rückruf Vermieter');
  await Promise.all([page.waitForURL(/\/office\/cases\/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/), page.click('form.office-form button[type=submit]')]);
  const caseUrl = page.url().split('?')[0];
  const caseId = caseUrl.split('/').pop();
  check((await page.textContent('.notice')).includes('angelegt'), 'case opened notice');
  check((await page.textContent('main')).includes('Mietrückstand'), 'note on the case page');
  await shot(page, '8-case');
  await page.click(`a[href="/office/cases/${caseId}/referral"]`);
  await page.waitForURL(/\/referral$/);
  await page.selectOption('#agency', { index: 1 });
  await page.fill('#purpose', 'Schuldnerberatung wegen Mietrückstand');
  await page.fill('#consent_scope', 'Name und Telefonnummer an die Schuldnerberatung');
  await shot(page, '9-referral');
  await Promise.all([page.waitForURL(/notice=referred/), page.click('form.office-form button[type=submit]')]);
  check((await page.textContent('#referrals')).includes('In Bearbeitung'), 'referral in progress');
  await page.selectOption('select[id^="state-"]', 'accepted');
  await Promise.all([page.waitForURL(/notice=saved/), page.click('#referrals form.inline-form button[type=submit]')]);
  check((await page.textContent('#referrals')).includes('Angenommen'), 'referral accepted');
  await page.click(`a[href="/office/cases/${caseId}/close"]`);
  await page.waitForURL(/\/close$/);
  await page.selectOption('#close_reason', 'handed_over');
  await shot(page, '10-close');
  await Promise.all([page.waitForURL(/notice=closed/), page.click('form.office-form button[type=submit]')]);
  check((await page.textContent('#status')).includes('abgeschlossen am'), 'case closed');
  await shot(page, '11-closed');
  await page.goto(base + `/office/cases/${caseId}/erase`, { waitUntil: 'load' });
  await shot(page, '12-erase');
  await page.goto(base + '/office/partners', { waitUntil: 'load' });
  await shot(page, '13-partners');
  await ctx.close();

  // 4. A supervisor: aggregates only.
  const sctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const sup = await sctx.newPage();
  await login(sup, 'aufsicht@example.org', 'demo-aufsicht');
  await sup.goto(base + '/office/statistics', { waitUntil: 'load' });
  check((await sup.textContent('h1')).includes('Statistik'), 'statistics page');
  await shot(sup, '14-statistics');
  // Every year of the demo: no count between 1 and 4 anywhere, and small cells withheld (the
  // demo's cases spread over the last years, so some year has topic cells below 5).
  const years = await sup.$$eval('#year option', os => os.map(o => o.value));
  check(years.length > 0, 'the statistics offer years');
  let withheld = 0;
  for (const y of years) {
    await sup.goto(base + '/office/statistics?year=' + y, { waitUntil: 'load' });
    const cells = await sup.$$eval('table.office-figures td', tds => tds.map(t => t.textContent.trim()));
    check(cells.length > 0, `statistics ${y} show figures`);
    check(cells.every(c => !/^[1-4]$/.test(c)), `no count between 1 and 4 in the statistics of ${y}`);
    withheld += cells.filter(c => c === '•').length;
  }
  check(withheld > 0, 'small cells are withheld in some year');
  const resp = await sup.goto(base + caseUrl.replace(base, ''), { waitUntil: 'load' });
  check(resp.status() === 404, 'a supervisor cannot open a case: ' + resp.status());
  const resp2 = await sup.goto(base + '/office/beispiel', { waitUntil: 'load' });
  check(resp2.status() === 403, 'a supervisor cannot list cases: ' + resp2.status());
  await sctx.close();

  await browser.close();
  if (failures > 0) {
    console.log(`FAIL: axe found ${failures} violation(s) on the office pages`);
    process.exit(1);
  }
  console.log('offices: public page, atlas indicator, open → refer → close, statistics ok; axe 0 violations; screenshots in ' + out);
})().catch(e => { console.log('FAIL: ' + e); process.exit(1); });
