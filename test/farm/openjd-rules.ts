/**
 * The Open Job Description 2023-09 job template rules that reage farm openjd's output is
 * held to, encoded from the published specification ("Template Schemas [Version:
 * 2023-09]", github.com/OpenJobDescription/openjd-specifications, wiki/2023-09-Template-Schemas.md;
 * section numbers below are that document's). No JSON schema package for OpenJD is
 * published to npm, so the constraints are written out here, for the subset of the
 * schema a template without extensions can use: job and PATH/STRING/INT/FLOAT parameter
 * definitions, steps, parameter spaces with INT/FLOAT/STRING/PATH task parameters and
 * combination expressions, step scripts with actions, and format strings. Anything
 * outside that subset is reported as unknown, which is what an implementation does with
 * keys the schema does not define (conformance case 1.1--unknown-extra-field.invalid).
 *
 * `openJdProblems(doc)` returns every broken rule as a line naming where; [] is valid.
 */
type Json = unknown;
type Obj = Record<string, Json>;

/** §7.1 <Identifier>: latin letters, digits and _, not starting with a digit, 1-64 characters */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** §9: the Cc category (C0 and C1 controls) */
// eslint-disable-next-line no-control-regex
const CC = /[\u0000-\u001f\u007f-\u009f]/;
/** §7.2: descriptions may also hold newlines, carriage returns and tabs */
// eslint-disable-next-line no-control-regex
const CC_BUT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** §3.4.1.1.1 <IntRangeExpr> elements: an int, a range, a range with a non-zero skip */
const RANGE_ELEMENT = /^\s*(-?\d+)(?:\s*-\s*(-?\d+)(?::(-?[1-9]\d*))?)?\s*$/;

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Checker {
  readonly problems: string[] = [];
  fail(where: string, what: string): void {
    this.problems.push(`${where}: ${what}`);
  }
  keys(v: Obj, where: string, required: readonly string[], optional: readonly string[]): void {
    for (const k of required) if (!(k in v)) this.fail(where, `missing required "${k}"`);
    for (const k of Object.keys(v))
      if (!required.includes(k) && !optional.includes(k)) this.fail(where, `unknown key "${k}"`);
  }
  string(v: Json, where: string, min: number, max: number, forbid: RegExp | null = CC): v is string {
    if (typeof v !== 'string') {
      this.fail(where, 'must be a string');
      return false;
    }
    if (v.length < min || v.length > max) this.fail(where, `length ${v.length} outside ${min}-${max}`);
    if (forbid?.test(v)) this.fail(where, 'holds a control character (Cc)');
    return true;
  }
  identifier(v: Json, where: string): void {
    if (typeof v !== 'string' || !IDENTIFIER.test(v))
      this.fail(where, `${JSON.stringify(v)} is not an <Identifier> (§7.1)`);
  }
  list(v: Json, where: string, min: number, max: number): v is Json[] {
    if (!Array.isArray(v)) {
      this.fail(where, 'must be a list');
      return false;
    }
    if (v.length < min || v.length > max) this.fail(where, `${v.length} elements, outside ${min}-${max}`);
    return true;
  }
  unique(names: Json[], where: string): void {
    const seen = new Set<Json>();
    for (const n of names) {
      if (seen.has(n)) this.fail(where, `${JSON.stringify(n)} defined twice`);
      seen.add(n);
    }
  }
}

/** §3.4.1.1.1: expand an <IntRangeExpr>; throws on a malformed or overlapping one. */
export function expandIntRangeExpr(expr: string): number[] {
  const values: number[] = [];
  for (const part of expr.split(',')) {
    const m = RANGE_ELEMENT.exec(part);
    if (!m) throw new Error(`"${part}" is not an <IntRangeExpr> element`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    const skip = m[3] === undefined ? 1 : Number(m[3]);
    const run: number[] = [];
    if (skip > 0) for (let x = a; x <= b; x += skip) run.push(x);
    else for (let x = a; x >= b; x += skip) run.push(x);
    if (run.length === 0) run.push(a); // "1 - -1" is [1] (the spec's table)
    for (const x of run) {
      if (values.includes(x)) throw new Error(`ranges overlap at ${x}`);
      values.push(x);
    }
  }
  return values.sort((x, y) => x - y);
}

/** §3.4.3 <CombinationExpr>: the identifiers it names (in order) and its zipped groups. */
export function parseCombination(expr: string): { names: string[]; groups: string[][] } {
  if (!/^[A-Za-z0-9_ *(),]+$/.test(expr)) throw new Error(`"${expr}" holds characters a combination may not`);
  const names = expr.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
  const groups: string[][] = [];
  // innermost associative groups: (A, B, …) whose members are plain identifiers
  for (const m of expr.matchAll(/\(([^()]*)\)/g)) {
    const members = m[1]!.split(',').map((s) => s.trim());
    if (members.length > 1) groups.push(members);
  }
  // a well-formed nesting: balanced parentheses, no empty members
  let depth = 0;
  for (const ch of expr) {
    depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
    if (depth < 0) throw new Error(`"${expr}" closes a parenthesis it never opened`);
  }
  if (depth !== 0) throw new Error(`"${expr}" leaves a parenthesis open`);
  if (/\(\s*,|,\s*\)|,\s*,|\(\s*\)/.test(expr)) throw new Error(`"${expr}" has an empty member`);
  return { names, groups };
}

/** §7.3: the value references of a format string; throws on an unclosed or malformed one. */
export function formatReferences(text: string): string[] {
  const refs: string[] = [];
  let rest = text;
  for (;;) {
    const open = rest.indexOf('{{');
    if (open < 0) break;
    const close = rest.indexOf('}}', open + 2);
    if (close < 0) throw new Error(`"${text}" opens {{ without closing it`);
    const ref = rest.slice(open + 2, close).trim();
    // <ValueReference> ::= <Name>; <Name> ::= <Name> "." <Identifier> | <Identifier>
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(ref))
      throw new Error(`"{{${ref}}}" is not a value reference`);
    refs.push(ref);
    rest = rest.slice(close + 2);
  }
  return refs;
}

interface Scope {
  params: Map<string, string>;
  taskParams?: Set<string>;
  files?: Set<string>;
}

/** §7.3.1: whether a reference names a value available where it is used. */
function referenceOk(ref: string, scope: Scope, inScript: boolean): boolean {
  const [head, ...rest] = ref.split('.');
  if ((head === 'Param' || head === 'RawParam') && rest.length === 1) {
    const type = scope.params.get(rest[0]!);
    // Param.<PATH> only within Environment or StepScript contexts
    return type !== undefined && (head === 'RawParam' || type !== 'PATH' || inScript);
  }
  if (!inScript) return false;
  if (head === 'Task' && (rest[0] === 'Param' || rest[0] === 'RawParam') && rest.length === 2)
    return scope.taskParams?.has(rest[1]!) ?? false;
  if (head === 'Task' && rest[0] === 'File' && rest.length === 2) return scope.files?.has(rest[1]!) ?? false;
  if (head === 'Session' && rest.length === 1)
    return ['WorkingDirectory', 'HasPathMappingRules', 'PathMappingRulesFile'].includes(rest[0]!);
  return false;
}

function checkFormat(c: Checker, text: Json, where: string, scope: Scope, inScript: boolean): void {
  if (typeof text !== 'string') return;
  let refs: string[];
  try {
    refs = formatReferences(text);
  } catch (err) {
    c.fail(where, (err as Error).message);
    return;
  }
  for (const r of refs)
    if (!referenceOk(r, scope, inScript)) c.fail(where, `{{${r}}} references nothing defined here (§7.3.1)`);
}

function checkParameter(c: Checker, p: Json, where: string): void {
  if (!isObj(p)) return c.fail(where, 'must be an object');
  c.identifier(p.name, `${where}.name`);
  const common = ['description', 'default', 'allowedValues', 'userInterface'];
  switch (p.type) {
    case 'STRING': // §2.1
      c.keys(p, where, ['name', 'type'], [...common, 'minLength', 'maxLength']);
      break;
    case 'PATH': // §2.2
      c.keys(p, where, ['name', 'type'], [...common, 'minLength', 'maxLength', 'objectType', 'dataFlow']);
      if (p.objectType !== undefined && !['FILE', 'DIRECTORY'].includes(p.objectType as string))
        c.fail(`${where}.objectType`, 'must be FILE or DIRECTORY');
      if (p.dataFlow !== undefined && !['NONE', 'IN', 'OUT', 'INOUT'].includes(p.dataFlow as string))
        c.fail(`${where}.dataFlow`, 'must be NONE, IN, OUT or INOUT');
      break;
    case 'INT': // §2.3
    case 'FLOAT': // §2.4
      c.keys(p, where, ['name', 'type'], [...common, 'minValue', 'maxValue']);
      break;
    default:
      return c.fail(`${where}.type`, `${JSON.stringify(p.type)} is not a job parameter type without extensions (§2)`);
  }
  if (p.description !== undefined) c.string(p.description, `${where}.description`, 1, 2048, CC_BUT_WHITESPACE);
  // §2.5 <JobParameterStringValue>: at most 1024 characters
  if ((p.type === 'STRING' || p.type === 'PATH') && p.default !== undefined)
    c.string(p.default, `${where}.default`, 0, 1024, null);
}

function checkTaskParameter(c: Checker, p: Json, where: string): number {
  if (!isObj(p)) {
    c.fail(where, 'must be an object');
    return 0;
  }
  c.keys(p, where, ['name', 'type', 'range'], []);
  c.identifier(p.name, `${where}.name`);
  const r = p.range;
  switch (p.type) {
    case 'INT': {
      // §3.4.1.1: <IntRangeList> (1-1024 ints or int strings) or an <IntRangeExpr>
      if (typeof r === 'string') {
        try {
          return expandIntRangeExpr(r).length;
        } catch (err) {
          c.fail(`${where}.range`, (err as Error).message);
          return 0;
        }
      }
      if (!c.list(r, `${where}.range`, 1, 1024)) return 0;
      r.forEach((v, i) => {
        const ok = (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v));
        if (!ok) c.fail(`${where}.range[${i}]`, `${JSON.stringify(v)} is not an integer`);
      });
      return r.length;
    }
    case 'FLOAT': // §3.4.1.2
    case 'STRING': // §3.4.1.3
    case 'PATH': // §3.4.1.4
      if (!c.list(r, `${where}.range`, 1, 1024)) return 0;
      return r.length;
    default:
      c.fail(`${where}.type`, `${JSON.stringify(p.type)} is not a task parameter type without extensions (§3.4.1)`);
      return 0;
  }
}

/** Every rule the template breaks, as "where: what"; [] when it meets them all. */
export function openJdProblems(doc: Json): string[] {
  const c = new Checker();
  if (!isObj(doc)) return ['template: must be an object'];
  // §1.1: the root
  c.keys(
    doc,
    'template',
    ['specificationVersion', 'name', 'steps'],
    ['$schema', 'extensions', 'description', 'parameterDefinitions', 'jobEnvironments'],
  );
  if (doc.specificationVersion !== 'jobtemplate-2023-09')
    c.fail('specificationVersion', 'must be "jobtemplate-2023-09"');
  if (doc.extensions !== undefined)
    c.fail('extensions', 'this template must run on implementations without extensions');
  if (doc.description !== undefined) c.string(doc.description, 'description', 1, 2048, CC_BUT_WHITESPACE);

  const params = new Map<string, string>();
  if (doc.parameterDefinitions !== undefined && c.list(doc.parameterDefinitions, 'parameterDefinitions', 1, 50)) {
    doc.parameterDefinitions.forEach((p, i) => {
      checkParameter(c, p, `parameterDefinitions[${i}]`);
      if (isObj(p) && typeof p.name === 'string') params.set(p.name, String(p.type));
    });
    c.unique(
      doc.parameterDefinitions.map((p) => (isObj(p) ? p.name : undefined)),
      'parameterDefinitions',
    );
  }
  // §1.1.1 <JobName>: 1-128 characters after resolution; only job parameters in scope
  if (c.string(doc.name, 'name', 1, 128)) checkFormat(c, doc.name, 'name', { params }, false);

  if (!c.list(doc.steps, 'steps', 1, Number.POSITIVE_INFINITY)) return c.problems;
  c.unique(
    doc.steps.map((s) => (isObj(s) ? s.name : undefined)),
    'steps',
  );
  doc.steps.forEach((step, si) => {
    const where = `steps[${si}]`;
    if (!isObj(step)) return c.fail(where, 'must be an object');
    // §3
    c.keys(
      step,
      where,
      ['name', 'script'],
      ['description', 'dependencies', 'stepEnvironments', 'hostRequirements', 'parameterSpace'],
    );
    c.string(step.name, `${where}.name`, 1, 64); // §3.1
    if (step.description !== undefined) c.string(step.description, `${where}.description`, 1, 2048, CC_BUT_WHITESPACE);

    // §3.4 the parameter space
    const taskParams = new Set<string>();
    const sizes = new Map<string, number>();
    if (step.parameterSpace !== undefined) {
      const space = step.parameterSpace;
      if (!isObj(space)) c.fail(`${where}.parameterSpace`, 'must be an object');
      else {
        c.keys(space, `${where}.parameterSpace`, ['taskParameterDefinitions'], ['combination']);
        const defs = space.taskParameterDefinitions;
        if (c.list(defs, `${where}.parameterSpace.taskParameterDefinitions`, 1, 16)) {
          defs.forEach((p, pi) => {
            const n = checkTaskParameter(c, p, `${where}.parameterSpace.taskParameterDefinitions[${pi}]`);
            if (isObj(p) && typeof p.name === 'string') {
              taskParams.add(p.name);
              sizes.set(p.name, n);
            }
          });
          c.unique(
            defs.map((p) => (isObj(p) ? p.name : undefined)),
            `${where}.parameterSpace.taskParameterDefinitions`,
          );
        }
        if (
          space.combination !== undefined &&
          c.string(space.combination, `${where}.parameterSpace.combination`, 1, 1280)
        ) {
          try {
            const { names, groups } = parseCombination(space.combination);
            // §3.4.3 rule 4: every task parameter exactly once, nothing else
            for (const n of names)
              if (!taskParams.has(n)) c.fail(`${where}.parameterSpace.combination`, `"${n}" is not a task parameter`);
            for (const t of taskParams)
              if (names.filter((n) => n === t).length !== 1)
                c.fail(`${where}.parameterSpace.combination`, `"${t}" must occur exactly once`);
            // rule 5: members of an associative group have the same number of values
            for (const g of groups) {
              const lengths = new Set(g.map((n) => sizes.get(n)));
              if (lengths.size > 1)
                c.fail(`${where}.parameterSpace.combination`, `(${g.join(', ')}) zips ranges of different lengths`);
            }
          } catch (err) {
            c.fail(`${where}.parameterSpace.combination`, (err as Error).message);
          }
        }
      }
    }

    // §3.5 the script, §5 its action
    const script = step.script;
    if (!isObj(script)) return c.fail(`${where}.script`, 'must be an object');
    c.keys(script, `${where}.script`, ['actions'], ['embeddedFiles']);
    const files = new Set<string>();
    if (
      script.embeddedFiles !== undefined &&
      c.list(script.embeddedFiles, `${where}.script.embeddedFiles`, 1, Infinity)
    ) {
      script.embeddedFiles.forEach((f, fi) => {
        if (isObj(f)) {
          c.keys(f, `${where}.script.embeddedFiles[${fi}]`, ['name', 'type', 'data'], ['filename', 'runnable']);
          c.identifier(f.name, `${where}.script.embeddedFiles[${fi}].name`);
          if (typeof f.name === 'string') files.add(f.name);
        }
      });
    }
    const scope: Scope = { params, taskParams, files };
    const actions = script.actions;
    if (!isObj(actions)) return c.fail(`${where}.script.actions`, 'must be an object');
    c.keys(actions, `${where}.script.actions`, ['onRun'], []);
    const onRun = actions.onRun;
    if (!isObj(onRun)) return c.fail(`${where}.script.actions.onRun`, 'must be an object');
    c.keys(onRun, `${where}.script.actions.onRun`, ['command'], ['args', 'timeout', 'cancelation']);
    if (c.string(onRun.command, `${where}.script.actions.onRun.command`, 1, Infinity))
      // §5.1
      checkFormat(c, onRun.command, `${where}.script.actions.onRun.command`, scope, true);
    if (onRun.args !== undefined && c.list(onRun.args, `${where}.script.actions.onRun.args`, 0, Infinity)) {
      onRun.args.forEach((a, ai) => {
        if (c.string(a, `${where}.script.actions.onRun.args[${ai}]`, 0, Infinity))
          // §5.2
          checkFormat(c, a, `${where}.script.actions.onRun.args[${ai}]`, scope, true);
      });
    }
    if (onRun.timeout !== undefined && !(Number.isInteger(onRun.timeout) && (onRun.timeout as number) > 0))
      c.fail(`${where}.script.actions.onRun.timeout`, 'must be a positive integer');
  });
  return c.problems;
}
