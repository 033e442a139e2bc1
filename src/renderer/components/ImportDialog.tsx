/**
 * Import frames: a folder path (typed, picked with Browse…, or from a drop) is
 * scanned and the numbered sequences in it are listed with their ranges and gaps;
 * each chosen sequence becomes a shot. Browse… opens the native dialog in Electron
 * and the in-app file browser in the browser host.
 */
import { useEffect, useMemo, useState, type ReactElement } from 'react';
import { joinPath } from '../../shared/project.js';
import { describeFrames, describeGaps, type NumberedSequence, type Sequence } from '../../shared/sequence.js';
import { imageSequences } from '../state/command-slice.js';
import { useStudio } from '../state/store.js';
import type { Dialog } from '../state/ui-slice.js';
import { useFrameImage } from './hooks.js';
import { Modal } from './Modal.js';
import { toggled } from '../lib/toggled.js';

type ImportDialogState = Extract<Dialog, { kind: 'import' }>;

function isNumbered(s: Sequence): s is NumberedSequence {
  return s.kind === 'sequence';
}

function SequenceThumb({ folder, seq }: { folder: string; seq: NumberedSequence }): ReactElement {
  const { image } = useFrameImage(joinPath(folder, seq.files[0]!));
  return <div className="seq-thumb">{image?.displayable && <img src={image.url} alt="" />}</div>;
}

export function ImportDialog({ dialog }: { dialog: ImportDialogState }): ReactElement {
  const closeDialog = useStudio((s) => s.closeDialog);
  const scanFolder = useStudio((s) => s.scanFolder);
  const askPath = useStudio((s) => s.askPath);
  const importSequences = useStudio((s) => s.importSequences);
  const [path, setPath] = useState(dialog.path);
  useEffect(() => setPath(dialog.path), [dialog.path]);

  const sequences = useMemo(() => (dialog.scan?.sequences ?? []).filter(isNumbered), [dialog.scan]);
  // after a browser drop, pre-select the sequences the dropped files belong to; after a
  // sequence was picked in the file browser, that one
  const dropped = useMemo(
    () => new Set([...imageSequences(dialog.droppedNames ?? []).map((s) => s.pattern), ...(dialog.preferred ?? [])]),
    [dialog.droppedNames, dialog.preferred],
  );
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  useEffect(() => {
    const preferred = sequences.filter((s) => dropped.has(s.pattern));
    setChosen(new Set((preferred.length ? preferred : sequences).map((s) => s.pattern)));
  }, [sequences, dropped]);

  const browse = async () => {
    const picked = await askPath('importFolder', 'Folder holding the frames', path || undefined);
    if (picked) void scanFolder(picked);
  };
  const selected = sequences.filter((s) => chosen.has(s.pattern));
  const droppedCount = dialog.droppedNames?.length ?? 0;
  const droppedFolders = dialog.droppedFolders ?? [];

  return (
    <Modal
      title="Import frames"
      wide
      onClose={closeDialog}
      footer={
        <>
          <span className="dim">
            {selected.length ? `${selected.reduce((n, s) => n + s.frames.length, 0)} frames` : ''}
          </span>
          <span className="toolbar-spacer" />
          <button type="button" onClick={closeDialog}>
            Cancel
          </button>
          <button
            type="button"
            className="primary"
            disabled={selected.length === 0 || !dialog.scan}
            onClick={() => dialog.scan && importSequences(dialog.scan.folder, selected)}
          >
            Import {selected.length === 1 ? '1 shot' : `${selected.length} shots`}
          </button>
        </>
      }
    >
      {(droppedCount > 0 || droppedFolders.length > 0) && !dialog.scan && (
        <div className="callout" data-testid="drop-note">
          You dropped{' '}
          {droppedFolders.length > 0
            ? droppedFolders.map((f) => `“${f}”`).join(', ')
            : `${droppedCount} file${droppedCount === 1 ? '' : 's'}`}
          {dropped.size ? ` (${[...dropped].join(', ')})` : ''}. A web page is never told where dropped files and
          folders are on disk: find the folder with Browse…, or type its path.
        </div>
      )}
      <form
        className="path-row"
        onSubmit={(e) => {
          e.preventDefault();
          void scanFolder(path);
        }}
      >
        <input
          type="text"
          className="path-input mono"
          aria-label="Folder path"
          placeholder="/path/to/plates/shot_010"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          spellCheck={false}
        />
        <button type="button" onClick={() => void browse()}>
          Browse…
        </button>
        <button type="submit" disabled={!path.trim() || dialog.scanning}>
          {dialog.scanning ? 'Scanning…' : 'Scan'}
        </button>
      </form>
      {dialog.error && <div className="callout error">{dialog.error}</div>}
      {dialog.scan && dialog.scan.folders.length > 0 && (
        <div className="subfolders">
          {dialog.scan.folders.map((f) => (
            <button
              key={f.name}
              type="button"
              className="chip-button"
              onClick={() => void scanFolder(joinPath(dialog.scan!.folder, f.name))}
            >
              {f.name}/
            </button>
          ))}
        </div>
      )}
      {dialog.scan && sequences.length === 0 && (
        <div className="panel-empty">No numbered image sequences (name.1001.png …) in this folder.</div>
      )}
      {sequences.length > 0 && dialog.scan && (
        <ul className="sequence-list" aria-label="Sequences found">
          {sequences.map((seq) => {
            const gaps = describeGaps(seq.gaps, 4);
            return (
              <li key={seq.pattern} className={chosen.has(seq.pattern) ? 'chosen' : ''}>
                <label>
                  <input
                    type="checkbox"
                    checked={chosen.has(seq.pattern)}
                    onChange={(e) => setChosen(toggled(chosen, seq.pattern, e.target.checked))}
                  />
                  <SequenceThumb folder={dialog.scan!.folder} seq={seq} />
                  <span className="seq-text">
                    <span className="seq-pattern mono">{seq.pattern}</span>
                    {/* the range and count alone: the gaps have their own warning below */}
                    <span className="seq-range mono dim">{describeFrames({ ...seq, gaps: [] })}</span>
                    {gaps && <span className="seq-gaps warn">{gaps}</span>}
                  </span>
                </label>
              </li>
            );
          })}
        </ul>
      )}
    </Modal>
  );
}
