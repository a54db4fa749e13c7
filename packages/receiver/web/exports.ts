/**
 * The exports the receiver offers (hello.exports): links to its /export/ URLs. The receiver writes them
 * from what it holds now; the browser saves them where the officer chooses.
 */

import { exportUrl } from './api.js';
import { h } from './dom.js';

export function exportLinks(list: HTMLElement, exports: readonly string[]): void {
  list.replaceChildren();
  for (const name of exports) {
    const file = name.split('/').pop() || name;
    list.appendChild(h('li', null, h('a', { href: exportUrl(name), download: file, class: 'export-link', 'data-export': name }, file)));
  }
  if (exports.length === 0) list.appendChild(h('li', { class: 'muted' }, 'no exports offered'));
}
