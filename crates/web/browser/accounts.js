// Browser check of the account pages on the demo server (which has demo accounts): sign-in,
// registration with e-mail confirmation through the outbox, the account page, the
// administration pages (a role granted through the form, seen in the audit log), sign-out.
// Screenshots of each page (desktop and phone width) and axe-core (WCAG 2.1 A/AA and best
// practice) on each. Needs a running demo server:
//   cargo run -p sozialatlas -- serve --listen 127.0.0.1:8093
//   cd crates/web/browser && npm install --no-save playwright-core axe-core
//   node accounts.js http://127.0.0.1:8093 /tmp/shots
// Exits non-zero on an axe violation or figure text below 11px (at desktop and phone width),
// horizontal overflow at phone width or a failed step.
const { base, out, launch, pageProblems, phoneProblems, signIn } = require('./lib');

(async () => {
  const browser = await launch();
  let failures = 0;
  let checked = 0;
  const fail = (msg) => { console.log(`FAIL ${msg}`); failures++; };

  // Screenshot, overflow check at phone width, and axe on the page as it is now.
  async function look(page, name) {
    checked++;
    await page.screenshot({ path: `${out}/account-${name}.png`, fullPage: true });
    for (const v of await pageProblems(page)) fail(`${name} ${page.url()}: ${v}`);
    for (const p of await phoneProblems(page, `${out}/account-${name}-mobile.png`)) fail(`${name} ${page.url()}: ${p}`);
  }
  const expectText = async (page, text, what) => {
    const body = await page.textContent('body');
    if (!body.includes(text)) fail(`${what}: "${text}" not on ${page.url()}`);
  };

  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();

  // Anonymous pages.
  await page.goto(base + '/login');
  await expectText(page, 'admin@example.org', 'demo accounts on the sign-in page');
  await look(page, 'login');
  await page.goto(base + '/en/login');
  await look(page, 'login-en');
  await page.goto(base + '/password/forgot');
  await look(page, 'forgot');
  await page.goto(base + '/register');
  await look(page, 'register');
  // An empty registration: errors on the form, focusable summary.
  await page.click('form.account-form button[type=submit]');
  await page.waitForLoadState('load');
  await expectText(page, 'Bitte korrigieren Sie', 'error summary');
  await look(page, 'register-errors');
  // A wrong password: the message on the form, in German.
  await page.goto(base + '/login');
  await signIn(page, 'admin@example.org', 'falsch falsch');
  await expectText(page, 'E-Mail-Adresse oder Passwort ist falsch', 'sign-in error');
  await look(page, 'login-error');

  // Registration through the form.
  const stamp = Date.now();
  const email = `browser-${stamp}@example.org`;
  await page.goto(base + '/register');
  await page.fill('#email', email);
  await page.fill('#display_name', 'Browser Test');
  await page.fill('#password', 'ein langes browser passwort');
  await page.fill('#password2', 'ein langes browser passwort');
  await page.click('form.account-form button[type=submit]');
  await page.waitForLoadState('load');
  await expectText(page, 'Bitte bestätigen Sie Ihre E-Mail-Adresse', 'registration done');
  await look(page, 'register-done');

  // Administrator: sign in with the keyboard only.
  await page.goto(base + '/login?next=/admin/users');
  await page.focus('#email');
  await page.keyboard.type('admin@example.org');
  await page.keyboard.press('Tab');
  await page.keyboard.type('demo-admin');
  // By path: the sign-in page's own URL (?next=/admin/users) would match a glob.
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/admin/users'),
    page.keyboard.press('Enter'),
  ]);
  await look(page, 'admin-users');
  // The outbox has the confirmation mail with its link.
  await page.goto(base + '/admin/outbox');
  await look(page, 'admin-outbox');
  const mail = await page.textContent('article.mail');
  const m = /(https?:\/\/[^\s]+\/confirm\/[0-9a-f]{64})/.exec(mail);
  if (!m) fail('no confirmation link in the outbox'); 
  // Grant the new user a role through the form.
  await page.goto(base + '/admin/users?q=' + encodeURIComponent(email));
  await page.selectOption('tbody select[name=role]', 'moderator');
  await page.click('tbody button[name=op][value=add]');
  await page.waitForLoadState('load');
  await expectText(page, 'Die Rolle ist vergeben', 'role granted');
  await page.goto(base + '/admin/audit');
  await expectText(page, 'user.role.add', 'audit entry');
  await look(page, 'admin-audit');
  await page.goto(base + '/account');
  await look(page, 'account-admin');
  await page.click('form[action="/logout"] button');
  await page.waitForLoadState('load');
  if ((await page.textContent('body')).includes('Abmelden')) fail('still signed in after sign-out');

  // The new user confirms (a fresh browser) and signs in.
  const ctx2 = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const p2 = await ctx2.newPage();
  if (m) {
    const link = new URL(m[1]);
    await p2.goto(base + link.pathname);
    await look(p2, 'confirm');
    await p2.click('form.account-form button[type=submit]');
    await p2.waitForURL('**/login?notice=confirmed');
    await expectText(p2, 'Ihre E-Mail-Adresse ist bestätigt', 'confirmed notice');
    await signIn(p2, email, 'ein langes browser passwort');
    await p2.waitForURL('**/account');
    await expectText(p2, 'Moderation', 'granted role shown');
    await look(p2, 'account');
    await p2.goto(base + '/en/account');
    await look(p2, 'account-en');
    // A form error on the account page.
    await p2.goto(base + '/account');
    await p2.fill('#current_password', 'falsch');
    await p2.click('form[action="/account/password"] button');
    await p2.waitForLoadState('load');
    await expectText(p2, 'Das Passwort ist falsch', 'account form error');
    await look(p2, 'account-error');
  }
  // A participant sees no administration.
  const ctx3 = await browser.newContext();
  const p3 = await ctx3.newPage();
  await p3.goto(base + '/login');
  await signIn(p3, 'teilnahme@example.org', 'demo-teilnahme');
  await p3.waitForURL('**/account');
  const r = await p3.goto(base + '/admin/users');
  if (r.status() !== 403) fail(`participant on /admin/users: ${r.status()}`);
  await look(p3, 'forbidden');

  await browser.close();
  console.log(`${checked} account pages checked, ${failures} problems; screenshots in ${out}`);
  process.exit(failures ? 1 : 0);
})();
