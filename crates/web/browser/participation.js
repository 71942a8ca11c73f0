// Browser check of participation on the demo server (demo accounts, the example process 1 on
// the demo's action areas): a new participant registers and confirms through the outbox (read
// by the demo administrator), brings in a project idea in an action area; the moderator
// publishes it from the queue; the process manager starts the review, saves the decision
// "accepted" with its official answer and publishes the answer; the idea shows as accepted on
// the idea page and on the action area's page, and the author finds the answer in the inbox.
// Screenshots of each step; axe-core (WCAG 2.1 A/AA and best practice) on the idea list, the
// idea page, the area page and the forms, and no horizontal overflow at phone width.
//   cargo run -p sozialatlas -- serve --listen 127.0.0.1:8093
//   cd crates/web/browser && npm install --no-save playwright-core axe-core
//   node participation.js http://127.0.0.1:8093 /tmp/shots
// Exits non-zero on a failed step, an axe violation or figure text below 11px (at desktop and
// phone width) or horizontal overflow. Run it before
// analysis-save.js (which makes a new action-area set the current one).
const { base, out, launch, pageProblems, phoneProblems, signIn } = require('./lib');

(async () => {
  const browser = await launch();
  let failures = 0;
  let checked = 0;
  const fail = (msg) => { console.log(`FAIL ${msg}`); failures++; };
  // A step that cannot go on without its predecessor.
  const need = (cond, msg) => { if (!cond) throw new Error(msg); };

  // Screenshot; with `axe`, axe-core on the page and the phone-width overflow check.
  async function look(page, name, axeToo = true) {
    await page.screenshot({ path: `${out}/participation-${name}.png`, fullPage: true });
    if (!axeToo) return;
    checked++;
    for (const v of await pageProblems(page)) fail(`${name} ${page.url()}: ${v}`);
    for (const p of await phoneProblems(page, `${out}/participation-${name}-mobile.png`)) fail(`${name} ${page.url()}: ${p}`);
  }
  const bodyText = (page) => page.textContent('body');
  const expectText = async (page, text, what) => {
    if (!(await bodyText(page)).includes(text)) fail(`${what}: "${text}" not on ${page.url()}`);
  };
  // A fresh browser signed in as `email`.
  async function signedIn(email, password) {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(base + '/login');
    await signIn(page, email, password);
    await page.waitForURL('**/account');
    return page;
  }
  // Submits the form around `selector` and waits for the page that follows.
  async function submit(page, selector) {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
  }

  try {
    // Public pages, anonymous: the overview, the process, the idea list (filtered), an area.
    const anon = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    await anon.goto(base + '/participation');
    await expectText(anon, 'Beispiel', 'example content marked on the overview');
    await look(anon, 'overview');
    await anon.goto(base + '/participation/processes/1');
    await look(anon, 'process');
    for (const [name, path] of [['meetings', '/participation/processes/1/meetings'],
      ['meeting', '/participation/meetings/1'], ['measures', '/participation/processes/1/measures'],
      ['measure', '/participation/measures/1'], ['process-en', '/en/participation/processes/1']]) {
      const r = await anon.goto(base + path);
      if (r.status() !== 200) fail(`${path}: ${r.status()}`);
      await look(anon, name);
    }
    await anon.goto(base + '/participation/processes/1/ideas');
    await look(anon, 'ideas');
    const before = await anon.$$eval('li.idea-card', (l) => l.length);
    await anon.fill('#q', 'Garten');
    await submit(anon, 'form.filters button[type=submit]');
    const found = await anon.$$eval('li.idea-card', (l) => l.length);
    if (!(found >= 1 && found < before)) fail(`search "Garten": ${found} of ${before} ideas`);
    await look(anon, 'ideas-search');

    // Registration with e-mail confirmation.
    const stamp = Date.now();
    const email = `idee-${stamp}@example.org`;
    const password = 'ein langes beteiligungs passwort';
    const title = `Trinkbrunnen am Spielplatz ${stamp}`;
    const reg = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    await reg.goto(base + '/register');
    await reg.fill('#email', email);
    await reg.fill('#display_name', 'Nachbarschaftsinitiative Test');
    await reg.fill('#password', password);
    await reg.fill('#password2', password);
    await submit(reg, 'form.account-form button[type=submit]');
    await expectText(reg, 'Bitte bestätigen Sie Ihre E-Mail-Adresse', 'registration done');
    // The demo administrator reads the confirmation link in the outbox.
    const admin = await signedIn('admin@example.org', 'demo-admin');
    await admin.goto(base + '/admin/outbox');
    const mails = await admin.$$eval('article.mail', (a) => a.map((m) => m.textContent));
    const mail = mails.find((t) => t.includes(email));
    need(mail, `no mail to ${email} in the outbox`);
    const link = /(https?:\/\/[^\s]+\/confirm\/[0-9a-f]{64})/.exec(mail);
    need(link, 'no confirmation link in the mail');
    await reg.goto(base + new URL(link[1]).pathname);
    await submit(reg, 'form.account-form button[type=submit]');
    need(reg.url().includes('/login'), `after confirming: ${reg.url()}`);
    await expectText(reg, 'Ihre E-Mail-Adresse ist bestätigt', 'confirmed notice');
    await reg.close();

    // The participant brings in an idea in an action area.
    const p = await signedIn(email, password);
    await p.goto(base + '/participation/processes/1');
    await submit(p, 'a.button-link[href$="/ideas/new"]');
    await look(p, 'idea-form');
    // An empty form: the errors on the form.
    await submit(p, 'button[name=action][value=submit]');
    need((await p.$$('[aria-invalid="true"]')).length > 0, 'empty idea form: no field marked invalid');
    await look(p, 'idea-form-errors');
    const areaOpt = await p.$$eval('#area option', (o) => o.filter((x) => x.value).map((x) => [x.value, x.textContent]));
    const fieldOpt = await p.$$eval('#field option', (o) => o.filter((x) => x.value).map((x) => x.value));
    need(areaOpt.length > 0 && fieldOpt.length > 0, 'no action areas or fields to choose');
    const [areaId, areaName] = areaOpt[0];
    await p.fill('#title', title);
    await p.fill('#description', 'Ein Trinkbrunnen am Spielplatz, damit Kinder im Sommer Wasser haben.\nDie Initiative kümmert sich um die Patenschaft.');
    await p.selectOption('#area', areaId);
    await p.selectOption('#field', fieldOpt[0]);
    await p.fill('#cost', '4.800');
    await submit(p, 'button[name=action][value=submit]');
    const m = /\/participation\/ideas\/(\d+)/.exec(p.url());
    need(m, `after submitting: ${p.url()}`);
    const idea = m[1];
    await expectText(p, 'Eingereicht', 'submitted state');
    const reference = (await p.textContent('.idea-meta .ref')).trim();
    need(/^AP-\d{4}-\d{4}$/.test(reference), `reference number "${reference}"`);
    await look(p, 'idea-submitted');
    // Not public before moderation.
    const hidden = await anon.goto(`${base}/participation/ideas/${idea}`);
    if (hidden.status() !== 404) fail(`unmoderated idea for anonymous: ${hidden.status()}`);

    // The moderator publishes it from the queue.
    const mod = await signedIn('moderation@example.org', 'demo-moderation');
    await mod.goto(base + '/participation/moderation');
    await expectText(mod, title, 'the idea in the moderation queue');
    await look(mod, 'moderation');
    await submit(mod, `form[action="/participation/moderation/ideas/${idea}/publish"] button`);
    const pub = await anon.goto(`${base}/participation/ideas/${idea}`);
    need(pub.status() === 200, `published idea for anonymous: ${pub.status()}`);
    await expectText(anon, 'Veröffentlicht', 'published state');

    // The process manager reviews, decides with an official answer, publishes the answer.
    const pm = await signedIn('prozess@example.org', 'demo-prozess');
    await pm.goto(`${base}/participation/ideas/${idea}/review`);
    await look(pm, 'review-start');
    await submit(pm, `form[action="/participation/ideas/${idea}/review/start"] button`);
    await pm.check('#d-acc');
    await pm.fill('#answer', 'Der Trinkbrunnen wird im Frühjahr vom Grünflächenamt aufgestellt.');
    await submit(pm, `form[action="/participation/ideas/${idea}/review/decide"] button`);
    await look(pm, 'review-decided');
    // Decided, not yet public.
    await anon.goto(`${base}/participation/ideas/${idea}`);
    if ((await bodyText(anon)).includes('Grünflächenamt')) fail('the answer is public before it is published');
    await submit(pm, `form[action="/participation/ideas/${idea}/review/publish"] button`);

    // Public: accepted with its answer, on the idea page and on the action area's page.
    await anon.goto(`${base}/participation/ideas/${idea}`);
    await expectText(anon, 'Angenommen', 'accepted on the idea page');
    await expectText(anon, 'Grünflächenamt', 'the official answer on the idea page');
    await look(anon, 'idea-accepted');
    const areaLink = await anon.$$eval('dl.facts a[href*="/participation/areas/"]', (a) => a.map((x) => x.getAttribute('href')));
    need(areaLink.length > 0, 'no link from the idea to its action area');
    await anon.goto(base + areaLink[0]);
    need((await anon.textContent('h1')).includes(areaName.trim()), `area page of "${areaName}"`);
    const card = await anon.$$eval('li.idea-card', (c, t) => {
      const x = c.find((e) => e.textContent.includes(t));
      return x ? x.textContent : null;
    }, title);
    need(card, 'the idea on the area page');
    if (!card.includes('Angenommen')) fail(`the idea on the area page is not shown as accepted: ${card}`);
    // Why it is an action area: the indicators from the atlas beside the ideas.
    if ((await anon.$$('table.indicator-table tbody tr')).length === 0) fail('no indicators on the area page');
    await look(anon, 'area');
    await anon.goto(`${base}/participation/processes/1/ideas?state=accepted`);
    await expectText(anon, title, 'the idea among the accepted ones');
    await look(anon, 'ideas-accepted');
    await anon.goto(`${base}/en/participation/ideas/${idea}`);
    await expectText(anon, 'Accepted', 'accepted on the English idea page');
    await look(anon, 'idea-accepted-en');

    // The author was told.
    await p.goto(base + '/participation/inbox');
    await expectText(p, title, 'the notification in the inbox');
    await look(p, 'inbox');
  } catch (e) {
    fail(String(e));
  }
  await browser.close();
  console.log(`participation: ${checked} pages checked, ${failures} problems; screenshots in ${out}`);
  process.exit(failures ? 1 : 0);
})();
