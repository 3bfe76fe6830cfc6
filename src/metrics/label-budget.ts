/**
 * Bounded label cardinality (reliability plan I11). Label values come only from registered names
 * (task, worker and queue names, validated where they are registered), and at most `max` distinct
 * values per label are exported; the rest are summed into one `_other` series. Admission is
 * sticky while a name is present, so series do not hop between scrapes; a name that disappears
 * frees its slot for the next newcomer. A value that is not a well-formed name never becomes a
 * label of its own.
 */

export const OVERFLOW_LABEL = '_other';

const WELL_FORMED = /^[A-Za-z0-9][\w.:-]{0,199}$/;

export class LabelBudget {
  readonly max: number;
  readonly #admitted = new Set<string>();
  #overflowed = 0;

  constructor(max: number) {
    this.max = max;
  }

  /** Names folded into `_other` at the last refresh. */
  get overflowed(): number {
    return this.#overflowed;
  }

  /** Take in the names present now: forget the departed, admit newcomers while slots are free. */
  refresh(present: ReadonlySet<string>): void {
    for (const name of this.#admitted) if (!present.has(name)) this.#admitted.delete(name);
    let overflowed = 0;
    for (const name of present) {
      if (this.#admitted.has(name)) continue;
      if (this.#admitted.size < this.max && WELL_FORMED.test(name)) this.#admitted.add(name);
      else overflowed++;
    }
    this.#overflowed = overflowed;
  }

  /** The label value for a name: itself if admitted, else `_other`. */
  label(name: string): string {
    return this.#admitted.has(name) ? name : OVERFLOW_LABEL;
  }
}
