// What the browser checks share: the command line (base URL, screenshot folder), headless
// Debian Chromium, axe-core and the rendered size of the figures' text on a page, the same and
// the horizontal overflow at phone width, and the sign-in form. Each check loads it with `require('./lib')` (CI copies every *.js here).
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

// What is wrong with the page as it is now, at the viewport's width: axe-core's violations and
// the figures' text rendered below MIN_TEXT_PX; one line each.
async function pageProblems(page) {
  const small = (await smallSvgText(page)).map((t) => `figure text below ${MIN_TEXT_PX}px: ${t}`);
  return [...(await axeViolations(page)), ...small];
}

// The page at phone width (390 × 844): its horizontal overflow, axe-core's violations and the
// figures' text below MIN_TEXT_PX, one line each, with a full-page screenshot `file` taken
// there; the viewport is restored.
async function phoneProblems(page, file) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  const problems = [];
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) problems.push(`${overflow}px horizontal overflow at 390px`);
  await page.screenshot({ path: file, fullPage: true });
  for (const p of await pageProblems(page)) problems.push(`at 390px: ${p}`);
  await page.setViewportSize(size);
  return problems;
}

// The smallest text a figure may show, in CSS px as rendered (issue 17: legible on a phone).
const MIN_TEXT_PX = 11;

// Every SVG <text> on the page that renders smaller than MIN_TEXT_PX: one line each with its
// text and size. The rendered size is the computed font size (in the SVG's user units) times
// the scale from user units to CSS px (`getScreenCTM()`, the viewBox scaling included). Text
// that is not rendered (display: none, zero size) is not measured.
async function smallSvgText(page) {
  return page.evaluate((min) => {
    const small = [];
    for (const t of document.querySelectorAll('svg text')) {
      const box = t.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || !t.textContent.trim()) continue;
      const m = t.getScreenCTM();
      if (!m) continue;
      const scale = Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (px < min - 0.05) {
        const svg = t.closest('svg[id]');
        small.push(`${svg ? '#' + svg.id + ' ' : ''}"${t.textContent.trim().slice(0, 40)}" at ${px.toFixed(1)}px`);
      }
    }
    return small;
  }, MIN_TEXT_PX);
}

// Fills in the sign-in form on the page and sends it; resolves when the next page has loaded.
async function signIn(page, email, password) {
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('form[action$="/login"] button[type=submit]')]);
}

module.exports = { base, out, launch, pageProblems, phoneProblems, signIn };
