/** Inline SVG icons (no icon font: the CSP allows only our own files). */
import type { ReactElement } from 'react';

const paths = {
  play: 'M7 5l12 7-12 7z',
  pause: 'M7 5h4v14H7zM13 5h4v14h-4z',
  stepBack: 'M6 5h2v14H6zM20 5v14L9 12z',
  stepForward: 'M16 5h2v14h-2zM4 5l11 7-11 7z',
  toStart: 'M5 5h2v14H5zM19 5v14l-9-7zM12 5v14',
  toEnd: 'M17 5h2v14h-2zM5 5l9 7-9 7z',
  undo: 'M9 7L4 12l5 5M4 12h10a6 6 0 010 12',
  redo: 'M15 7l5 5-5 5M20 12H10a6 6 0 000 12',
  folder: 'M3 6h6l2 2h10v11H3z',
  save: 'M5 4h11l3 3v13H5zM8 4v5h7V4M8 20v-6h8v6',
  file: 'M6 3h8l4 4v14H6zM14 3v4h4',
  /** a frame sequence: a strip of film */
  sequence: 'M3 6h18v12H3zM3 9.5h18M3 14.5h18M7.5 6v3.5M12 6v3.5M16.5 6v3.5M7.5 14.5V18M12 14.5V18M16.5 14.5V18',
  /** a project file: a page with the timeline's bars */
  project: 'M6 3h8l4 4v14H6zM14 3v4h4M9 12h6M9 15h4M9 18h5',
  importFrames: 'M12 3v12M7 10l5 5 5-5M4 17v4h16v-4',
  exportFrames: 'M12 15V3M7 8l5-5 5 5M4 17v4h16v-4',
  render: 'M12 3l2.5 6.5L21 12l-6.5 2.5L12 21l-2.5-6.5L3 12l6.5-2.5z',
  close: 'M6 6l12 12M18 6L6 18',
  fit: 'M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5',
  face: 'M5 5h14v14H5z',
  mask: 'M12 4c4 0 7 3 7 8s-3 8-7 8-7-3-7-8 3-8 7-8z',
  warning: 'M12 3l10 18H2zM12 10v5M12 17v1',
  check: 'M5 12l5 5 9-10',
  refresh: 'M20 11a8 8 0 10-2 6M20 4v7h-7',
} as const;

export type IconName = keyof typeof paths;

const FILLED: ReadonlySet<IconName> = new Set(['play', 'pause', 'stepBack', 'stepForward', 'toEnd', 'render']);

export function Icon({ name, size = 16 }: { name: IconName; size?: number }): ReactElement {
  const filled = FILLED.has(name);
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      aria-hidden="true"
      fill={filled ? 'currentColor' : 'none'}
      stroke={filled ? 'none' : 'currentColor'}
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d={paths[name]} />
    </svg>
  );
}
