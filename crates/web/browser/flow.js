// The user flow of the atlas in headless Chromium: open the demo, pick an indicator, change the
// year, follow an area to its profile. Screenshots of each step go to the output folder.
//   node flow.js http://127.0.0.1:8093 /tmp/shots
const { base, out, launch } = require('./lib');
function check(cond, msg) { if (!cond) { console.log('FAIL: ' + msg); process.exit(1); } }
(async () => {
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await page.goto(base + '/', { waitUntil: 'load' });
  await page.screenshot({ path: `${out}/flow-1-start.png`, fullPage: true });
  await page.click('a[href="/indicators/sgb2_quote"]');
  await page.waitForURL(/\/indicators\/sgb2_quote\/stadtteil\/2022/);
  check((await page.textContent('h1')).includes('SGB-II-Quote'), 'indicator page heading');
  await page.screenshot({ path: `${out}/flow-2-indicator.png`, fullPage: true });
  await page.selectOption('#f-year', '2019');
  // Without JS the form needs its button; with JS the select submits itself. Either way:
  if (!/\/2019/.test(page.url())) {
    await Promise.all([page.waitForURL(/\/2019/), page.click('form button[type=submit]')]);
  }
  check(/\/indicators\/sgb2_quote\/stadtteil\/2019/.test(page.url()), 'year changed to 2019: ' + page.url());
  await page.screenshot({ path: `${out}/flow-3-year.png`, fullPage: true });
  await Promise.all([page.waitForURL(/\/areas\/stadtteil\/2/), page.click('a[href^="/areas/stadtteil/2"]')]);
  check((await page.textContent('h1')).includes('Neustadt'), 'profile of Neustadt');
  await page.screenshot({ path: `${out}/flow-4-profile.png`, fullPage: true });
  // The "/" shortcut: a page without a search field goes to the search page.
  await page.locator('h1').click();
  await Promise.all([page.waitForURL((u) => u.pathname === '/search'), page.keyboard.press('/')]);
  check((await page.locator('#q').count()) === 1, 'search page after "/"');
  await browser.close();
  console.log('flow: start → indicator → year → profile → "/" search ok; screenshots in ' + out);
})().catch(e => { console.log('FAIL: ' + e); process.exit(1); });
