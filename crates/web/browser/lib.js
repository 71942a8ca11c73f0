// What the browser checks share: the command line (base URL, screenshot folder), headless
// Debian Chromium, axe-core on a page, the horizontal-overflow check at phone width and the
// sign-in form. Each check loads it with `require('./lib')` (CI copies every *.js here).
const { chromium } = require('playwright-core');
const fs = require('fs');

// `node CHECK.js BASE_URL SCREENSHOT_FOLDER`
const base = process.argv[2] || 'http://127.0.0.1:8093';
const out = process.argv[3] || '/tmp/shots';

// Makes the screenshot folder and launches headless Debian Chromium.
async function launch() {
  fs.mkdirSync(out, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

let axeSrc;

// axe-core (WCAG 2.1 A/AA and best practice) on the page as it is now: one line per violation
// (rule, impact, up to three of its elements).
async function axeViolations(page) {
  axeSrc ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol: an injected <script> would be inline script, which
  // the site's content security policy refuses.
  await page.evaluate(axeSrc);
  const res = await page.evaluate(() => axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
  return res.violations.map((v) => `${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

// The page's horizontal overflow in px at phone width (390 × 844), with a full-page screenshot
// `file` taken there; the viewport is restored.
async function phoneOverflow(page, file) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.screenshot({ path: file, fullPage: true });
  await page.setViewportSize(size);
  return overflow;
}

// Fills in the sign-in form on the page and sends it; resolves when the next page has loaded.
async function signIn(page, email, password) {
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('form[action$="/login"] button[type=submit]')]);
}

module.exports = { base, out, launch, axeViolations, phoneOverflow, signIn };
