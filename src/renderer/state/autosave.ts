/**
 * Autosave: a few seconds after the last edit, a copy of a dirty project goes to
 * `<project>.reage.autosave` (or the data folder while untitled), so a crash costs
 * seconds of work. Saving the project proper is still the artist's decision.
 */
import type { Studio } from './store.js';

export function startAutosave(studio: Studio, delayMs = 5000): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const unsubscribe = studio.store.subscribe((state, previous) => {
    if (!state.dirty || (state.project === previous.project && state.dirty === previous.dirty)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const { project, projectPath, dirty } = studio.store.getState();
      if (!dirty || project.timeline.clips.length === 0) return;
      studio.client.call('project.autosave', { path: projectPath, project }).catch((err: Error) => {
        console.warn(`[reage] autosave failed: ${err.message}`);
      });
    }, delayMs);
  });
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}
