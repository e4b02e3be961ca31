/** A key on the accent colour, served at `/assets/favicon.svg` (no request for a missing favicon). */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#3451b2"/>
<circle cx="12" cy="16" r="5" fill="none" stroke="#fff" stroke-width="3"/>
<path d="M17 16h9m-3 0v4" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round"/>
</svg>
`;
