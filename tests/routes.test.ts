import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pageLinks } from '../src/routes.js';

/** The rule as the pagination partial used to apply it, looping over every page number. */
function everyNumberRule(current: number, total: number): (number | 'gap')[] {
  const links: (number | 'gap')[] = [];
  for (let number = 1; number <= total; number++) {
    if (number === 1 || number === total || Math.abs(number - current) <= 2) links.push(number);
    else if (number === current - 3 || number === current + 3) links.push('gap');
  }
  return links;
}

describe('pageLinks', () => {
  it('shows the first, the last and two either side of the current page, with gaps between', () => {
    expect(pageLinks(1, 1)).toEqual([1]);
    expect(pageLinks(1, 3)).toEqual([1, 2, 3]);
    expect(pageLinks(1, 100)).toEqual([1, 2, 3, 'gap', 100]);
    expect(pageLinks(5, 100)).toEqual([1, 'gap', 3, 4, 5, 6, 7, 'gap', 100]);
    expect(pageLinks(4, 7)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(pageLinks(100, 100)).toEqual([1, 'gap', 98, 99, 100]);
  });

  it('is the every-number rule, in at most 9 links however long the list', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }).chain((total) => fc.tuple(fc.integer({ min: 1, max: total }), fc.constant(total))), ([current, total]) => {
        const links = pageLinks(current, total);
        expect(links).toEqual(everyNumberRule(current, total));
        expect(links.length).toBeLessThanOrEqual(9);
      }),
    );
  });
});
