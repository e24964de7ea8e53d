/**
 * The dashboard's DOM helpers: lookups by id checked against the element's
 * kind (the markup is page.html's; a missing element is a bug, not a state),
 * and builders that set text, never HTML, so no value from the API is ever
 * parsed as markup.
 */

/** The page's element with this id, of kind `type`; throws when page.html has none. */
export function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`the page has no #${id} of the expected kind`);
  return node;
}

/** The page's element with this id. */
export function $(id: string): HTMLElement {
  return element(id, HTMLElement);
}

/** A new element with an optional class and text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = "", text?: string | number | null): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** A new SVG element with attributes and optional text. */
export function svgEl<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string | number | null>> = {},
  text?: string,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}
