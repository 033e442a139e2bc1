/**
 * Frames or folders dragged onto the window. Electron reveals the dropped paths
 * (webUtils.getPathForFile through the preload, which also lets the studio use that
 * folder); a browser only the names (folders are read for their file names), so the
 * import dialog then says so and opens the file browser to find the folder.
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { DroppedItems } from '../state/command-slice.js';
import { useStudio, useStudioContext } from '../state/store.js';

function hasFiles(e: DragEvent): boolean {
  return !!e.dataTransfer && [...e.dataTransfer.types].some((t) => t === 'Files' || t === 'text/uri-list');
}

/** The names in a dropped folder (browsers only expose them through the entries API). */
function readFolderNames(entry: FileSystemDirectoryEntry): Promise<string[]> {
  const reader = entry.createReader();
  const names: string[] = [];
  return new Promise((resolve) => {
    const next = () =>
      reader.readEntries(
        (batch) => {
          if (batch.length === 0) return resolve(names);
          for (const e of batch) if (e.isFile) names.push(e.name);
          next();
        },
        () => resolve(names),
      );
    next();
  });
}

/** file:///plates/a.1001.png lines in text/uri-list (some file managers drag these). */
function pathsFromUriList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.startsWith('file://'))
    .map((line) => decodeURIComponent(new URL(line).pathname).replace(/^\/([A-Za-z]:)/, '$1'));
}

export async function droppedItems(
  data: DataTransfer,
  pathForFile: (file: File) => string | null,
): Promise<DroppedItems> {
  const paths: string[] = [];
  const names: string[] = [];
  const folders: string[] = [];
  const folderReads: Promise<string[]>[] = [];
  for (const item of [...data.items]) {
    if (item.kind !== 'file') continue;
    const file = item.getAsFile();
    const path = file ? pathForFile(file) : null;
    if (path) {
      paths.push(path);
      continue;
    }
    const entry = item.webkitGetAsEntry?.();
    if (entry?.isDirectory) {
      folders.push(entry.name);
      folderReads.push(readFolderNames(entry as FileSystemDirectoryEntry));
    } else if (file) names.push(file.name);
  }
  for (const list of await Promise.all(folderReads)) names.push(...list);
  if (paths.length === 0) paths.push(...pathsFromUriList(data.getData('text/uri-list')));
  return { paths, names, ...(paths.length === 0 && folders.length > 0 ? { folders } : {}) };
}

export function DropZone(): ReactElement | null {
  const { client } = useStudioContext();
  const handleDrop = useStudio((s) => s.handleDrop);
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const onEnter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setOver(true);
    };
    const onOver = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      // without this the browser (or Electron) would navigate to the dropped file
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const onLeave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const onDrop = (e: DragEvent) => {
      e.preventDefault();
      depth = 0;
      setOver(false);
      if (!e.dataTransfer) return;
      void droppedItems(e.dataTransfer, (f) => client.pathForFile(f)).then(handleDrop);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, [client, handleDrop]);
  if (!over) return null;
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-card">Drop frames or a folder to import</div>
    </div>
  );
}
