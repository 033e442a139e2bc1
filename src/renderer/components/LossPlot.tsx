/**
 * The current preview's optimisation loss as a small plot (issue #22): whether the
 * reconstruction settled or was still falling when its step budget ran out.
 */
import type { ReactElement } from 'react';

const WIDTH = 72;
const HEIGHT = 18;

/** Plot points for `losses`, x across the width, y scaled between the smallest and largest loss. */
export function lossPoints(losses: readonly number[], width = WIDTH, height = HEIGHT): string {
  const finite = losses.filter(Number.isFinite);
  if (finite.length < 2) return '';
  const lo = Math.min(...finite);
  const span = Math.max(...finite) - lo || 1;
  return losses
    .map((v, i) => {
      const x = (i / (losses.length - 1)) * width;
      const y = height - 1 - ((Number.isFinite(v) ? v - lo : span) / span) * (height - 2);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

export function LossPlot({ losses }: { losses: readonly number[] | undefined }): ReactElement | null {
  if (!losses || losses.length < 2) return null;
  const first = losses[0]!;
  const last = losses[losses.length - 1]!;
  const title = `Reconstruction loss over ${losses.length - 1} steps: ${first.toPrecision(3)} → ${last.toPrecision(3)}`;
  return (
    <svg
      className="loss-plot"
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={title}
      data-testid="loss-plot"
    >
      <title>{title}</title>
      <polyline points={lossPoints(losses)} />
    </svg>
  );
}
