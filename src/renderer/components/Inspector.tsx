/** The selected shot's settings: target age, source age, reconstruction, strength, texture, composite, steps. */
import type { ReactElement, ReactNode } from 'react';
import {
  AGE_CATEGORIES,
  SEED_LIMITS,
  STEP_LIMITS,
  STRENGTH_LIMITS,
  TEXTURE_LIMITS,
  withinSettingLimits,
  type AgeCategory,
} from '../../shared/ages.js';
import { withAgeKey, withoutAgeKey } from '../../shared/age-keys.js';
import { clipFramePath, type Clip, type ShotSettings } from '../../shared/project.js';
import { describeOtherFace, removeOtherFace, setOtherFaceTarget } from '../lib/other-faces.js';
import { previewKey } from '../lib/preview-key.js';
import { describeGaps, frameRuns } from '../../shared/sequence.js';
import { useStudio } from '../state/store.js';
import { AgeSlider } from './AgeSlider.js';
import { ColourSpaceField } from './ColourSpaceField.js';
import { RegionsField } from './RegionsField.js';
import { Icon } from './icons.js';
import { TargetAgeDefects } from './KnownDefects.js';
import { Segmented } from './Segmented.js';

function Field(props: { label: string; hint?: string; children: ReactNode }): ReactElement {
  return (
    <div className="field">
      <div className="field-label">{props.label}</div>
      {props.children}
      {props.hint && <div className="field-hint">{props.hint}</div>}
    </div>
  );
}

function ShotHeader({ clip }: { clip: Clip }): ReactElement {
  const media = useStudio((s) => s.media[clip.id]);
  const gaps = describeGaps(frameRuns(clip.mediaReference.missingFrames), 4);
  const count = clip.sourceRange.end - clip.sourceRange.start + 1 - clip.mediaReference.missingFrames.length;
  return (
    <div className="shot-header">
      <div className="shot-name">{clip.name}</div>
      <div className="shot-meta mono">
        {clip.mediaReference.namePattern} · {clip.sourceRange.start}–{clip.sourceRange.end} · {count} frames
      </div>
      {gaps && (
        <div className="shot-warning">
          <Icon name="warning" size={12} /> {gaps}
        </div>
      )}
      {media && media.state !== 'ok' && (
        <div className={`shot-warning ${media.state}`}>
          <Icon name="warning" size={12} /> media {media.state}
          {media.missingFrames.length ? ` (${media.missingFrames.length} missing)` : ''}
        </div>
      )}
    </div>
  );
}

/** A slider for an amount with its value beside it; a value beyond the slider's range shows at its end. */
function AmountSlider(props: {
  label: string;
  min: number;
  max: number;
  step: number;
  value: number;
  onChange: (value: number) => void;
}): ReactElement {
  return (
    <div className="row">
      <input
        type="range"
        aria-label={props.label}
        min={props.min}
        max={props.max}
        step={props.step}
        value={Math.min(props.max, props.value)}
        onChange={(e) => props.onChange(Number(e.target.value))}
      />
      <span className="num">{props.value.toFixed(2)}</span>
    </div>
  );
}

/**
 * Age over time (issue #22): the shot's age keys, each frame's age eased between them.
 * A key is added at the playhead with the target age above; each can change age or go.
 * Every change is one undoable settings edit.
 */
function AgeKeys({ clip }: { clip: Clip }): ReactElement {
  const updateSettings = useStudio((s) => s.updateSettings);
  const playhead = useStudio((s) => s.playhead);
  const keys = clip.settings.ageKeys ?? [];
  const at = playhead?.clipId === clip.id ? playhead.frame : undefined;
  const setKeys = (ageKeys: ShotSettings['ageKeys']) => updateSettings(clip.id, { ageKeys });
  return (
    <Field
      label="Age over time"
      hint={
        keys.length
          ? 'Each frame eases from one key to the next; before the first key and after the last the shot holds it'
          : 'One age for the whole shot; add keys to change it over the shot'
      }
    >
      {keys.map((k) => (
        <div className="row age-key-row" key={k.frame} data-testid="age-key">
          <span className="num mono">{k.frame}</span>
          <select
            aria-label={`Age at key ${k.frame}`}
            value={k.age}
            onChange={(e) => setKeys(withAgeKey(keys, { ...k, age: e.target.value as AgeCategory }))}
          >
            {AGE_CATEGORIES.map((age) => (
              <option key={age} value={age}>
                {age}
              </option>
            ))}
          </select>
          <input
            type="number"
            className="num"
            aria-label={`Strength at key ${k.frame}`}
            title="This key's age strength; empty: the shot's"
            min={STRENGTH_LIMITS.min}
            max={STRENGTH_LIMITS.max}
            step={0.05}
            placeholder={String(clip.settings.strength)}
            value={k.strength ?? ''}
            onChange={(e) => {
              const text = e.target.value.trim();
              const { strength: _old, ...rest } = k;
              if (text === '') return setKeys(withAgeKey(keys, rest));
              const strength = Number(text);
              if (withinSettingLimits(strength, STRENGTH_LIMITS)) setKeys(withAgeKey(keys, { ...rest, strength }));
            }}
          />
          <button
            type="button"
            aria-label={`Remove age key ${k.frame}`}
            onClick={() => setKeys(withoutAgeKey(keys, k.frame))}
          >
            Remove
          </button>
        </div>
      ))}
      <div className="row">
        <button
          type="button"
          disabled={at === undefined}
          title={
            at === undefined
              ? 'Put the playhead on this shot first'
              : `A key at frame ${at}, age ${clip.settings.targetAge}`
          }
          onClick={() => at !== undefined && setKeys(withAgeKey(keys, { frame: at, age: clip.settings.targetAge }))}
        >
          Add age key at playhead
        </button>
      </div>
    </Field>
  );
}

/** The track ids of the shot's other faces on the playhead's frame, when its preview has been rendered. */
function useOtherFaceIds(clip: Clip): readonly (number | null)[] | undefined {
  return useStudio((s) => {
    const at = s.playhead?.clipId === clip.id ? s.playhead.frame : undefined;
    if (at === undefined) return undefined;
    const entry = s.previews[previewKey(clipFramePath(clip, at), at, clip.settings)];
    return entry?.status === 'ready' ? entry.otherFaces : undefined;
  });
}

/**
 * Faces of the shot aged besides its own (issue #22), each to its own target: added by a
 * shift-click on a face's box in the viewer, each change one undoable settings edit.
 */
function OtherFaces({ clip }: { clip: Clip }): ReactElement {
  const updateSettings = useStudio((s) => s.updateSettings);
  const ids = useOtherFaceIds(clip);
  const faces = clip.settings.otherFaces ?? [];
  return (
    <Field
      label="Other faces"
      hint={
        faces.length
          ? 'Each aged to its own target, with the shot’s other settings; shift-click a box in the viewer to add or remove one'
          : 'Only the shot’s face is aged; shift-click another face’s box in the viewer to age it too'
      }
    >
      {faces.map((f, i) => {
        const name = describeOtherFace(f.face, ids?.[i]);
        return (
          <div className="row other-face-row" key={i} data-testid="other-face">
            <span className="other-face-name">{name}</span>
            <select
              aria-label={`Target age of ${name}`}
              value={f.targetAge}
              onChange={(e) =>
                updateSettings(clip.id, setOtherFaceTarget(clip.settings, i, e.target.value as AgeCategory))
              }
            >
              {AGE_CATEGORIES.map((age) => (
                <option key={age} value={age}>
                  {age}
                </option>
              ))}
            </select>
            <button
              type="button"
              aria-label={`Stop ageing ${name}`}
              onClick={() => updateSettings(clip.id, removeOtherFace(clip.settings, i))}
            >
              Remove
            </button>
          </div>
        );
      })}
    </Field>
  );
}

export function Inspector(): ReactElement {
  const clip = useStudio((s) => s.project.timeline.clips.find((c) => c.id === s.selectedClipId));
  const estimated = useStudio((s) => (s.selectedClipId ? s.estimatedAges[s.selectedClipId] : undefined));
  const updateSettings = useStudio((s) => s.updateSettings);
  const applyToAll = useStudio((s) => s.applySettingsToAll);
  const renderPreview = useStudio((s) => s.renderPreview);
  const clipCount = useStudio((s) => s.project.timeline.clips.length);

  if (!clip) {
    return (
      <section className="panel inspector" aria-label="Inspector">
        <div className="panel-empty">No shot selected</div>
      </section>
    );
  }
  const set = (patch: Partial<ShotSettings>, key?: string) => updateSettings(clip.id, patch, key);
  const s = clip.settings;
  return (
    <section className="panel inspector" aria-label="Inspector">
      {/* the sidebar's tab names the panel */}
      <div className="panel-body">
        <ShotHeader clip={clip} />
        <Field label="Target age">
          <AgeSlider value={s.targetAge} onChange={(targetAge) => set({ targetAge }, 'targetAge')} />
          <TargetAgeDefects target={s.targetAge} />
        </Field>
        <AgeKeys clip={clip} />
        <OtherFaces clip={clip} />
        <Field
          label="Source age"
          hint={
            s.sourceAge === 'auto'
              ? estimated
                ? `Estimated ${estimated} from the plate`
                : 'Estimated from the first frames with a face'
              : 'Overrides the estimate'
          }
        >
          <div className="row">
            <Segmented
              label="Source age mode"
              small
              value={s.sourceAge === 'auto' ? 'auto' : 'override'}
              options={[
                { value: 'auto', label: estimated ? `Auto · ${estimated}` : 'Auto' },
                { value: 'override', label: 'Override' },
              ]}
              onChange={(mode) => set({ sourceAge: mode === 'auto' ? 'auto' : (estimated ?? '30-39') })}
            />
            {s.sourceAge !== 'auto' && (
              <select
                aria-label="Source age"
                value={s.sourceAge}
                onChange={(e) => set({ sourceAge: e.target.value as AgeCategory })}
              >
                {AGE_CATEGORIES.map((age) => (
                  <option key={age} value={age}>
                    {age}
                  </option>
                ))}
              </select>
            )}
          </div>
        </Field>
        <Field
          label="Reconstruction"
          hint={
            s.mode === 'identity'
              ? 'Identity-preserving: optimises the face recogniser distance (keeps who it is)'
              : 'Pixel-wise: optimises pixel distance (closer to the plate, may drift in identity)'
          }
        >
          <Segmented
            label="Reconstruction"
            value={s.mode}
            options={[
              { value: 'identity', label: 'Identity' },
              { value: 'pixel', label: 'Pixel-wise' },
            ]}
            onChange={(mode) => set({ mode })}
          />
        </Field>
        <Field
          label="Detail"
          hint={
            s.detail
              ? 'On: also fits what the latent cannot express (marks, shape, light), kept through the age change'
              : "Off: the latent alone, the paper's method (the generated face may be someone similar)"
          }
        >
          <Segmented
            label="Detail"
            value={s.detail ? 'on' : 'off'}
            options={[
              { value: 'on', label: 'On' },
              { value: 'off', label: 'Off' },
            ]}
            onChange={(v) => set({ detail: v === 'on' })}
          />
        </Field>
        <Field
          label="Age strength"
          hint={
            s.strength === 1
              ? "1: the model's own age change"
              : s.strength > 1
                ? 'Beyond the model: stronger age, but the likeness and the image suffer as it rises'
                : 'Part of the way to the target age'
          }
        >
          <AmountSlider
            label="Age strength"
            min={STRENGTH_LIMITS.slider.min}
            max={STRENGTH_LIMITS.slider.max}
            step={STRENGTH_LIMITS.slider.step}
            value={s.strength}
            onChange={(v) => set({ strength: v }, 'strength')}
          />
        </Field>
        <Field
          label="Texture"
          hint={
            s.texture === 0
              ? "Off: the Age-cGAN change alone, the paper's method"
              : 'Prototype age layer: wrinkles, skin texture and colour; 0 = Age-cGAN alone'
          }
        >
          <AmountSlider
            label="Texture"
            min={TEXTURE_LIMITS.slider.min}
            max={TEXTURE_LIMITS.slider.max}
            step={TEXTURE_LIMITS.slider.step}
            value={s.texture}
            onChange={(v) => set({ texture: v }, 'texture')}
          />
        </Field>
        <Field
          label="Composite"
          hint={
            s.composite === 'delta'
              ? 'Delta: adds the age change to the plate (keeps grain and lighting)'
              : 'Replace: puts the generated face in the mask'
          }
        >
          <Segmented
            label="Composite"
            value={s.composite}
            options={[
              { value: 'delta', label: 'Delta' },
              { value: 'replace', label: 'Replace' },
            ]}
            onChange={(composite) => set({ composite })}
          />
        </Field>
        <Field
          label="Where the change applies"
          hint="Off keeps the plate's own pixels there; feather and grow shape the mask's edge (as a share of the face)"
        >
          <RegionsField value={s.regions} onChange={(regions, key) => set({ regions }, key)} />
        </Field>
        <Field
          label="Plate colour space"
          hint="What the plates are encoded in: the face is aged in display sRGB and the change put back in this space"
        >
          <ColourSpaceField value={s.colourSpace} onChange={(colourSpace, key) => set({ colourSpace }, key)} />
        </Field>
        <Field label="Optimisation steps" hint="First frame of the shot; later frames warm-start from it">
          <div className="row">
            <input
              type="range"
              aria-label="Steps slider"
              min={STEP_LIMITS.slider.min}
              max={STEP_LIMITS.slider.max}
              step={STEP_LIMITS.slider.step}
              value={Math.min(STEP_LIMITS.slider.max, s.steps)}
              onChange={(e) => set({ steps: Number(e.target.value) }, 'steps')}
            />
            <input
              type="number"
              className="num"
              aria-label="Steps"
              min={STEP_LIMITS.min}
              max={STEP_LIMITS.max}
              value={s.steps}
              onChange={(e) => {
                const steps = Math.round(Number(e.target.value));
                if (withinSettingLimits(steps, STEP_LIMITS)) set({ steps }, 'steps');
              }}
            />
          </div>
        </Field>
        <Field label="Seed">
          <input
            type="number"
            className="num"
            aria-label="Seed"
            min={SEED_LIMITS.min}
            max={SEED_LIMITS.max}
            value={s.seed}
            onChange={(e) => {
              const seed = Math.round(Number(e.target.value));
              if (withinSettingLimits(seed, SEED_LIMITS)) set({ seed }, 'seed');
            }}
          />
        </Field>
        <div className="inspector-actions">
          <button type="button" className="primary" onClick={() => void renderPreview()}>
            <Icon name="render" size={14} /> Render Preview
          </button>
          <button
            type="button"
            disabled={clipCount < 2}
            onClick={() => applyToAll(clip.id)}
            title="Copy these settings to every shot"
          >
            Apply to all shots
          </button>
        </div>
      </div>
    </section>
  );
}
