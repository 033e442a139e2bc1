/**
 * A small DTD validator for the tests: enough of XML 1.0's validity constraints to hold
 * a document to a DTD made of element content models and attribute lists, as OpenCue's
 * cjsl DTDs are. The rules are read from the DTD text itself (not written out here),
 * so the check follows the DTD committed under fixtures/:
 *   - element content (XML 1.0 §3.2.1): each element's children, in order, must match
 *     its declared model, turned into a regular expression over the child names;
 *     `(#PCDATA)*` elements may hold text only;
 *   - attributes (§3.3): declared ones only, #REQUIRED ones present, enumerations kept,
 *     NMTOKEN values made of name characters.
 * xmllint --dtdvalid, where installed, checks the same documents against the same DTD.
 */
interface AttributeRule {
  name: string;
  type: 'CDATA' | 'NMTOKEN' | string[];
  required: boolean;
}

export interface Dtd {
  elements: Map<string, RegExp | 'text'>;
  attributes: Map<string, AttributeRule[]>;
}

/**
 * A content model such as `(cmd,range,chunk,cores?)` as a regex over the child names,
 * each written `name,`: a sequence is concatenation, a choice alternation, and ?, *, +
 * keep their meaning (XML 1.0 §3.2.1).
 */
function modelRegex(model: string): RegExp {
  let body = '';
  for (const t of model.match(/[A-Za-z_][\w.-]*|[(),|?*+]/g) ?? []) {
    if (t === '(') body += '(?:';
    else if (t === ',') continue;
    else if (t === ')' || t === '|' || t === '?' || t === '*' || t === '+') body += t;
    else body += `(?:${t},)`;
  }
  return new RegExp(`^${body}$`);
}

export function parseDtd(text: string): Dtd {
  const src = text.replace(/<!--[\s\S]*?-->/g, '');
  const elements = new Map<string, RegExp | 'text'>();
  for (const m of src.matchAll(/<!ELEMENT\s+(\S+)\s+([^>]+)>/g)) {
    const model = m[2]!.trim();
    elements.set(m[1]!, model.includes('#PCDATA') ? 'text' : modelRegex(model));
  }
  const attributes = new Map<string, AttributeRule[]>();
  for (const m of src.matchAll(/<!ATTLIST\s+(\S+)\s+([^>]+)>/g)) {
    const rules: AttributeRule[] = [];
    for (const line of m[2]!
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)) {
      const a = /^(\S+)\s+(\([^)]*\)|\S+)\s+(#REQUIRED|#IMPLIED)$/.exec(line);
      if (!a) throw new Error(`cannot read the attribute declaration "${line}"`);
      const type: AttributeRule['type'] = a[2]!.startsWith('(')
        ? a[2]!
            .slice(1, -1)
            .split('|')
            .map((s) => s.trim())
        : (a[2] as 'CDATA' | 'NMTOKEN');
      rules.push({ name: a[1]!, type, required: a[3] === '#REQUIRED' });
    }
    attributes.set(m[1]!, rules);
  }
  return { elements, attributes };
}

/** XML 1.0 §2.3 Nmtoken, for the ASCII names used here */
const NMTOKEN = /^[A-Za-z0-9._:-]+$/;

/** Every validity problem of `root` (a parsed document's element) against `dtd`. */
export function dtdProblems(root: Element, dtd: Dtd): string[] {
  const problems: string[] = [];
  const visit = (el: Element, path: string): void => {
    const where = `${path}/${el.tagName}`;
    const model = dtd.elements.get(el.tagName);
    if (!model) {
      problems.push(`${where}: element not declared`);
      return;
    }
    const children = Array.from(el.children);
    if (model === 'text') {
      if (children.length) problems.push(`${where}: may hold text only, holds <${children[0]!.tagName}>`);
    } else {
      const seq = children.map((c) => `${c.tagName},`).join('');
      if (!model.test(seq))
        problems.push(`${where}: children (${children.map((c) => c.tagName).join(', ')}) do not match ${model.source}`);
      const text = Array.from(el.childNodes)
        .filter((n) => n.nodeType === 3)
        .map((n) => n.textContent ?? '')
        .join('');
      if (text.trim()) problems.push(`${where}: element content may not hold text ("${text.trim().slice(0, 20)}")`);
    }
    const rules = dtd.attributes.get(el.tagName) ?? [];
    for (const attr of Array.from(el.attributes)) {
      const rule = rules.find((r) => r.name === attr.name);
      if (!rule) problems.push(`${where}: attribute ${attr.name} not declared`);
      else if (Array.isArray(rule.type) && !rule.type.includes(attr.value))
        problems.push(`${where}: ${attr.name}="${attr.value}" is not one of ${rule.type.join(', ')}`);
      else if (rule.type === 'NMTOKEN' && !NMTOKEN.test(attr.value))
        problems.push(`${where}: ${attr.name}="${attr.value}" is not an NMTOKEN`);
    }
    for (const rule of rules)
      if (rule.required && !el.hasAttribute(rule.name))
        problems.push(`${where}: required attribute ${rule.name} missing`);
    children.forEach((c) => visit(c, where));
  };
  visit(root, '');
  return problems;
}
