import { describe, expect, it } from 'vitest';
import {
  countPerCategory,
  parseUtkAge,
  shuffled,
  stratifiedOrder,
  utkCategoryIndex,
} from '../../src/main/eval/select.js';
import { seededRandom } from '../../src/shared/random.js';

/** A fake split: `n` UTKFace-style names per age. */
function names(ages: number[], perAge: number): string[] {
  return ages.flatMap((a) =>
    Array.from({ length: perAge }, (_, i) => `${a}_0_0_2017011${String(i).padStart(10, '0')}.jpg.chip.jpg`),
  );
}

describe('seededRandom / shuffled', () => {
  it('is deterministic per seed, in [0,1), and differs across seeds', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.05);
    expect(seededRandom(43)()).not.toBe(seededRandom(42)());
  });

  it('shuffles a copy into a permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const s = shuffled(items, seededRandom(1));
    expect(s).not.toEqual(items);
    expect([...s].sort((x, y) => x - y)).toEqual(items);
    expect(items[0]).toBe(0); // input untouched
  });
});

describe('UTKFace names', () => {
  it('reads the age from the first field, also when the race field is missing', () => {
    expect(parseUtkAge('100_0_0_20170112213500903.jpg.chip.jpg')).toBe(100);
    expect(parseUtkAge('61_1_20170109150557335.jpg.chip.jpg')).toBe(61);
    expect(parseUtkAge('1_0_2_x.jpg.chip.jpg')).toBe(1);
    expect(() => parseUtkAge('x_0_0.jpg')).toThrow(/does not start with an age/);
  });

  it('bins ages into the six categories as training does', () => {
    const cat = (age: number) => utkCategoryIndex(`${age}_0_0_1.jpg.chip.jpg`);
    expect([1, 18, 19, 29, 30, 39, 40, 49, 50, 59, 60, 116].map(cat)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });
});

describe('stratifiedOrder', () => {
  const split = names([5, 25, 35, 45, 55, 70], 10).concat(names([22], 30)); // 19-29 is the biggest

  it('is a permutation, deterministic, independent of input order, and seed-dependent', () => {
    const a = stratifiedOrder(split, 0);
    expect([...a].sort()).toEqual([...split].sort());
    expect(stratifiedOrder([...split].reverse(), 0)).toEqual(a);
    expect(stratifiedOrder(split, 0)).toEqual(a);
    expect(stratifiedOrder(split, 1)).not.toEqual(a);
  });

  it('balances every prefix over the categories while they last', () => {
    const order = stratifiedOrder(split, 3);
    for (const k of [6, 12, 30, 60]) expect(countPerCategory(order.slice(0, k))).toEqual(Array(6).fill(k / 6));
    // categories run out: the rest is the big one
    expect(countPerCategory(order.slice(0, 70))).toEqual([10, 20, 10, 10, 10, 10]);
    // a longer limit extends a shorter one
    expect(stratifiedOrder(split, 3).slice(0, 8)).toEqual(order.slice(0, 8));
  });

  it('drops duplicate names', () => {
    expect(stratifiedOrder([...split, ...split.slice(0, 5)], 0)).toHaveLength(split.length);
  });
});
