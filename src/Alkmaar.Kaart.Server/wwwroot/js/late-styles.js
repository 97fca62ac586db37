// Stylesheets a resident page does not need for its first paint (Radzen's theme) arrive as media="print" links, which do
// not block rendering; once loaded they apply to the screen too. A module script: it runs after parsing, never blocking.
for (const link of document.querySelectorAll('link[data-late-style]')) {
  const apply = () => { link.media = 'all'; };
  if (link.sheet) apply(); else link.addEventListener('load', apply, { once: true });
}
