/**
 * A high-contrast theme for use in sunlight (black on white, heavier lines, larger text), toggled from the
 * toolbar and remembered on this device. Default: the system's dark or light preference.
 */

import { h, stored } from './dom.js';

const KEY = 'odid.theme';

export function setupTheme(): HTMLButtonElement {
  const root = document.documentElement;
  const apply = (on: boolean): void => {
    root.classList.toggle('contrast', on);
    button.setAttribute('aria-pressed', String(on));
    button.textContent = on ? 'Sunlight: on' : 'Sunlight: off';
  };
  const button = h('button', { type: 'button', class: 'tool-button', id: 'theme-toggle', title: 'High-contrast theme for sunlight' });
  button.addEventListener('click', () => {
    const on = !root.classList.contains('contrast');
    stored.set(KEY, on ? 'contrast' : 'normal');
    apply(on);
  });
  apply(stored.get(KEY) === 'contrast');
  return button;
}
