// The preference centre's one stylesheet. No script anywhere: the page works with plain HTML forms.
// Colours meet WCAG AA contrast on white (text 16:1, links and buttons 8.6:1, hints 7:1); targets are
// at least 44 px high; the focus ring is thick and never removed.

export const PREFERENCE_CSS = `
*, *::before, *::after { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; font-size: 100%; line-height: 1.5; color: #1b1b1b; background: #f4f5f7; scroll-padding-top: 5rem; }
body { margin: 0; }
a { color: #0a4d8c; }
:focus-visible { outline: 3px solid #0a4d8c; outline-offset: 2px; box-shadow: 0 0 0 6px #ffd54a; }
.skip { position: absolute; left: 0.5rem; top: -4rem; background: #fff; padding: 0.75rem 1rem; z-index: 10; }
.skip:focus { top: 0.5rem; }
.top { position: sticky; top: 0; z-index: 5; display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; justify-content: space-between; padding: 0.5rem 1rem; background: #fff; border-bottom: 1px solid #c9ced6; }
.brand { margin: 0; font-weight: 700; }
.top form { margin: 0; }
main { max-width: 42rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
h1 { font-size: 1.75rem; line-height: 1.2; margin: 1rem 0 0.5rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.5rem; }
.lead { margin-top: 0; color: #3d4451; }
.notice { border-left: 6px solid #0a4d8c; background: #fff; padding: 0.75rem 1rem; margin: 1rem 0; }
.notice.success { border-color: #1e7a3c; }
.notice.warning { border-color: #a15c00; }
.notice.error { border-color: #b3261e; }
.notice h2 { margin-top: 0; font-size: 1.1rem; }
.notice ul { margin: 0.25rem 0 0; padding-left: 1.25rem; }
.rewards { list-style: none; padding: 0; margin: 0.5rem 0 0; display: grid; gap: 0.25rem; }
.rewards li span:last-child { white-space: nowrap; margin-left: auto; }
.rewards li { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0 1rem; border-bottom: 1px dotted #c9ced6; padding: 0.25rem 0; }
fieldset { background: #fff; border: 1px solid #c9ced6; border-radius: 8px; margin: 1rem 0; padding: 0.75rem 1rem 1rem; min-width: 0; }
fieldset fieldset { border: 0; padding: 0; margin: 0.75rem 0 0; }
legend { font-weight: 700; padding: 0 0.25rem; font-size: 1.05rem; }
fieldset fieldset legend { font-size: 1rem; padding: 0; }
.points { display: inline-block; margin-left: 0.5rem; padding: 0 0.5rem; border-radius: 999px; background: #fff1c7; color: #4d3300; font-weight: 600; font-size: 0.875rem; }
.points.earned { background: #dcf3e3; color: #124d26; }
.question { margin: 0.25rem 0 0.5rem; font-weight: 600; }
.hint { color: #3d4451; margin: 0.25rem 0 0.5rem; font-size: 0.95rem; }
.stale { color: #6b3d00; font-weight: 600; }
.field-error { color: #b3261e; font-weight: 600; margin: 0.25rem 0; }
.choices { display: grid; gap: 0.25rem; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); }
.choice { display: flex; align-items: center; gap: 0.6rem; min-height: 44px; padding: 0 0.25rem; }
.choice input { width: 1.4rem; height: 1.4rem; margin: 0; flex: none; accent-color: #0a4d8c; }
.choice label { flex: 1; cursor: pointer; padding: 0.5rem 0; }
.date { display: block; font: inherit; min-height: 44px; padding: 0.4rem 0.6rem; border: 2px solid #5b6270; border-radius: 6px; margin-top: 0.25rem; }
.badge { margin: 0.5rem 0 0; color: #124d26; font-weight: 600; }
button { font: inherit; min-height: 44px; border-radius: 6px; cursor: pointer; }
.primary { background: #0a4d8c; color: #fff; border: 2px solid #0a4d8c; padding: 0.5rem 1.5rem; font-weight: 700; width: 100%; max-width: 20rem; }
.secondary { background: #fff; color: #0a4d8c; border: 2px solid #0a4d8c; padding: 0.25rem 0.75rem; font-weight: 600; }
footer { max-width: 42rem; margin: 0 auto; padding: 0 1rem 2rem; color: #3d4451; font-size: 0.9rem; }
@media (max-width: 30rem) { h1 { font-size: 1.5rem; } .choices { grid-template-columns: 1fr; } .primary { max-width: none; } }
@media (forced-colors: active) { .points, .notice { border: 1px solid CanvasText; } }
`;
