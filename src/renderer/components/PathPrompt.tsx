/**
 * Where there is no native file dialog (the browser host), paths are typed here.
 * Opening a project also lists the recent ones.
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { RecentProject } from '../../shared/ipc.js';
import { useStudioContext } from '../state/store.js';
import type { PathPrompt as PathPromptState } from '../state/ui-slice.js';
import { Modal } from './Modal.js';

function RecentList({ onPick }: { onPick(path: string): void }): ReactElement | null {
  const { client } = useStudioContext();
  const [recent, setRecent] = useState<RecentProject[]>([]);
  useEffect(() => {
    client.call('project.recent', {}).then(
      (r) => setRecent(r.projects),
      () => setRecent([]),
    );
  }, [client]);
  if (recent.length === 0) return null;
  return (
    <div className="recent">
      <div className="form-label">Recent projects</div>
      <ul>
        {recent.map((p) => (
          <li key={p.path}>
            <button type="button" className="link" disabled={!p.exists} onClick={() => onPick(p.path)} title={p.path}>
              <span>{p.name}</span> <span className="mono dim">{p.path}</span>
              {!p.exists && <span className="warn"> (missing)</span>}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function PathPrompt({ prompt }: { prompt: PathPromptState }): ReactElement {
  const [value, setValue] = useState(prompt.value);
  const submit = () => prompt.resolve(value);
  const cancel = () => prompt.resolve(null);
  const verb = prompt.purpose === 'saveProject' ? 'Save' : prompt.purpose === 'openProject' ? 'Open' : 'Choose';
  return (
    <Modal
      title={prompt.title}
      onClose={cancel}
      footer={
        <>
          <span className="toolbar-spacer" />
          <button type="button" onClick={cancel}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={!value.trim()} onClick={submit}>
            {verb}
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) submit();
        }}
      >
        <input
          type="text"
          className="path-input mono"
          aria-label="Path"
          value={value}
          spellCheck={false}
          placeholder="/absolute/path"
          onChange={(e) => setValue(e.target.value)}
        />
      </form>
      {prompt.purpose === 'openProject' && <RecentList onPick={(path) => prompt.resolve(path)} />}
    </Modal>
  );
}
