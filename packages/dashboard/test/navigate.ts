// Navigation that outlasts the test machine's own network changes. Other test files build network
// namespaces beside these (veth pairs made and moved in this namespace), and Chromium fails a request
// in flight with net::ERR_NETWORK_CHANGED when it sees an address come or go (a CI run once failed
// the first page.goto so). The dashboard's own requests recover by themselves (its event stream
// reconnects and pages reload on events), so such a failure is retried here and not counted as a
// page problem; anything else still fails the test.
import type { ConsoleMessage, Page } from 'playwright-core';

/** Console errors of a request cut by a network change on the test machine. */
export const NETWORK_CHANGED = /ERR_NETWORK_CHANGED/;
/** A navigation cut so: the error itself, or Chromium's error page taking the navigation's place. */
const NAVIGATION_CUT = /ERR_NETWORK_CHANGED|interrupted by another navigation to "chrome-error:/;

/** `step`, again (up to 3 tries) when what it waited for was cut by a network change. */
export async function steadily<T>(what: string, step: () => Promise<T>, cut = NAVIGATION_CUT): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (attempt >= 3 || !cut.test(String(err))) throw err;
      console.log(`${what}: ${String(err).split('\n')[0]}; trying again (${attempt} of 3)`);
    }
  }
}

/** page.goto, again (up to 3 tries) when the navigation was cut by a network change. */
export const gotoSteadily = (page: Page, url: string): Promise<unknown> =>
  steadily(`page.goto ${url}`, () => page.goto(url));

/**
 * Opens the dashboard at `base` and signs in with `token`, until the overview shows. Tried again
 * (up to 3 times) only when a request was cut by a network change meanwhile: the sign-in's own
 * request is the user's to repeat, not the page's.
 */
export async function signInSteadily(page: Page, base: string, token: string): Promise<void> {
  let cuts = 0;
  const onConsole = (m: ConsoleMessage) => void (NETWORK_CHANGED.test(m.text()) && cuts++);
  page.on('console', onConsole);
  try {
    await steadily('sign-in', async () => {
      const before = cuts;
      try {
        await gotoSteadily(page, `${base}/`);
        await page.getByLabel('Bearer token').fill(token);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'Cluster' }).waitFor({ timeout: 10_000 });
      } catch (err) {
        if (cuts > before) throw new Error(`a request was cut (ERR_NETWORK_CHANGED): ${String(err)}`);
        throw err;
      }
    });
  } finally {
    page.off('console', onConsole);
  }
}
