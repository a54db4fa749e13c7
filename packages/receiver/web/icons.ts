/**
 * The map's icons, as DOM/SVG elements (built with createElementNS, so no markup is parsed and no image
 * fetched): a drone arrow rotated to its heading (an SVG transform attribute, not a style), the operator,
 * the home point and the receiver.
 */

import { h, s } from './dom.js';

export interface DroneIcon {
  root: HTMLElement;
  rot: SVGGElement;
  body: SVGPathElement;
  dot: SVGCircleElement;
  label: HTMLElement;
}

/** An arrow pointing up (north) before rotation; a dot when the heading is unknown. */
export function droneIcon(): DroneIcon {
  const body = s('path', { d: 'M0,-14 L9,11 L0,5 L-9,11 Z', class: 'drone-body', 'stroke-width': 2, 'stroke-linejoin': 'round' });
  const dot = s('circle', { r: 7, class: 'drone-body drone-dot', 'stroke-width': 2 });
  const rot = s('g', { class: 'drone-rot' }, body);
  const svg = s('svg', { viewBox: '-16 -16 32 32', width: 32, height: 32, class: 'drone-svg', 'aria-hidden': 'true' }, rot, dot);
  const label = h('span', { class: 'marker-label' });
  const root = h('div', { class: 'drone-icon' }, svg, label);
  return { root, rot, body, dot, label };
}

export function setDroneIcon(icon: DroneIcon, color: string, heading: number | undefined): void {
  icon.body.setAttribute('fill', color);
  icon.dot.setAttribute('fill', color);
  if (heading === undefined) {
    icon.rot.setAttribute('visibility', 'hidden');
    icon.dot.setAttribute('visibility', 'visible');
  } else {
    icon.rot.setAttribute('visibility', 'visible');
    icon.dot.setAttribute('visibility', 'hidden');
    icon.rot.setAttribute('transform', `rotate(${Math.round(heading * 10) / 10})`);
  }
}

/** The operator: a person's head and shoulders in a circle, in the drone's colour. */
export function operatorIcon(color: string): { root: HTMLElement; fillEls: SVGElement[] } {
  const ring = s('circle', { r: 9, fill: '#fff', stroke: color, 'stroke-width': 2.5 });
  const head = s('circle', { cy: -3, r: 3, fill: color });
  const body = s('path', { d: 'M-5.5,6 Q0,-1 5.5,6 Z', fill: color });
  const svg = s('svg', { viewBox: '-12 -12 24 24', width: 24, height: 24, 'aria-hidden': 'true' }, ring, head, body);
  return { root: h('div', { class: 'operator-icon' }, svg), fillEls: [head, body] };
}

export function setOperatorColor(icon: { root: HTMLElement; fillEls: SVGElement[] }, color: string): void {
  const ring = icon.root.querySelector('circle');
  ring?.setAttribute('stroke', color);
  for (const e of icon.fillEls) e.setAttribute('fill', color);
}

export function homeIcon(): HTMLElement {
  const house = s('path', { d: 'M-8,0 L0,-8 L8,0 L5,0 L5,8 L-5,8 L-5,0 Z', fill: '#fff', stroke: '#333', 'stroke-width': 2, 'stroke-linejoin': 'round' });
  const letter = s('text', { x: 0, y: 6, 'text-anchor': 'middle', 'font-size': 8, 'font-weight': 700, fill: '#333' }, 'H');
  return h('div', { class: 'home-icon' }, s('svg', { viewBox: '-10 -10 20 20', width: 20, height: 20, 'aria-hidden': 'true' }, house, letter));
}

export function receiverIcon(): HTMLElement {
  const halo = s('circle', { r: 11, class: 'receiver-halo' });
  const dot = s('circle', { r: 6, class: 'receiver-dot', 'stroke-width': 3 });
  return h('div', { class: 'receiver-icon', title: 'this receiver' }, s('svg', { viewBox: '-12 -12 24 24', width: 24, height: 24, 'aria-hidden': 'true' }, halo, dot));
}

export function ringLabel(text: string): HTMLElement {
  return h('div', { class: 'ring-label' }, text);
}
