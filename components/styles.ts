/** Inline so a page needs one request; small enough not to matter for caching. */
export const STYLES = `
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dee7;--bg:#f6f7fa;--accent:#2450b8;--err:#b42318}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
.top{display:flex;gap:1.5rem;align-items:center;padding:.6rem 1.5rem;background:#fff;border-bottom:1px solid var(--line)}
.brand{font-weight:700;color:var(--accent);text-decoration:none}
nav{display:flex;gap:1rem;flex:1}nav a{color:var(--muted);text-decoration:none}nav a[aria-current]{color:var(--fg);font-weight:600}
.signout{display:flex;gap:.75rem;align-items:center;margin-left:auto;color:var(--muted)}
main{max-width:64rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1rem 1.25rem;margin-bottom:1rem}
.row{display:flex;gap:1rem;flex-wrap:wrap}
label{display:flex;flex-direction:column;gap:.25rem;font-weight:600;margin-bottom:.75rem}
input,select{font:inherit;padding:.4rem .5rem;border:1px solid var(--line);border-radius:6px;font-weight:400}
button{font:inherit;padding:.4rem .9rem;border:1px solid var(--accent);border-radius:6px;background:var(--accent);color:#fff;cursor:pointer}
.segmented{display:flex;gap:.25rem;flex-wrap:wrap}
.segmented button{background:#fff;color:var(--accent)}.segmented button[aria-pressed=true]{background:var(--accent);color:#fff}
.flash{padding:.6rem .9rem;border-radius:6px;background:#e8f0fe}.flash.error{background:#fde8e7;color:var(--err)}
.field-error{color:var(--err);font-weight:400;font-size:.9em}
.narrow{max-width:26rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
code{font-size:.9em;background:#eef1f6;padding:.05rem .3rem;border-radius:4px}
.method{font-weight:700;font-family:monospace}
.wide{width:100%}
button.secondary{background:#fff;color:var(--accent)}
.row{align-items:flex-end}
`;
