/**
 * An OpenCue job spec for a shot plan: the XML that cuebot's JobSpec parses (validating
 * against the cjsl DTD its DOCTYPE names; test/farm/fixtures holds that DTD) and that
 * pyoutline writes for a shell layer.
 *
 * OpenCue chunks natively: a layer's <range> and <chunk> make one dispatched frame per
 * chunk, and cuebot substitutes #FRAME_START# (the chunk's first frame) and #FRAME_END#
 * into <cmd>. It computes #FRAME_END# as start + chunk − 1 without clamping it to the range
 * (cuebot DispatchSupportService.prepareRqdRunFrame), so a short last chunk would name
 * frames the shot does not have, which `reage age` refuses. And #FRAMESPEC#, the chunk's
 * own frames, drops the range's last frame (FrameSet.getChunk). So each chunk's command
 * clamps the end itself, in /bin/sh whatever the artist's login shell is (RQD runs <cmd>
 * through `su -c`), with the reage words passed as positional arguments so that no path
 * needs quoting inside the script. One layer per contiguous run of the plan's frames,
 * since cuebot chunks by position in the range and a chunk must not span a gap.
 */
import type { FarmJobInput } from './tasks.js';
import { FarmError, farmTasks, planRuns, shJoin, taskArgs } from './tasks.js';

/** The DTD version named in the DOCTYPE: old enough for any cuebot since, new enough for every element used */
export const CJSL_VERSION = '1.12';
/** cuebot resolves DTDs under this URL to its own copies (JobSpec.SPCUE_DTD_URL) */
export const CJSL_SYSTEM_ID = `http://localhost:8080/spcue/dtd/cjsl-${CJSL_VERSION}.dtd`;
/** the public identifier pyoutline writes (two spaces and all) */
export const CJSL_PUBLIC_ID = 'SPI Cue  Specification Language';

export interface OpenCueOptions {
  /** the show the job is launched under; cuebot refuses a show it does not know */
  show: string;
  /** who owns the job; cuebot refuses root */
  user: string;
  /** the facility (omitted: cuebot's default) */
  facility?: string;
  /** the layer's service, whose cores and memory cuebot books */
  service: string;
}

/** cuebot's JobSpec.NAME_REGEX (`^[\w.]{3,}$`), which show, shot, layer and job names must meet */
const CUE_NAME = /^[A-Za-z0-9_.]{3,}$/;

/** A shot or layer name as cuebot's conformName would accept it: lower case, `-` as `_`, at least 3 characters. */
export function cueName(name: string): string {
  let n = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9_.]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (n.length < 3) n = n ? `${n}_shot` : 'shot';
  return n;
}

// XML 1.0 §2.2: characters a document may hold at all (tab, newline, carriage return and up)
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/** Escape text for element content (quotes stay as they are, so a command reads as typed). */
export function xmlText(text: string): string {
  if (NOT_XML_CHAR.test(text)) throw new FarmError(`${JSON.stringify(text)} holds a character XML cannot carry`);
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escape text for a double-quoted attribute value. */
export function xmlAttr(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;');
}

function el(tag: string, text: string): string {
  return `<${tag}>${xmlText(text)}</${tag}>`;
}

/**
 * The POSIX sh script a chunk runs: $1, $2 are cuebot's #FRAME_START# and #FRAME_END#,
 * the rest the reage command; the end is clamped to the run's last frame.
 */
function chunkScript(last: number): string {
  return `s=$1; e=$2; [ "$e" -le ${last} ] || e=${last}; shift 2; exec "$@" --frames "$s-$e"`;
}

/** The layer command for one run of frames ending at `last`. */
export function openCueCommand(input: FarmJobInput, last: number): string {
  return shJoin([
    '/bin/sh',
    '-c',
    chunkScript(last),
    'reage-chunk',
    '#FRAME_START#',
    '#FRAME_END#',
    ...input.reage,
    ...taskArgs(input.planFile),
  ]);
}

/** The job spec XML for `input`'s plan. */
export function openCueSpec(input: FarmJobInput, options: OpenCueOptions): string {
  farmTasks(input.plan, input.chunk); // the same checks as every generator (chunk size)
  if (options.user === 'root')
    throw new FarmError('cuebot refuses jobs launched as root: name the job owner with --user NAME');
  if (!options.user.trim()) throw new FarmError('--user is empty: name the job owner');
  if (!CUE_NAME.test(options.show))
    throw new FarmError(`--show "${options.show}" is not an OpenCue show name (letters, digits, _ and ., at least 3)`);
  if (!/^[A-Za-z0-9_.-]+$/.test(options.service))
    throw new FarmError(`--service "${options.service}" is not an OpenCue service name`);
  const shot = cueName(input.plan.name);
  const runs = planRuns(input.plan);
  const layers = runs.map((run, i) => {
    const name = runs.length === 1 ? 'age' : `age_${i + 1}`;
    const range = run.from === run.to ? `${run.from}` : `${run.from}-${run.to}`;
    return [
      `      <layer name="${name}" type="Render">`,
      `        ${el('cmd', openCueCommand(input, run.to))}`,
      `        ${el('range', range)}`,
      `        ${el('chunk', String(input.chunk))}`,
      `        <services>${el('service', options.service)}</services>`,
      `      </layer>`,
    ].join('\n');
  });
  return [
    '<?xml version="1.0"?>',
    `<!DOCTYPE spec PUBLIC "${CJSL_PUBLIC_ID}" "${CJSL_SYSTEM_ID}">`,
    '<spec>',
    ...(options.facility !== undefined ? [`  ${el('facility', options.facility)}`] : []),
    `  ${el('show', options.show)}`,
    `  ${el('shot', shot)}`,
    `  ${el('user', options.user)}`,
    `  <job name="${xmlAttr(`reage_${shot}`)}">`,
    '    <paused>False</paused>',
    '    <layers>',
    ...layers,
    '    </layers>',
    '  </job>',
    '</spec>',
    '',
  ].join('\n');
}
