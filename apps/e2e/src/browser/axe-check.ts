import type { Page } from 'playwright-core';

/** The axe-core bundle, served to the page from its own origin so the pages' strict CSP
 * (`script-src 'self'`, nothing inline) stays on while it is checked. */
const AXE_PATH = '/__e2e__/axe.min.js';

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core in the page and returns its serious and critical violations (an empty list is a
 * pass). The script is injected with `addScriptTag`, from a same-origin URL the test answers
 * itself: an inline copy would be refused by the page's CSP, which is what the page must keep.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.route(`**${AXE_PATH}`, (route) =>
    route.fulfill({
      path: require.resolve('axe-core/axe.min.js'),
      contentType: 'text/javascript; charset=utf-8',
    }),
  );
  await page.addScriptTag({ url: AXE_PATH });
  const violations = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`,
  )) as AxeViolation[];
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.impact} ${violation.id}: ${violation.help} (${violation.nodes
          .map((node) => node.target.join(' '))
          .join(', ')})`,
    );
}
