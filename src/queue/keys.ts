/**
 * The one order of the engine's queues: three numeric keys compared in turn (primary, secondary,
 * tertiary); Infinity equals Infinity. The heap's sifts compare inline, reading a later key only
 * on a tie; this serves the comparisons of values already at hand (a ring's tail, lane heads).
 */

/** Whether keys (a1, a2, a3) order strictly before keys (b1, b2, b3). */
export function keysBefore(a1: number, a2: number, a3: number, b1: number, b2: number, b3: number): boolean {
  if (a1 !== b1) return a1 < b1;
  if (a2 !== b2) return a2 < b2;
  return a3 < b3;
}
