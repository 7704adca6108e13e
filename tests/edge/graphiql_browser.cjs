// Drive the router's GraphiQL in headless Chromium (Debian's, via playwright-core; no browser
// download): load the page, open the docs, type a query, run it, read the result pane.
// argv: GraphiQL URL, chromium executable, fresh user-data-dir, query, text the result must show.
// Prints {requests, docs, result, ms} as JSON. Resolved from the working directory (tests/peers).
const { chromium } = require(require.resolve("playwright-core", { paths: [process.cwd()] }));

const [url, executablePath, userDataDir, query, expected] = process.argv.slice(2);
const TIMEOUT = 30000; // per step; generous for a loaded machine

(async () => {
  const started = Date.now();
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const out = { requests: [], docs: null, result: null, ms: 0 };
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(TIMEOUT);
    page.on("request", (request) => out.requests.push(request.url()));
    await page.goto(url, { waitUntil: "load" });
    // The first example tab is open: the editor is up.
    const editor = page.locator(".graphiql-query-editor .CodeMirror");
    await editor.waitFor();
    // The schema's docs (loaded by introspection).
    await page.getByRole("button", { name: /Documentation Explorer/ }).click();
    const docs = page.locator(".graphiql-doc-explorer-content");
    await docs.locator(".graphiql-doc-explorer-root-type").first().waitFor();
    out.docs = await docs.innerText();
    // Type a named query of our own over the example (insertText: no auto-closed brackets).
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(query);
    // GraphiQL re-reads the operation name from the editor after a short debounce; running
    // before that would send the example's name.
    const name = /^\s*query\s+(\w+)/.exec(query)[1];
    await page.waitForFunction((name) => {
      const queryEditor = document.querySelector(".graphiql-query-editor .CodeMirror");
      return queryEditor.CodeMirror.operationName === name;
    }, name);
    await page.locator(".graphiql-execute-button").click();
    // The pane's whole text from its CodeMirror (the DOM holds only the lines in view).
    const result = await page.waitForFunction((text) => {
      const pane = document.querySelector(".graphiql-response .CodeMirror");
      const value = pane && pane.CodeMirror.getValue();
      return value && value.includes(text) ? value : null;
    }, expected);
    out.result = await result.jsonValue();
  } catch (error) {
    // What the IDE showed, for the failure report.
    const page = context.pages()[0];
    const panes = await page
      .evaluate(() =>
        [...document.querySelectorAll(".CodeMirror")].map((e) => e.CodeMirror.getValue()),
      )
      .catch(() => []);
    throw new Error(`${error.message}\nrequests: ${out.requests}\neditors: ${JSON.stringify(panes)}`);
  } finally {
    out.ms = Date.now() - started;
    await context.close();
  }
  process.stdout.write(JSON.stringify(out));
})().catch((error) => {
  process.stderr.write(String((error && error.stack) || error));
  process.exit(1);
});
