/** Batch export: which shots, where, how the files are named, format and bit depth. */
import { useMemo, useState, type ReactElement } from 'react';
import { EXPORT_FORMATS, outputPattern, type ExportBitDepth, type ExportFormat } from '../../shared/project.js';
import { formatFrame, parseFrameRange } from '../../shared/sequence.js';
import { useStudio } from '../state/store.js';
import type { Dialog } from '../state/ui-slice.js';
import { DefectMark, ExportDefectsNote } from './KnownDefects.js';
import { Modal } from './Modal.js';
import { toggled } from '../lib/toggled.js';

const FORMAT_LABELS: Record<ExportFormat, string> = {
  source: 'Same as plate',
  exr: 'OpenEXR (half, ZIP)',
  png: 'PNG',
  tiff: 'TIFF (LZW)',
  jpeg: 'JPEG (8-bit)',
};

export function ExportDialog({ dialog }: { dialog: Extract<Dialog, { kind: 'export' }> }): ReactElement {
  const clips = useStudio((s) => s.project.timeline.clips);
  const settings = useStudio((s) => s.project.exportSettings);
  const setExportSettings = useStudio((s) => s.setExportSettings);
  const startExport = useStudio((s) => s.startExport);
  const closeDialog = useStudio((s) => s.closeDialog);
  const askPath = useStudio((s) => s.askPath);
  const notify = useStudio((s) => s.notify);
  const [chosen, setChosen] = useState(() => new Set(dialog.clipIds));
  const [skipExisting, setSkipExisting] = useState(false);
  const [frames, setFrames] = useState('');
  const [starting, setStarting] = useState(false);

  const rangeError = useMemo(() => {
    if (!frames.trim()) return null;
    try {
      parseFrameRange(frames);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }, [frames]);

  const example = useMemo(() => {
    const clip = clips.find((c) => chosen.has(c.id));
    if (!clip) return { text: 'Choose a shot', error: false };
    try {
      return {
        text: formatFrame(outputPattern(clip, { ...settings, folder: settings.folder || '…' }), clip.sourceRange.start),
        error: false,
      };
    } catch (err) {
      return { text: (err as Error).message, error: true };
    }
  }, [clips, chosen, settings]);

  const start = async () => {
    setStarting(true);
    const jobId = await startExport([...chosen], { frames, skipExisting });
    setStarting(false);
    if (jobId) {
      closeDialog();
      notify('info', `Export queued (${chosen.size} shot${chosen.size === 1 ? '' : 's'})`);
    }
  };

  return (
    <Modal
      title="Export re-aged frames"
      wide
      onClose={closeDialog}
      footer={
        <>
          <span className="toolbar-spacer" />
          <button type="button" onClick={closeDialog}>
            Cancel
          </button>
          <button
            type="button"
            className="primary"
            disabled={starting || chosen.size === 0 || example.error || !settings.folder || rangeError !== null}
            onClick={() => void start()}
          >
            Start export
          </button>
        </>
      }
    >
      <div className="form-grid">
        <div className="form-label">Shots</div>
        <ul className="shot-checklist" aria-label="Shots to export">
          {clips.map((clip) => (
            <li key={clip.id}>
              <label>
                <input
                  type="checkbox"
                  checked={chosen.has(clip.id)}
                  onChange={(e) => setChosen(toggled(chosen, clip.id, e.target.checked))}
                />
                <span>{clip.name}</span>
                <span className="mono dim">
                  {clip.sourceRange.start}–{clip.sourceRange.end} → {clip.settings.targetAge}
                </span>
                <DefectMark target={clip.settings.targetAge} />
              </label>
            </li>
          ))}
        </ul>
        <ExportDefectsNote
          shots={clips.filter((c) => chosen.has(c.id)).map((c) => ({ name: c.name, target: c.settings.targetAge }))}
        />

        <label className="form-label" htmlFor="export-frames">
          Frames
        </label>
        <div>
          <input
            id="export-frames"
            type="text"
            className="mono"
            placeholder="all frames (or e.g. 1001-1010, 1015)"
            value={frames}
            spellCheck={false}
            onChange={(e) => setFrames(e.target.value)}
          />
          {rangeError && <div className="field-hint error">{rangeError}</div>}
        </div>

        <label className="form-label" htmlFor="export-folder">
          Output folder
        </label>
        <div className="path-row">
          <input
            id="export-folder"
            type="text"
            className="path-input mono"
            placeholder="/path/to/renders"
            value={settings.folder}
            spellCheck={false}
            onChange={(e) => setExportSettings({ folder: e.target.value }, 'folder')}
          />
          <button
            type="button"
            onClick={async () => {
              const folder = await askPath('exportFolder', 'Output folder', settings.folder || undefined);
              if (folder) setExportSettings({ folder });
            }}
          >
            Browse…
          </button>
        </div>

        <label className="form-label" htmlFor="export-naming">
          Naming
        </label>
        <div>
          <input
            id="export-naming"
            type="text"
            className="mono"
            value={settings.namingPattern}
            spellCheck={false}
            onChange={(e) => setExportSettings({ namingPattern: e.target.value }, 'namingPattern')}
          />
          <div className="field-hint">
            Tokens: <code>{'{shot}'}</code> <code>{'{age}'}</code> <code>{'{frame}'}</code> (plate padding) or{' '}
            <code>####</code>
          </div>
          <div className={`example mono${example.error ? ' error' : ''}`} data-testid="export-example">
            {example.text}
          </div>
        </div>

        <label className="form-label" htmlFor="export-format">
          Format
        </label>
        <div className="row">
          <select
            id="export-format"
            value={settings.format}
            onChange={(e) => {
              const format = e.target.value as ExportFormat;
              setExportSettings({ format, ...(format === 'jpeg' ? { bitDepth: 8 as const } : {}) });
            }}
          >
            {EXPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {FORMAT_LABELS[f]}
              </option>
            ))}
          </select>
          <label className="form-label inline" htmlFor="export-depth">
            Bit depth
          </label>
          <select
            id="export-depth"
            value={String(settings.bitDepth)}
            onChange={(e) => {
              const v = e.target.value;
              setExportSettings({ bitDepth: (v === 'source' ? 'source' : Number(v)) as ExportBitDepth });
            }}
          >
            <option value="source">Same as plate</option>
            <option value="8">8-bit</option>
            <option value="16" disabled={settings.format === 'jpeg'}>
              16-bit
            </option>
          </select>
        </div>

        <div className="form-label">Passes</div>
        <div className="row" data-testid="export-passes">
          <label
            className="toggle"
            title="The feathered face mask, one channel, as float EXR in a matte folder beside the frames"
          >
            <input
              type="checkbox"
              checked={settings.matte}
              onChange={(e) => setExportSettings({ matte: e.target.checked })}
            />
            Face matte
          </label>
          <label
            className="toggle"
            title="The change itself (aged − plate, in the plate's colour space), float EXR in a delta folder beside the frames"
          >
            <input
              type="checkbox"
              checked={settings.delta}
              onChange={(e) => setExportSettings({ delta: e.target.checked })}
            />
            Change (aged − plate)
          </label>
        </div>

        <div className="form-label" />
        <label className="toggle">
          <input type="checkbox" checked={skipExisting} onChange={(e) => setSkipExisting(e.target.checked)} />
          Skip frames already rendered there (resume an earlier export)
        </label>
      </div>
    </Modal>
  );
}
