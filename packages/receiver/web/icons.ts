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

/**
 * The operator, drawn on a canvas centred on (x, y): a person's head and shoulders in a white disc ringed
 * in the drone's colour. On a canvas, not in the DOM: with a thousand drones, a thousand more elements
 * cost the browser more on every frame than the drones themselves.
 */
export function paintOperator(ctx: CanvasRenderingContext2D, x: number, y: number, color: string, alpha: number): void {
  ctx.globalAlpha = alpha;
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.arc(x, y, 9, 0, Math.PI * 2);
  ctx.fillStyle = '#fff';
  ctx.fill();
  ctx.lineWidth = 2.5;
  ctx.strokeStyle = color;
  ctx.stroke();
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.arc(x, y - 3, 3, 0, Math.PI * 2);
  ctx.fill();
  ctx.beginPath();
  ctx.moveTo(x - 5.5, y + 6);
  ctx.quadraticCurveTo(x, y - 1, x + 5.5, y + 6);
  ctx.closePath();
  ctx.fill();
}

/** The home point, drawn on a canvas centred on (x, y): a white house marked H. */
export function paintHome(ctx: CanvasRenderingContext2D, x: number, y: number, alpha: number): void {
  ctx.globalAlpha = alpha;
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.moveTo(x - 8, y);
  ctx.lineTo(x, y - 8);
  ctx.lineTo(x + 8, y);
  ctx.lineTo(x + 5, y);
  ctx.lineTo(x + 5, y + 8);
  ctx.lineTo(x - 5, y + 8);
  ctx.lineTo(x - 5, y);
  ctx.closePath();
  ctx.fillStyle = '#fff';
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.lineJoin = 'round';
  ctx.strokeStyle = '#333';
  ctx.stroke();
  ctx.fillStyle = '#333';
  ctx.font = '700 8px sans-serif';
  ctx.textAlign = 'center';
  ctx.fillText('H', x, y + 6);
}

export function receiverIcon(): HTMLElement {
  const halo = s('circle', { r: 11, class: 'receiver-halo' });
  const dot = s('circle', { r: 6, class: 'receiver-dot', 'stroke-width': 3 });
  return h('div', { class: 'receiver-icon', title: 'this receiver' }, s('svg', { viewBox: '-12 -12 24 24', width: 24, height: 24, 'aria-hidden': 'true' }, halo, dot));
}

export function ringLabel(text: string): HTMLElement {
  return h('div', { class: 'ring-label' }, text);
}
