/**
 * The console's icon: a star in the brand's blue, as SVG (sharp at every size, a few hundred
 * bytes). Served at a path that carries a hash of its content, so it is cached for a year and
 * a changed icon is a new URL.
 */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">` +
  `<rect width="32" height="32" rx="7" fill="#2450b8"/>` +
  `<path fill="#fff" d="M16 5.5l3.1 6.6 7.2.9-5.3 5 1.4 7.1L16 21.6l-6.4 3.5 1.4-7.1-5.3-5 ` +
  `7.2-.9z"/></svg>`;

/** FNV-1a of the icon, in base 36: enough to tell one version from the next. */
function contentHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

export const FAVICON_PATH = `/favicon-${contentHash(FAVICON_SVG)}.svg`;

export const faviconResponse = () =>
  new Response(FAVICON_SVG, {
    headers: {
      "Content-Type": "image/svg+xml",
      "Cache-Control": "public, max-age=31536000, immutable",
    },
  });
