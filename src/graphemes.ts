// The one grapheme segmenter: what a person sees as one character, and what Bluesky counts.
// Made on first use: creating it loads ICU's break rules, which a run that writes no teaser never needs.
let made: Intl.Segmenter | undefined;
function segmenter(): Intl.Segmenter {
  made ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return made;
}

export function graphemes(text: string): string[] {
  return Array.from(segmenter().segment(text), (s) => s.segment);
}

/** The first `count` grapheme clusters, without segmenting the rest of a long text. */
export function leadingGraphemes(text: string, count: number): string[] {
  const out: string[] = [];
  if (count <= 0) return out;
  for (const { segment } of segmenter().segment(text)) {
    out.push(segment);
    if (out.length >= count) break;
  }
  return out;
}

/** How many grapheme clusters; counting stops once past `max` (segmenting grows worse than linearly with length). */
export function countGraphemes(text: string, max = Number.POSITIVE_INFINITY): number {
  let count = 0;
  for (const _ of segmenter().segment(text)) if (++count > max) break;
  return count;
}

/** String offsets where a grapheme cluster starts, the first one excepted. */
export function graphemeBoundaries(text: string): number[] {
  const points: number[] = [];
  for (const { index } of segmenter().segment(text)) if (index > 0) points.push(index);
  return points;
}
