/**
 * Flat path geometry for the simulator: polylines whose corners are replaced by circular arcs of the
 * radius a given speed and turn rate produce, so the course changes at a finite rate. Pure, no time.
 * Coordinates are local East/North metres; courses are grid degrees clockwise from north.
 */

export interface P2 {
  e: number;
  n: number;
}

export interface PathSample extends P2 {
  /** Grid course, degrees clockwise from north (not normalised). */
  course: number;
}

interface Piece {
  length: number;
  at(s: number): PathSample;
}

const DEG = 180 / Math.PI;
const courseOf = (u: P2): number => Math.atan2(u.e, u.n) * DEG;

function line(a: P2, b: P2): Piece {
  const length = Math.hypot(b.e - a.e, b.n - a.n);
  const u = { e: (b.e - a.e) / length, n: (b.n - a.n) / length };
  const course = courseOf(u);
  return { length, at: (s) => ({ e: a.e + u.e * s, n: a.n + u.n * s, course }) };
}

/** Arc starting at point t1 heading along u1, turning by `turn` radians (positive = left, counter-clockwise). */
function arc(t1: P2, u1: P2, radius: number, turn: number): Piece {
  const side = Math.sign(turn);
  // Centre sits on the left normal (-n, e) for a left turn, on the right one for a right turn.
  const c = { e: t1.e - u1.n * radius * side, n: t1.n + u1.e * radius * side };
  const theta0 = Math.atan2(t1.n - c.n, t1.e - c.e);
  const heading0 = Math.atan2(u1.n, u1.e); // math angle of the tangent
  return {
    length: radius * Math.abs(turn),
    at: (s) => {
      const d = (s / radius) * side;
      const th = theta0 + d;
      const h = heading0 + d;
      return { e: c.e + radius * Math.cos(th), n: c.n + radius * Math.sin(th), course: 90 - h * DEG };
    },
  };
}

/** A chain of pieces walked by distance. */
export class Path {
  readonly length: number;
  /** Path distance of each input vertex (middle of its turn), for altitude interpolation. */
  readonly vertexDistance: number[];
  private readonly starts: number[];

  constructor(
    private readonly pieces: Piece[],
    vertexDistance: number[],
  ) {
    let s = 0;
    this.starts = pieces.map((p) => {
      const s0 = s;
      s += p.length;
      return s0;
    });
    this.length = s;
    this.vertexDistance = vertexDistance;
  }

  at(s: number): PathSample {
    const clamped = Math.min(Math.max(s, 0), this.length);
    // Few pieces (a handful per waypoint): a linear scan from the end is plenty fast.
    for (let i = this.pieces.length - 1; i >= 0; i--) {
      const s0 = this.starts[i]!;
      if (clamped >= s0 || i === 0) return this.pieces[i]!.at(clamped - s0);
    }
    throw new Error('unreachable: empty path');
  }
}

const sub = (a: P2, b: P2): P2 => ({ e: a.e - b.e, n: a.n - b.n });
const unit = (v: P2): P2 => {
  const l = Math.hypot(v.e, v.n);
  return { e: v.e / l, n: v.n / l };
};
const lerp = (a: P2, b: P2, t: number): P2 => ({ e: a.e + (b.e - a.e) * t, n: a.n + (b.n - a.n) * t });

interface Corner {
  t1: P2;
  t2: P2;
  u1: P2;
  radius: number;
  turn: number;
}

/**
 * Fillet for the corner at b between legs a->b and b->c. `maxTangent` keeps the turn inside both legs;
 * when it has to be cut, the radius shrinks (the turn gets faster) rather than overshooting the leg.
 */
function corner(a: P2, b: P2, c: P2, radius: number, maxTangent: number): Corner | undefined {
  const u1 = unit(sub(b, a));
  const u2 = unit(sub(c, b));
  const turn = Math.atan2(u1.e * u2.n - u1.n * u2.e, u1.e * u2.e + u1.n * u2.n);
  // Straight on, or a reversal where no tangent circle exists: fly through the vertex.
  if (Math.abs(turn) < 1e-9 || Math.abs(turn) > Math.PI - 1e-3) return undefined;
  const half = Math.tan(Math.abs(turn) / 2);
  const t = Math.min(radius * half, maxTangent);
  return { t1: { e: b.e - u1.e * t, n: b.n - u1.n * t }, t2: { e: b.e + u2.e * t, n: b.n + u2.n * t }, u1, radius: t / half, turn };
}

/** Drop consecutive duplicates (zero-length legs have no direction). */
export function dedupe<T extends P2>(points: T[], closed: boolean): T[] {
  const out: T[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (!last || Math.hypot(p.e - last.e, p.n - last.n) > 0.01) out.push(p);
  }
  if (closed && out.length > 1) {
    const first = out[0]!;
    const last = out[out.length - 1]!;
    if (Math.hypot(first.e - last.e, first.n - last.n) <= 0.01) out.pop();
  }
  return out;
}

/**
 * Open polyline p0..pk, turning at every interior vertex. Returns the path and the deduplicated points
 * (the same objects, so callers can carry altitudes on them) aligned with path.vertexDistance.
 */
export function openPath<T extends P2>(points: T[], radius: number): { path: Path; points: T[] } {
  const pts = dedupe(points, false);
  if (pts.length < 2) return { path: new Path([], pts.map(() => 0)), points: pts };
  const corners: (Corner | undefined)[] = pts.map((b, i) => {
    const a = pts[i - 1];
    const c = pts[i + 1];
    if (!a || !c) return undefined;
    const inLen = Math.hypot(b.e - a.e, b.n - a.n);
    const outLen = Math.hypot(c.e - b.e, c.n - b.n);
    // A leg shared with another turn gives each turn half; an end leg is all this turn's.
    const capIn = i - 1 === 0 ? inLen : inLen / 2;
    const capOut = i + 1 === pts.length - 1 ? outLen : outLen / 2;
    return corner(a, b, c, radius, Math.min(capIn, capOut));
  });
  return { path: assemble(pts, corners, pts[0]!, pts[pts.length - 1]!, false), points: pts };
}

/**
 * Closed loop p0..pk..p0 with turns at every vertex, starting (and ending) at the middle of leg p0->p1,
 * which no turn reaches.
 */
export function closedPath<T extends P2>(points: T[], radius: number): { path: Path; points: T[]; start: P2 } {
  const pts = dedupe(points, true);
  if (pts.length < 2) throw new Error('closedPath: a loop needs at least 2 distinct points');
  const k = pts.length;
  const corners = pts.map((b, i) => {
    const a = pts[(i - 1 + k) % k]!;
    const c = pts[(i + 1) % k]!;
    const cap = Math.min(Math.hypot(b.e - a.e, b.n - a.n), Math.hypot(c.e - b.e, c.n - b.n)) / 2;
    return corner(a, b, c, radius, cap);
  });
  const mid = lerp(pts[0]!, pts[1]!, 0.5);
  // Walk p1, p2, ..., p(k-1), p0 and back to the middle of the first leg.
  const order = [...pts.slice(1), pts[0]!];
  const orderCorners = [...corners.slice(1), corners[0]];
  return { path: assemble(order, orderCorners, mid, mid, true), points: order, start: mid };
}

/** Build pieces: start -> (turn at each vertex) -> end. */
function assemble(vertices: P2[], corners: (Corner | undefined)[], start: P2, end: P2, closed: boolean): Path {
  const pieces: Piece[] = [];
  const vertexDistance: number[] = [];
  let cursor = start;
  let s = 0;
  const push = (p: Piece): void => {
    if (p.length > 1e-9) {
      pieces.push(p);
      s += p.length;
    }
  };
  vertices.forEach((v, i) => {
    const isEndpoint = !closed && (i === 0 || i === vertices.length - 1);
    if (isEndpoint && i === 0) {
      vertexDistance.push(0);
      return;
    }
    const c = corners[i];
    if (c && !isEndpoint) {
      push(line(cursor, c.t1));
      const a = arc(c.t1, c.u1, c.radius, c.turn);
      vertexDistance.push(s + a.length / 2);
      push(a);
      cursor = c.t2;
    } else {
      push(line(cursor, v));
      vertexDistance.push(s);
      cursor = v;
    }
  });
  push(line(cursor, end));
  return new Path(pieces, vertexDistance);
}
