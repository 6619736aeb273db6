// Drives headless Chromium (the system's, through playwright-core) over tests/views/host.html: for each case,
// the host hands the view a real tool answer; what the view drew is read back from its DOM as JSON on stdout.
"use strict";
const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

async function runCase(context, job, c) {
  const page = await context.newPage();
  const requests = [];
  page.on("request", r => requests.push(r.url()));
  await page.setViewportSize({width: 1000, height: 800});
  await page.goto("file://" + job.host);
  await page.evaluate(([html, call, theme]) => window.startView(html, call, theme), [job.html, c.call, c.theme]);
  const view = page.frameLocator("#view");
  await view.locator("body[data-ready]").waitFor({timeout: 20000});
  const read = () => view.locator("body").evaluate(body => ({
    view: body.dataset.view,
    theme: document.documentElement.dataset.theme || "",
    background: getComputedStyle(body).backgroundColor,
    rows: [...document.querySelectorAll("#table tbody tr")].map(tr => tr.dataset.id),
    headers: [...document.querySelectorAll("#table th")].map(th => th.textContent),
    cells: [...document.querySelectorAll("#table td[data-cite]")].map(td => ({
      row: td.parentElement.dataset.id, column: document.querySelectorAll("#table th")[td.cellIndex].textContent,
      text: td.textContent, cite: td.dataset.cite, title: td.title,
      contested: td.classList.contains("contested"), range: td.classList.contains("range"),
      marker: getComputedStyle(td, "::after").content})),
    charts: Object.fromEntries([...document.querySelectorAll("svg[data-chart]")].map(svg => [svg.dataset.chart,
      [...svg.querySelectorAll(".mark")].map(m => ({id: m.dataset.id, contested: m.hasAttribute("data-contested")}))])),
    reconciliation: [...document.querySelectorAll("#reconciliation li")].map(li => li.dataset.cite),
  }));
  const facts = await read();
  // A click on a contested cell shows its citation in the panel.
  const contested = view.locator("#table td.contested").first();
  if (await contested.count()) {
    await contested.click();
    facts.clicked = {cite: await contested.getAttribute("data-cite"), panel: await view.locator("#cite").textContent()};
  }
  // The iframe takes its height from the view's size-changed notifications: wait until it holds the whole view.
  await page.waitForFunction(() => {
    const frame = document.getElementById("view");
    return frame.dataset.settled === frame.style.height || (frame.dataset.settled = frame.style.height, false);
  }, null, {polling: 200, timeout: 10000});
  // The view is drawn out of process: grow the window to the whole page and let it repaint, then take it.
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({width: 1000, height});
  await page.waitForTimeout(300);
  await page.screenshot({path: c.screenshot});
  if (c.sortBy) {
    await view.locator("#table th", {hasText: c.sortBy}).first().click();
    facts.sorted = (await read()).rows;
  }
  if (c.switchTheme) {
    await page.evaluate(t => window.setTheme(t), c.switchTheme);
    await page.waitForTimeout(100);
    facts.switched = await view.locator("body").evaluate(b => [document.documentElement.dataset.theme, getComputedStyle(b).backgroundColor]);
  }
  facts.hostLog = await page.evaluate(() => window.hostLog);
  facts.requests = requests;
  await page.close();
  return facts;
}

(async () => {
  const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const context = await chromium.launchPersistentContext(job.userDataDir, {
    executablePath: job.chromium, headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
  try {
    const out = {};
    for (const c of job.cases) out[c.name] = await runCase(context, job, c);
    process.stdout.write(JSON.stringify(out));
  } finally {
    await context.close();
  }
})().catch(error => { console.error(error && error.stack || String(error)); process.exit(1); });
