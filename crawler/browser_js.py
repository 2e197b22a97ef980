"""JavaScript helpers the page scripts share (visibility, a short selector, a snippet)."""

# Shared helpers, prepended to the page scripts below.
JS_HELPERS = r"""
const gpVisible = (el) => {
  const cs = getComputedStyle(el);
  if (cs.display === 'none' || cs.visibility !== 'visible' || parseFloat(cs.opacity) < 0.05) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
};
const gpSelector = (el) => {
  const parts = [];
  for (let node = el; node && node.nodeType === 1 && parts.length < 6; node = node.parentElement) {
    const tag = node.localName;
    if (node.id && /^[A-Za-z][\w-]*$/.test(node.id) && document.querySelectorAll('#' + node.id).length === 1) {
      parts.unshift('#' + node.id); break;
    }
    const parent = node.parentElement;
    if (!parent) { parts.unshift(tag); break; }
    const same = Array.from(parent.children).filter((c) => c.localName === tag);
    parts.unshift(same.length === 1 ? tag : `${tag}:nth-of-type(${same.indexOf(node) + 1})`);
  }
  return parts.join(' > ');
};
const gpSnippet = (el) => {
  let html = el.outerHTML || '';
  if (html.length > 400) {
    const end = html.indexOf('>');
    html = end > 0 ? html.slice(0, end + 1) : html.slice(0, 400);
  }
  return html.replace(/\s+/g, ' ').trim();
};
"""
