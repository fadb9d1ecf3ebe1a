// Expressions evaluated inside the page. They are plain JavaScript text because the project's
// TypeScript has no DOM library (nothing outside the browser tests runs in a browser).

/** The page's document language, its h1 count, inputs and buttons without a label, and positive tabindex. */
export const STRUCTURE = `(() => ({
  lang: document.documentElement.lang,
  h1: document.querySelectorAll('h1').length,
  unlabelled: [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
    .filter((el) => el.tagName === 'BUTTON' ? !el.textContent.trim() : !el.labels || el.labels.length === 0)
    .map((el) => el.outerHTML),
  positiveTabindex: document.querySelectorAll('[tabindex]:not([tabindex="0"]):not([tabindex="-1"])').length,
}))()`;

const NAME = `(el) => el.id || el.textContent.trim() || el.getAttribute('href')`;

/** The tab stops in document order: links, buttons, inputs, one per radio group (its checked radio, or its first). */
export const TAB_STOPS = `(() => {
  const seen = new Set();
  return [...document.querySelectorAll('a[href], button, input:not([type=hidden])')]
    .filter((input) => {
      if (input.type !== 'radio') return true;
      if (seen.has(input.name)) return false;
      const group = [...document.querySelectorAll('input[type=radio]')].filter((r) => r.name === input.name);
      if ((group.find((r) => r.checked) || group[0]) !== input) return false;
      seen.add(input.name);
      return true;
    })
    .map(${NAME});
})()`;

/** The focused element, named as TAB_STOPS names it. */
export const FOCUSED = `(${NAME})(document.activeElement)`;

/** How wide the page is laid out, in CSS pixels. */
export const SCROLL_WIDTH = 'document.documentElement.scrollWidth';

/** Runs axe-core (already injected) on the WCAG 2.x A/AA rules and best practices; one line per violation. */
export const AXE_RUN = `axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] })
  .then((result) => result.violations.map((v) => v.id + ' (' + v.nodes.length + '): ' + v.help))`;
