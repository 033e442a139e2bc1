/**
 * The shot's plate colour space (issue #18): auto, a built-in space, or a space of an
 * OpenColorIO config (its file and the space's name, typed: the engine checks both
 * and names the config's spaces when one is wrong).
 */
import { useState, type ReactElement } from 'react';
import {
  COLOUR_SPACE_IDS,
  COLOUR_SPACE_LABELS,
  type ColourSpaceSetting,
  type OcioColourSpace,
} from '../../shared/colour-space.js';

const OCIO = 'ocio';

export function ColourSpaceField(props: {
  value: ColourSpaceSetting | undefined;
  onChange: (value: ColourSpaceSetting, coalesceKey?: string) => void;
}): ReactElement {
  const value = props.value ?? 'auto';
  const ocio = typeof value === 'object' ? value.ocio : undefined;
  // the OCIO fields keep what was typed while the choice is elsewhere, so switching back loses nothing
  const [draft, setDraft] = useState<OcioColourSpace>(ocio ?? { config: '', space: '' });
  const setOcio = (patch: Partial<OcioColourSpace>) => {
    const next = { ...(ocio ?? draft), ...patch };
    setDraft(next);
    // an OCIO space needs both names; until then the shot keeps what it had
    if (next.config.trim() && next.space.trim()) props.onChange({ ocio: next }, 'colourSpace');
  };
  return (
    <div className="colour-space">
      <select
        aria-label="Plate colour space"
        value={typeof value === 'object' ? OCIO : value}
        onChange={(e) => {
          const v = e.target.value;
          if (v === OCIO) setOcio({});
          else props.onChange(v as ColourSpaceSetting);
        }}
      >
        <option value="auto">Auto (sRGB; EXR by its chromaticities)</option>
        {COLOUR_SPACE_IDS.map((id) => (
          <option key={id} value={id}>
            {COLOUR_SPACE_LABELS[id]}
          </option>
        ))}
        <option value={OCIO}>OpenColorIO config…</option>
      </select>
      {(ocio || draft.config) && (
        <div className="ocio-fields">
          <input
            type="text"
            className="mono"
            aria-label="OCIO config file"
            placeholder="/path/to/config.ocio"
            spellCheck={false}
            value={(ocio ?? draft).config}
            onChange={(e) => setOcio({ config: e.target.value })}
          />
          <input
            type="text"
            aria-label="OCIO colour space"
            placeholder="colour space, e.g. ACEScg"
            spellCheck={false}
            value={(ocio ?? draft).space}
            onChange={(e) => setOcio({ space: e.target.value })}
          />
        </div>
      )}
    </div>
  );
}
