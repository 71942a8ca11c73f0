// The content security policy holds the site's own pages: no script, style, image or font the
// pages use is refused by it (a refusal is a console message of Chromium), and no page throws.
// Public pages in both languages, the analysis and participation pages, and an administrator's.
const { base, launch, signIn } = require('./lib');

(async () => {
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const refused = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => refused.push(`${page.url()}: ${e.message}`));
  const paths = ['/', '/indicators/sgb2_quote', '/areas/stadtteil/1', '/analysis/typology',
    '/analysis/index', '/analysis/action-areas', '/participation', '/participation/areas/1', '/sources',
    '/search?q=Alt', '/en/', '/en/indicators/sgb2_quote', '/offices', '/login'];
  for (const p of paths) {
    const r = await page.goto(base + p, { waitUntil: 'load' });
    if (!r || r.status() >= 400) refused.push(`${p}: status ${r && r.status()}`);
    await page.mouse.move(420, 380); // the maps' tooltips run script
  }
  await signIn(page, 'admin@example.org', 'demo-admin');
  for (const p of ['/admin/users', '/account']) {
    await page.goto(base + p, { waitUntil: 'load' });
  }
  await browser.close();
  if (refused.length) {
    console.error(refused.join('\n'));
    process.exit(1);
  }
  console.log(`csp: ${paths.length + 2} pages, nothing refused by the content security policy`);
})();
