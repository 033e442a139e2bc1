// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { LossPlot, lossPoints } from '../../src/renderer/components/LossPlot.js';

afterEach(cleanup);

describe('LossPlot', () => {
  it('spans the plot: the first loss at the left, the largest at the top, the smallest at the bottom', () => {
    const pts = lossPoints([4, 2, 1], 10, 12)
      .split(' ')
      .map((p) => p.split(',').map(Number));
    expect(pts).toEqual(
      [
        [0, 1],
        [5, 1 + (2 / 3) * 10],
        [10, 11],
      ].map(([x, y]) => [x, Math.round(y! * 10) / 10]),
    );
    expect(lossPoints([3], 10, 12)).toBe('');
  });

  it('says the losses in words and draws nothing without two of them', () => {
    render(<LossPlot losses={[0.5, 0.25, 0.125]} />);
    expect(screen.getByRole('img').getAttribute('aria-label')).toBe('Reconstruction loss over 2 steps: 0.500 → 0.125');
    cleanup();
    render(<LossPlot losses={[0.5]} />);
    expect(screen.queryByTestId('loss-plot')).toBeNull();
  });
});
