/**
 * The loaded model's known defects (its manifest's knownDefects, sent in the engine's
 * info) wherever an artist chooses a target age or sends frames to render: in full
 * under the inspector's age slider, as a mark on the timeline's age block and in the
 * export dialog's shot list. Nothing is blocked: the artist decides, knowing.
 */
import type { ReactElement } from 'react';
import type { AgeCategory } from '../../shared/ages.js';
import { defectsAt, warningsAt, type KnownDefect } from '../../shared/known-defects.js';
import { useStudio } from '../state/store.js';
import { Icon } from './icons.js';

const NO_DEFECTS: readonly KnownDefect[] = [];

/** The defects of the model the engine has loaded; none while it is starting. */
export function useKnownDefects(): readonly KnownDefect[] {
  return useStudio((s) => s.engine.info?.model.knownDefects ?? NO_DEFECTS);
}

/** Each defect at `target`, summary and advice, for the inspector. */
export function TargetAgeDefects({ target }: { target: AgeCategory }): ReactElement | null {
  const hits = defectsAt(useKnownDefects(), target);
  if (hits.length === 0) return null;
  return (
    <div className="known-defects" aria-label={`Known model defects at ${target}`}>
      {hits.map((d, i) => (
        <div key={i} className={`known-defect ${d.level}`} data-testid="known-defect" data-level={d.level}>
          <Icon name="warning" size={12} />
          <div>
            <strong>{d.level === 'warning' ? `Known defect at ${target}.` : `Check frames at ${target}.`}</strong>{' '}
            {d.summary} <span className="known-defect-advice">{d.advice}</span>
          </div>
        </div>
      ))}
    </div>
  );
}

/** A warning mark for compact places (timeline, export list) when a warning-level defect applies. */
export function DefectMark({ target }: { target: AgeCategory }): ReactElement | null {
  const warnings = warningsAt(useKnownDefects(), target);
  if (warnings.length === 0) return null;
  const title = warnings.map((d) => `${d.summary} ${d.advice}`).join('\n');
  return (
    <span className="defect-mark" role="img" aria-label={`Known model defect at ${target}`} title={title}>
      <Icon name="warning" size={11} />
    </span>
  );
}

/** Under the export dialog's shot list: which chosen shots render at a warned target. */
export function ExportDefectsNote({ shots }: { shots: { name: string; target: AgeCategory }[] }): ReactElement | null {
  const defects = useKnownDefects();
  const warned = shots.filter((s) => warningsAt(defects, s.target).length > 0);
  if (warned.length === 0) return null;
  const names = warned.map((s) => `${s.name} (${s.target})`).join(', ');
  // two cells of the dialog's form grid: an empty label, then the note
  return (
    <>
      <div className="form-label" />
      <div className="known-defect warning" data-testid="export-defects" role="note">
        <Icon name="warning" size={12} />
        <div>
          {warned.length === 1 ? '1 shot renders' : `${warned.length} shots render`} at a target age where the model has
          a known defect: {names}. Check the frames and plan paint-out before delivery.
        </div>
      </div>
    </>
  );
}
