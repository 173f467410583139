import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import type { z } from 'zod';
import { EdxmlFormatError, EdxmlLimitError, EdxmlUnsafeXmlError } from './errors.ts';

/** Namespace of QCVN 102:2016/BTTTT; every element we read or write belongs to it. */
export const EDXML_NAMESPACE = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';
/** The prefix the axis's validators expect on every element below the root. */
export const EDXML_PREFIX = 'edXML';
/**
 * Our own extension namespace (attachment digests, the envelope signature). Kept apart from the
 * QCVN namespace so nothing we add can be mistaken for a standard element.
 */
export const HUB_NAMESPACE = 'urn:edoc-hub:edxml:1';
export const HUB_PREFIX = 'hub';

/** One element after namespace resolution and entity decoding. */
export interface XmlElement {
  readonly namespace: string | undefined;
  readonly localName: string;
  /** Attributes keyed `{namespace}local` (`local` alone when not namespaced); xmlns excluded. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** Character data directly inside the element (text and CDATA), decoded. */
  readonly text: string;
  /** XPath-like location, 1-based for repeated elements, for error messages. */
  readonly path: string;
}

/** A value of the plain form handed to zod: text for leaves, objects and arrays for the rest. */
export type Plain = string | PlainObject | Plain[];
export interface PlainObject {
  [key: string]: Plain;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Entities stay raw here: we decode the five predefined ones and character references ourselves
  // and refuse everything else, so no DOCTYPE-declared entity can ever be expanded.
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 32,
});

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Text and attribute values are escaped by `escapeText`/`escapeAttribute` before they get here.
  processEntities: false,
  suppressEmptyNode: true,
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decode and check raw edXML before any parser sees it: size limit, strict UTF-8, no DOCTYPE or
 * entity declaration (XXE, billion laughs), well-formedness. Then parse into namespace-resolved
 * elements.
 */
export function readXml(input: Uint8Array | string, maxBytes: number): XmlElement {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes) {
    throw new EdxmlLimitError(`input of ${size} bytes exceeds the limit of ${maxBytes}`, '');
  }
  let text: string;
  try {
    text = typeof input === 'string' ? input : utf8.decode(input);
  } catch (error) {
    throw new EdxmlFormatError('input is not valid UTF-8', '', { cause: error });
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const encoding = /^<\?xml[^>]*\bencoding\s*=\s*["']([^"']*)["']/.exec(text)?.[1];
  if (encoding !== undefined && encoding.toLowerCase() !== 'utf-8') {
    throw new EdxmlFormatError(`unsupported encoding ${encoding}; edXML must be UTF-8`, '');
  }
  if (/<!DOCTYPE/i.test(text)) {
    throw new EdxmlUnsafeXmlError('DOCTYPE declarations are refused', '');
  }
  if (/<!ENTITY/i.test(text)) {
    throw new EdxmlUnsafeXmlError('entity declarations are refused', '');
  }
  // XML 1.0 §2.11: line ends are normalized before parsing; &#13; still yields a CR afterwards.
  text = text.replace(/\r\n?/g, '\n');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new EdxmlFormatError(
      `not well-formed XML (line ${valid.err.line}, column ${valid.err.col}): ${valid.err.msg}`,
      '',
    );
  }
  let nodes: unknown;
  try {
    nodes = parser.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? `: ${error.message}` : '';
    throw new EdxmlFormatError(`not well-formed or too deeply nested XML${reason}`, '', {
      cause: error,
    });
  }
  const elements = toElements(
    nodes,
    new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]),
    '',
  );
  const [root, ...rest] = elements.children;
  if (root === undefined || rest.length > 0) {
    throw new EdxmlFormatError('expected exactly one root element', '');
  }
  if (elements.text.trim() !== '') {
    throw new EdxmlFormatError('text outside the root element', '');
  }
  return root;
}

interface Collected {
  children: XmlElement[];
  text: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toElements(
  nodes: unknown,
  scope: ReadonlyMap<string, string>,
  parentPath: string,
): Collected {
  const children: XmlElement[] = [];
  let text = '';
  if (!Array.isArray(nodes)) return { children, text };
  const seen = new Map<string, number>();
  for (const node of nodes) {
    if (!isRecord(node)) continue;
    const name = Object.keys(node).find((k) => k !== ':@');
    if (name === undefined) continue;
    const content = node[name];
    if (name === '#text') {
      text += decodeEntities(String(content), parentPath);
      continue;
    }
    if (name === '#cdata') {
      if (Array.isArray(content)) {
        for (const part of content) if (isRecord(part)) text += String(part['#text'] ?? '');
      }
      continue;
    }
    const rawAttributes = isRecord(node[':@']) ? node[':@'] : {};
    const localScope = new Map(scope);
    for (const [attr, value] of Object.entries(rawAttributes)) {
      if (attr === 'xmlns') localScope.set('', decodeEntities(String(value), parentPath));
      else if (attr.startsWith('xmlns:')) {
        localScope.set(attr.slice(6), decodeEntities(String(value), parentPath));
      }
    }
    const { prefix, local } = splitName(name);
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    const namespace = localScope.get(prefix ?? '') || undefined;
    const segment = namespace === EDXML_NAMESPACE ? local : name;
    const path = parentPath === '' ? segment : `${parentPath}/${segment}`;
    if (prefix !== undefined && namespace === undefined) {
      throw new EdxmlFormatError(`namespace prefix ${prefix} is not declared`, path);
    }
    const attributes = new Map<string, string>();
    for (const [attr, value] of Object.entries(rawAttributes)) {
      if (attr === 'xmlns' || attr.startsWith('xmlns:')) continue;
      const a = splitName(attr);
      const attrNamespace = a.prefix === undefined ? undefined : localScope.get(a.prefix);
      if (a.prefix !== undefined && attrNamespace === undefined) {
        throw new EdxmlFormatError(`namespace prefix ${a.prefix} is not declared`, path);
      }
      const key = attrNamespace === undefined ? a.local : `{${attrNamespace}}${a.local}`;
      attributes.set(key, decodeEntities(String(value), path));
    }
    const inner = toElements(content, localScope, path);
    children.push({
      namespace,
      localName: local,
      attributes,
      children: inner.children,
      text: inner.text,
      path,
    });
  }
  return { children, text };
}

function splitName(name: string): { prefix: string | undefined; local: string } {
  const colon = name.indexOf(':');
  return colon < 0
    ? { prefix: undefined, local: name }
    : { prefix: name.slice(0, colon), local: name.slice(colon + 1) };
}

const PREDEFINED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

/** Decode the five predefined entities and character references; refuse any other entity. */
export function decodeEntities(raw: string, path: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]*);?/g, (match, name: string) => {
    if (!match.endsWith(';')) {
      throw new EdxmlFormatError('a bare & must be written &amp;', path);
    }
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    const reference = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(name);
    if (reference === null) {
      throw new EdxmlUnsafeXmlError(`entity reference &${name}; is refused`, path);
    }
    const codePoint = Number.parseInt(reference[1] ?? reference[2] ?? '', reference[1] ? 16 : 10);
    const char = codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : '';
    if (char === '' || !XML_CHARS.test(char)) {
      throw new EdxmlFormatError(`character reference &${name}; is not an XML character`, path);
    }
    return char;
  });
}

/** Characters XML 1.0 allows in a document. */
export const XML_CHARS = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

/** The key a child element gets in the plain form: local name for QCVN elements. */
export function keyOf(element: XmlElement): string {
  if (element.namespace === EDXML_NAMESPACE) return element.localName;
  if (element.namespace === HUB_NAMESPACE) return `${HUB_PREFIX}:${element.localName}`;
  return `{${element.namespace ?? ''}}${element.localName}`;
}

/**
 * Turn an element into the plain form zod validates: a leaf becomes its text, an element with
 * children an object keyed by `keyOf`. Children named in `repeatable` (as `Parent/Child`) become
 * arrays; any other child may appear once. Attributes are dropped except those in our extension
 * namespace, which become `@hub:name` keys.
 */
export function toPlain(element: XmlElement, repeatable: ReadonlySet<string>): Plain {
  const hubAttributes = [...element.attributes].filter(([k]) => k.startsWith(`{${HUB_NAMESPACE}}`));
  if (element.children.length === 0 && hubAttributes.length === 0) return element.text;
  if (element.text.trim() !== '') {
    throw new EdxmlFormatError('text mixed with child elements', element.path);
  }
  const object: PlainObject = {};
  for (const [key, value] of hubAttributes) {
    object[`@${HUB_PREFIX}:${key.slice(HUB_NAMESPACE.length + 2)}`] = value;
  }
  for (const child of element.children) {
    const key = keyOf(child);
    const value = toPlain(child, repeatable);
    if (repeatable.has(`${element.localName}/${key}`)) {
      const list = object[key];
      if (Array.isArray(list)) list.push(value);
      else object[key] = [value];
    } else if (key in object) {
      throw new EdxmlFormatError(`element ${displayName(key)} may appear only once`, child.path);
    } else {
      object[key] = value;
    }
  }
  return object;
}

function displayName(key: string): string {
  return key.startsWith('{') || key.includes(':') ? key : `${EDXML_PREFIX}:${key}`;
}

/**
 * Validate the plain form with a schema; the first issue becomes an EdxmlFormatError whose path
 * names the element (`edXMLEnvelope/edXMLHeader/MessageHeader/To[2]/OrganId`).
 */
export function validatePlain<S extends z.ZodType>(
  schema: S,
  value: unknown,
  basePath: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  // An unknown element says more than the "missing" it often causes (a misspelt or foreign name).
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
  if (issue === undefined) throw new EdxmlFormatError('invalid edXML', basePath);
  const segments = basePath === '' ? [] : [basePath];
  let cursor: unknown = value;
  for (const segment of issue.path) {
    if (typeof segment === 'number') {
      segments[segments.length - 1] = `${segments.at(-1) ?? ''}[${segment + 1}]`;
      cursor = Array.isArray(cursor) ? cursor[segment] : undefined;
    } else {
      segments.push(String(segment));
      cursor = isRecord(cursor) ? cursor[String(segment)] : undefined;
    }
  }
  const path = segments.join('/');
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map(displayName).join(', ');
    throw new EdxmlFormatError(`unknown element ${names}`, path);
  }
  if (cursor === undefined) {
    throw new EdxmlFormatError('missing required element', path);
  }
  throw new EdxmlFormatError(issue.message, path);
}

/** Escape character data for element content (CR kept as a reference so it survives parsing). */
export function escapeText(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** Escape an attribute value (double-quoted). */
export function escapeAttribute(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

type BuilderNode = Record<string, unknown>;

/**
 * Serialize a validated plain object: keys in object order (zod returns them in schema order,
 * which is the QCVN sequence), `@hub:` keys as attributes, arrays as repeated elements, every QCVN
 * element with the `edXML:` prefix. No whitespace is added, so the output is deterministic.
 */
export function plainToNodes(value: PlainObject): BuilderNode[] {
  const nodes: BuilderNode[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('@') || child === undefined) continue;
    for (const item of Array.isArray(child) ? child : [child]) {
      nodes.push(elementNode(key, item));
    }
  }
  return nodes;
}

function elementNode(key: string, value: Plain): BuilderNode {
  const name = key.includes(':') ? key : `${EDXML_PREFIX}:${key}`;
  if (typeof value === 'string') {
    return { [name]: value === '' ? [] : [{ '#text': escapeText(value) }] };
  }
  if (Array.isArray(value)) throw new TypeError(`nested array under ${key}`);
  const node: BuilderNode = { [name]: plainToNodes(value) };
  const attributes = Object.entries(value).filter(([k]) => k.startsWith('@'));
  if (attributes.length > 0) {
    node[':@'] = Object.fromEntries(
      attributes.map(([k, v]) => [k.slice(1), escapeAttribute(String(v))]),
    );
  }
  return node;
}

/** A complete document: declaration, then `root` with the given namespace declarations. */
export function serialize(
  rootName: string,
  namespaces: Readonly<Record<string, string>>,
  children: BuilderNode[],
): string {
  const root: BuilderNode = {
    [rootName]: children,
    ':@': Object.fromEntries(Object.entries(namespaces).map(([k, v]) => [k, escapeAttribute(v)])),
  };
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build([root])}`;
}
