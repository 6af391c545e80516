/** Inline so a page needs one request; small enough not to matter for caching. */
export const STYLES = `
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dee7;--bg:#f6f7fa;--accent:#2450b8;--err:#b42318}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
.top{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;padding:.6rem 1.5rem;background:#fff;border-bottom:1px solid var(--line)}
.brand{font-weight:700;color:var(--accent);text-decoration:none}
nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;flex:1}nav a{color:var(--muted);text-decoration:none}nav a[aria-current]{color:var(--fg);font-weight:600}
.signout{display:flex;gap:.75rem;align-items:center;margin-left:auto;color:var(--muted)}
.skip-link{position:absolute;left:.5rem;top:-3rem;z-index:10;padding:.4rem .8rem;background:var(--accent);color:#fff;border-radius:6px}.skip-link:focus{top:.5rem}
main:focus{outline:none}
.nav-toggle,.menu-button{display:none}
@media (max-width:48rem){
.nav-toggle{display:block;position:absolute;opacity:0;width:1px;height:1px;pointer-events:none}
.top{padding:.5rem .75rem;gap:.5rem .75rem}main{padding:1rem .75rem}
.menu-button{display:inline-block;margin:0;padding:.3rem .8rem;border:1px solid var(--accent);border-radius:6px;color:var(--accent);font-weight:600;cursor:pointer}
.nav-toggle:focus-visible+.menu-button{outline:2px solid var(--accent);outline-offset:2px}
.top nav{display:none;order:3;flex-basis:100%;flex-direction:column;gap:.1rem}.nav-toggle:checked~nav{display:flex}
.nav-toggle:checked+.menu-button{background:var(--accent);color:#fff}
.card{overflow-x:auto}main{overflow-wrap:anywhere}
}
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
.muted{color:var(--muted);font-weight:400}.hint{color:var(--muted);font-weight:400;font-size:.85em}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.intro{color:var(--muted);margin:-.5rem 0 1rem}
button.small{padding:.1rem .55rem;font-size:.85rem}
button.danger{background:var(--err);border-color:var(--err);color:#fff}
button[aria-disabled=true]{opacity:.6;cursor:progress}
.toolbar{display:flex;gap:.5rem;margin-bottom:1rem}
.org h2.name{font-size:1.15rem;margin:0}
.tree{list-style:none;margin:0 0 0 .45rem;padding:0 0 0 1.1rem;border-left:2px solid var(--line)}
.node-row{display:flex;align-items:center;gap:.6rem;flex-wrap:wrap;min-height:2.3rem;padding:.15rem 0}
.node-row .kind{font-size:.7rem;white-space:nowrap;font-weight:700;letter-spacing:.06em;text-transform:uppercase;color:var(--muted)}
.node-row .actions{display:flex;gap:.35rem;flex-wrap:wrap;margin-left:auto}
.node.disabled>.node-row .name{color:var(--muted)}
.empty{margin:.15rem 0 .4rem 1.6rem;font-size:.9em}
.badge{font-size:.75rem;line-height:1.5;padding:0 .5rem;border-radius:999px;background:#e2f3e7;color:#17643a}
.badge.disabled,.badge.expired,.badge.revoked{background:#eceef2;color:var(--muted)}
.badge.inactive,.badge.void{background:#eceef2;color:var(--muted)}.badge.blocked{background:#fde8e7;color:var(--err)}
.inline-form{display:flex;flex-wrap:wrap;align-items:flex-start;gap:.5rem .75rem;flex:1;padding:.6rem .75rem;margin:.3rem 0 .5rem;background:var(--bg);border:1px solid var(--line);border-radius:6px}
.inline-form .field{display:flex;flex-direction:column;gap:.2rem;min-width:7rem}
.inline-form input[type=number]{width:7rem}
.inline-form label{display:block;margin:0}
.inline-form input[aria-invalid=true]{border-color:var(--err)}
.inline-form .form-alert{flex-basis:100%;margin:0}
.form-buttons{display:flex;gap:.4rem;margin-top:1.6rem}
.panel{margin:.3rem 0 .6rem;padding:.75rem 1rem;border:1px solid var(--line);border-radius:8px;background:#fff;box-shadow:0 1px 3px rgb(0 0 0/.06)}
.panel-head{display:flex;align-items:center;justify-content:space-between;gap:1rem;margin-bottom:.5rem}
.panel h3{font-size:1rem;margin:0}
.panel .inline-form{background:none;border:0;padding:0}
.one-time{margin:.6rem 0;padding:.75rem;border:1px solid #e7c27d;border-radius:6px;background:#fff8ea}
.one-time label{margin-bottom:.3rem}
.copy-row{display:flex;flex-wrap:wrap;gap:.4rem}
.secret{flex:1 1 12rem;min-width:0;font-family:ui-monospace,monospace;font-size:.85rem}
.warning{margin:.4rem 0 0;color:#7a4a00;font-weight:600}
.one-time [role=status]{margin:.2rem 0 0}
.table-scroll{overflow-x:auto}.tokens{margin-top:.5rem;font-size:.9rem}.tokens .cell-actions{text-align:right}
.confirm{display:inline-flex;gap:.4rem;align-items:center;flex-wrap:wrap;justify-content:flex-end}
.settings-form fieldset.card{min-width:0}.settings-form legend{font-weight:700;font-size:1.1rem;padding:0 .3rem}
.setting{margin-bottom:1rem}.setting>label{margin-bottom:.2rem}.setting .hint{display:block;max-width:44rem}
label.check{flex-direction:row;align-items:center;gap:.5rem}
fieldset.names{border:0;padding:0;margin:0 0 1rem}fieldset.names legend{font-size:1rem;padding:0}
fieldset.names .row{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:0 1rem;align-items:end;margin-top:.5rem}
.setting input,.setting select{max-width:24rem}.setting input.wide{max-width:44rem}.setting input.number{width:8rem}
.chooser{margin-bottom:1rem}.filters button{margin-bottom:.75rem}
.setting [aria-invalid=true]{border-color:var(--err)}
.diff{list-style:none;margin:0;padding:0}.diff li{overflow-wrap:anywhere}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.facts{display:flex;flex-wrap:wrap;gap:.5rem 2rem;margin:.25rem 0 .75rem}.facts dt{color:var(--muted);font-size:.85em}.facts dd{margin:0}
.generator .row{gap:.75rem}.generator input[type=number]{width:9rem}.generator .row button{margin-bottom:.75rem}
.series-form .row{align-items:flex-start}.series-form fieldset{margin:0 0 1rem;padding:.4rem .75rem .6rem;border:1px solid var(--line);border-radius:6px}.series-form legend{font-weight:600}
.progress{display:flex;align-items:center;gap:.75rem;flex-wrap:wrap}.progress progress{flex:1 1 14rem;height:1rem}
.badge.warn{background:#fff1d6;color:#7a4a00}
.section-title{font-size:.95rem;margin:.9rem 0 .25rem;color:var(--muted)}
.merchant-list{list-style:none;margin:0;padding:0}.merchant-group .name,.merchant-detail h2.name{font-size:1.05rem;margin:0}
.store-list{list-style:none;margin:0 0 .4rem 1.6rem;padding:0;font-size:.9em}.store-list li{display:flex;flex-wrap:wrap;gap:.3rem .5rem;align-items:center}
.pos-chips{display:inline-flex;flex-wrap:wrap;gap:.3rem}.chip{padding:0 .45rem;border:1px solid var(--line);border-radius:4px;background:var(--bg);font-size:.9em}.chip.disabled{color:var(--muted);text-decoration:line-through}
.merchant-form{flex-direction:column;align-items:stretch}.store-picker{margin:0;padding:.4rem .75rem .6rem;border:1px solid var(--line);border-radius:6px;background:#fff}.store-picker legend{font-weight:600}
.site-stores{border:0;margin:.4rem 0 0;padding:0}.site-stores legend{font-weight:600;font-size:.9em}.store-choice{display:flex;flex-wrap:wrap;gap:.1rem .6rem;align-items:center;margin-left:.5rem}.store-choice label.check{display:flex;margin:0;font-weight:400}
.join{display:flex;gap:.4rem;align-items:center;flex-wrap:wrap}.join label{margin:0}.join select{padding:.15rem .4rem}
main:has(.rule-editor){max-width:92rem}
.rule-workspace{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1rem;align-items:start}
@media (max-width:70rem){.rule-workspace{grid-template-columns:minmax(0,1fr)}}
.rule-list{list-style:none;margin:0 0 1rem;padding:0}.rule-list>li{border-bottom:1px solid var(--line);padding:.2rem 0}
.rule.disabled button.name{color:var(--muted)}.rule-body{padding:.25rem 0 .75rem}.rule-body h4{margin:.5rem 0 .3rem;font-size:.95rem}
fieldset.bare{border:0;padding:0;margin:0;min-width:0}
button.link{background:none;border:0;color:var(--accent);padding:0 .25rem}.node-row button.name{font-weight:600;text-align:left}
.re-row{display:flex;flex-wrap:wrap;gap:0 .75rem;align-items:flex-start}
.re-field{display:flex;flex-direction:column;gap:.2rem;margin-bottom:.5rem}.re-field>label{margin:0}.re-field>.hint,.re-field>.field-error{width:0;min-width:100%}.re-field input.number,.simulator input.number{width:6.5rem}.simulator input.code{width:7rem}
.re-checks,.re-codes,.re-object{border:1px solid var(--line);border-radius:6px;padding:.25rem .6rem .45rem;margin:0 0 .5rem;min-width:0}
.re-checks legend,.re-codes legend,.re-object legend{font-weight:600;font-size:.9em}.re-object legend label.check{margin:0}
.re-checks label.check{display:inline-flex;margin:0 .7rem 0 0;font-weight:400}
.chips{list-style:none;display:flex;flex-wrap:wrap;gap:.3rem;margin:0 0 .3rem;padding:0}
.cond-group{border:1px solid var(--line);border-left:3px solid var(--accent);border-radius:6px;padding:.3rem .7rem .5rem;margin:0 0 .5rem;min-width:0}
.cond-head{display:flex;gap:.75rem;align-items:flex-end;flex-wrap:wrap}.cond-list{list-style:none;margin:0;padding:0}
.cond-leaf{padding:.3rem 0 0;border-top:1px dashed var(--line)}.cond-leaf button.remove{margin-top:1.65rem}
[aria-invalid=true]{border-color:var(--err)}
.sim-lines{margin:.5rem 0;table-layout:fixed}.sim-lines th:last-child{width:2.6rem}.sim-lines td:last-child{text-align:right}.sim-lines td:last-child button{padding:.1rem .45rem}.sim-lines td,.sim-lines th{padding:.15rem .25rem;border:0}.sim-lines input{width:100%;min-width:3.5rem}
.sim-result{margin-top:1rem;border-top:1px solid var(--line);padding-top:.5rem}.sim-total{font-size:1.15rem}.why-not li{margin-bottom:.3rem}
.badge.added{background:#e2f3e7}.badge.removed{background:#fde8e7;color:var(--err)}.badge.changed{background:#fff1d6;color:#7a4a00}
.hint.warn{color:#7a4a00}.stack-notes{margin:.2rem 0 .4rem;padding-left:1.2rem}
.impact-progress{display:flex;gap:.6rem;align-items:center;margin:.6rem 0}.impact-progress progress{flex:1;height:1rem}.impact-compare{margin-top:1rem;border-top:1px solid var(--line);padding-top:.5rem}.version-json{max-height:24rem;overflow:auto;font-size:.8rem}.version-rules li{margin-bottom:.2rem}
dialog.confirm-dialog{max-width:38rem;border:1px solid var(--line);border-radius:8px;padding:1rem 1.25rem}dialog::backdrop{background:rgb(0 0 0/.3)}
.json-tab textarea{width:100%;font:13px/1.4 ui-monospace,monospace;border:1px solid var(--line);border-radius:6px;padding:.5rem}
.chart{position:relative;margin:0 0 .75rem}.chart-svg svg{max-width:100%;height:auto;display:block}
.chart-tip{position:absolute;top:2rem;z-index:1;pointer-events:none;background:#fff;border:1px solid var(--line);border-radius:6px;padding:.35rem .6rem;font-size:.85rem;box-shadow:0 2px 8px #0002;white-space:nowrap}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.75rem;margin:0}.figures>div{border:1px solid var(--line);border-radius:6px;padding:.5rem .75rem}.figures dt{color:var(--muted);font-size:.85em}.figures dd{margin:0;font-size:1.25rem;font-weight:600}.figures .change{font-size:.85rem;font-weight:400;color:var(--muted)}
.report-filters .row{gap:.75rem}.report-filters button{margin-bottom:.75rem}
.email-template textarea{font:13px/1.4 ui-monospace,monospace}.email-preview iframe{width:100%;height:14rem;border:1px solid var(--line);border-radius:6px;background:#fff}.email-preview pre{white-space:pre-wrap;overflow-wrap:anywhere}.counts .count{margin-right:1rem}ol.attempts{margin:0;padding-left:1.2rem}
table.fields{margin:.5rem 0;font-size:.9rem}table caption{text-align:left;font-weight:700;padding:.3rem 0}.toc ul{margin:.2rem 0 .6rem}.toc li{margin:.1rem 0}.schema{border-top:1px solid var(--line);padding-top:.5rem}.markdown pre,section pre{overflow-x:auto;background:#f6f7f9;padding:.5rem;border-radius:6px}
.confirm-step{border-color:var(--err)}a.button{display:inline-block;padding:.4rem .9rem;border:1px solid var(--accent);border-radius:6px;text-decoration:none}a.button.secondary{background:#fff;color:var(--accent)}
`;
