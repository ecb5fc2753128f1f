// The schemas in an editor: drives yaml-language-server (the engine of the VS Code YAML
// extension and of most other editors) over the Language Server Protocol, the way an editor
// does, and checks what a user would see, for every file kind: alert files, rule tests, the
// project file, overlays and saved plans. Each gets no diagnostic on valid files, a diagnostic
// at the right line for three mistakes, completion of top-level and nested keys with their
// descriptions, hover text on every key, and no completion that inserts a value the schema
// rejects. Run by .ci/run: `node tests/editor/check.mjs`. Every wait is bounded; the whole run
// gives up after 120 seconds.

import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const serverScript = createRequire(import.meta.url).resolve('yaml-language-server/bin/yaml-language-server');
const giveUp = setTimeout(() => fail('the language server did not finish within 120 s'), 120_000);

const failures = [];
let passed = 0;
function check(name, ok, detail) {
  if (ok) {
    passed += 1;
    console.log(`ok   ${name}`);
  } else {
    failures.push(name);
    console.log(`FAIL ${name}\n     ${detail}`);
  }
}
function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}

// --- a minimal LSP client over stdio ---------------------------------------------------
const server = spawn(process.execPath, [serverScript, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
server.on('exit', (code) => { if (!finished) fail(`the language server exited (${code})`); });
let finished = false;
let buffer = Buffer.alloc(0);
let nextId = 1;
const replies = new Map();
const diagnostics = new Map();
const diagnosticWaiters = new Map();
// Saved plans are JSON, with no modeline: associated by name, as a user's settings would.
const settings = {
  validate: true, hover: true, completion: true,
  format: { enable: false }, schemaStore: { enable: false },
  schemas: { [pathToFileURL(path.join(root, 'schemas', 'plan.schema.json')).href]: ['*.plan.json'] },
};
function send(message) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }));
  server.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  server.stdin.write(body);
}
server.stdout.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const headerEnd = buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, headerEnd).toString())[1]);
    if (buffer.length < headerEnd + 4 + length) return;
    const message = JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString());
    buffer = buffer.subarray(headerEnd + 4 + length);
    if (message.id !== undefined && message.method === undefined) {
      replies.get(message.id)?.(message);
      replies.delete(message.id);
    } else if (message.method === 'workspace/configuration') {
      send({ id: message.id, result: message.params.items.map(() => settings) });
    } else if (message.id !== undefined) {
      send({ id: message.id, result: null });
    } else if (message.method === 'textDocument/publishDiagnostics') {
      diagnostics.set(message.params.uri, message.params.diagnostics);
      diagnosticWaiters.get(message.params.uri)?.();
    }
  }
});
function request(method, params) {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => reject(new Error(`${method}: no answer within 10 s`)), 10_000);
    replies.set(id, (reply) => {
      clearTimeout(timer);
      reply.error ? reject(new Error(`${method}: ${JSON.stringify(reply.error)}`)) : resolve(reply.result);
    });
    send({ id, method, params });
  });
}

let version = 0;
/** Opens `text` as the document at `file` and waits for its diagnostics (at most 10 s). */
async function open(file, text) {
  const uri = pathToFileURL(file).href;
  const published = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no diagnostics for ${file} within 10 s`)), 10_000);
    diagnosticWaiters.set(uri, () => { clearTimeout(timer); resolve(); });
  });
  send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'yaml', version: ++version, text } } });
  await published;
  return { uri, diagnostics: diagnostics.get(uri) };
}
/** The position just after `marker` (its last occurrence) in `text`. */
function after(text, marker) {
  const offset = text.lastIndexOf(marker) + marker.length;
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}
async function complete(uri, position) {
  const result = await request('textDocument/completion', { textDocument: { uri }, position });
  return (result?.items ?? result ?? []);
}
const documentation = (item) => item.documentation?.value ?? item.documentation ?? '';

// --- the checks ------------------------------------------------------------------------
await request('initialize', {
  processId: process.pid,
  rootUri: pathToFileURL(root).href,
  capabilities: {
    textDocument: {
      completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
      hover: { contentFormat: ['markdown', 'plaintext'] },
    },
    workspace: { configuration: true },
  },
});
send({ method: 'initialized', params: {} });
send({ method: 'workspace/didChangeConfiguration', params: { settings: { yaml: settings } } });

const examples = readdirSync(path.join(root, 'examples')).filter((name) => name.endsWith('.yaml'));
check('there are examples to check', examples.length >= 4, `found ${examples.length}`);
for (const name of examples) {
  const file = path.join(root, 'examples', name);
  const { diagnostics: found } = await open(file, readFileSync(file, 'utf8'));
  check(`examples/${name}: no diagnostics`, found.length === 0, JSON.stringify(found));
}

const modeline = '# yaml-language-server: $schema=../schemas/flex-alerts.schema.json\n';
const draft = `${modeline}version: 1
alerts:
  - name: Support waiting
    metric: 
    channel: voice
    queues:
      - 
    thresholds:
      warning:
        
    notify:
      users:
        - 
      pager: true
  - 
`;
const { uri, diagnostics: draftDiagnostics } = await open(path.join(root, 'examples', 'editor-probe.yaml'), draft);

const metrics = await complete(uri, after(draft, 'metric: '));
check('metric: completes all 17 metrics', metrics.length === 17, metrics.map((item) => item.label).join(', '));
check(
  'metric: every completion says what the metric counts and its unit',
  metrics.length > 0 && metrics.every((item) => /Unit: (tasks|agents|seconds|offers|percent)/.test(documentation(item))),
  JSON.stringify(metrics.map((item) => [item.label, documentation(item)])),
);

const thresholdKeys = (await complete(uri, after(draft, 'warning:\n        '))).map((item) => item.label);
check('an empty warning: offers above and below', thresholdKeys.includes('above') && thresholdKeys.includes('below'), thresholdKeys.join(', '));

const queueItems = await complete(uri, after(draft, 'queues:\n      - '));
check('a - item under queues: offers something', queueItems.length > 0, '[]');
const userItems = await complete(uri, after(draft, 'users:\n        - '));
check('a - item under users: offers something', userItems.length > 0, '[]');
const alertItems = (await complete(uri, after(draft, '\n  - '))).map((item) => item.label);
check('a new - under alerts: offers the new-alert snippet', alertItems.includes('new alert'), alertItems.join(', '));

const unknown = draftDiagnostics.filter((d) => /pager/.test(d.message));
check('an unknown key is a diagnostic', unknown.length === 1 && unknown[0].range.start.line === 14, JSON.stringify(draftDiagnostics));

const hover = await request('textDocument/hover', { textDocument: { uri }, position: after(draft, '    metr') });
const hoverText = hover?.contents?.value ?? '';
check('hover heading names the key, not the whole file', hoverText.startsWith('#### metric'), hoverText);
check('hover text has no escaped backticks or broken lines', !hoverText.includes('\\`') && !/[a-z]\n\n[a-z]/.test(hoverText), hoverText);

// --- every file kind -------------------------------------------------------------------
/** The text of the first fenced YAML block of a doc that contains `marker`. */
function docBlock(doc, marker) {
  const text = readFileSync(path.join(root, 'docs', doc), 'utf8');
  const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]);
  const block = blocks.find((candidate) => candidate.includes(marker));
  if (!block) fail(`docs/${doc} has no YAML block with ${marker}`);
  return block;
}
/** `text` without the snippet syntax of a completion (`${1:value}` -> `value`, `$1` -> ``). */
const plain = (text) => text.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\{\d+\}|\$\d+/g, '');
/** Every `key:` of a document (block and flow keys, not in comments or quotes), with where. */
function keysOf(text) {
  const found = [];
  text.split('\n').forEach((line, number) => {
    const code = line.replace(/#.*$/, '').replace(/"[^"]*"/g, (quoted) => ' '.repeat(quoted.length));
    for (const match of code.matchAll(/([A-Za-z_]+)"?:(?=\s|$)/g)) {
      found.push({ key: match[1], line: number, character: match.index });
    }
  });
  return found;
}

/**
 * The checks every file kind gets. `kind`: what it is; `file`: where it is opened (its
 * modeline, if any, is relative to it); `valid`: texts that must have no diagnostic;
 * `mistakes`: [what, text, line] a diagnostic must be at; `top`: a text and the marker after
 * which top-level keys are completed, with keys that must be offered; `nested`: likewise
 * inside a mapping.
 */
async function fileKind({ kind, file, valid, mistakes, top, nested }) {
  for (const [index, text] of valid.entries()) {
    const { uri, diagnostics: found } = await open(file, text);
    check(`${kind}: valid file ${index + 1} has no diagnostics`, found.length === 0, JSON.stringify(found));
    let missing = [];
    for (const { key, line, character } of keysOf(text)) {
      const hover = await request('textDocument/hover', { textDocument: { uri }, position: { line, character: character + 1 } });
      const shown = hover?.contents?.value ?? hover?.contents ?? '';
      if (!String(shown).trim()) missing.push(`${key} (line ${line + 1})`);
    }
    check(`${kind}: valid file ${index + 1}: hover text on every key`, missing.length === 0, missing.join(', '));
  }
  for (const [what, text, line] of mistakes) {
    const { diagnostics: found } = await open(file, text);
    check(
      `${kind}: ${what} is a diagnostic at line ${line + 1}`,
      found.some((d) => d.range.start.line === line),
      JSON.stringify(found.map((d) => [d.range.start.line + 1, d.message])),
    );
  }
  for (const [where, spec] of Object.entries({ top, nested })) {
    if (!spec) continue;
    const { text, marker, keys } = spec;
    const { uri } = await open(file, text);
    const items = await complete(uri, after(text, marker));
    const labels = items.map((item) => item.label);
    check(`${kind}: ${where}-level completion offers ${keys.join(', ')}`, keys.every((key) => labels.includes(key)), labels.join(', '));
    const undocumented = items.filter((item) => keys.includes(item.label) && !documentation(item).trim());
    check(`${kind}: ${where}-level completions say what each key is`, undocumented.length === 0, undocumented.map((item) => item.label).join(', '));
    // What a completion inserts must be what the schema takes: never `null`, and a value it
    // writes out is one the server then accepts.
    const bad = [];
    for (const item of items) {
      const inserted = plain(item.insertText ?? item.textEdit?.newText ?? item.label);
      if (/(^|:\s*)null\b/.test(inserted)) {
        bad.push(`${item.label} inserts null`);
        continue;
      }
      const value = /^[A-Za-z_]+:[ \t]+(\S[^\n]*)$/.exec(inserted)?.[1];
      if (value === undefined) continue;
      const position = after(text, marker);
      const lines = text.split('\n');
      lines[position.line] = lines[position.line].slice(0, position.character) + inserted + lines[position.line].slice(position.character);
      const { diagnostics: found } = await open(file, lines.join('\n'));
      const here = found.filter((d) => d.range.start.line === position.line && !/Missing property/.test(d.message));
      if (here.length > 0) bad.push(`${item.label}: ${inserted} -> ${here.map((d) => d.message).join('; ')}`);
    }
    check(`${kind}: no ${where}-level completion inserts a value the schema rejects`, bad.length === 0, bad.join(' | '));
  }
}

const testFile = readFileSync(path.join(root, 'examples', 'voice.test.yaml'), 'utf8');
await fileKind({
  kind: 'rule tests',
  file: path.join(root, 'examples', 'probe.test.yaml'),
  valid: [testFile],
  mistakes: [
    ['an unknown key', testFile.replace('    series:\n', '    serie:\n'), testFile.split('\n').findIndex((l) => l === '    series:')],
    ['a level that does not exist', testFile.replace('level: critical }', 'level: orange }'), testFile.split('\n').findIndex((l) => l.includes('level: critical }'))],
    ['a time that is no duration', testFile.replace('interval: 1m', 'interval: soon'), testFile.split('\n').findIndex((l) => l === 'interval: 1m')],
  ],
  top: { text: '# yaml-language-server: $schema=../schemas/flex-alerts-test.schema.json\nversion: 1\n', marker: 'version: 1\n', keys: ['tests', 'interval'] },
  nested: {
    text: '# yaml-language-server: $schema=../schemas/flex-alerts-test.schema.json\nversion: 1\ntests:\n  - name: A case\n    ',
    marker: 'name: A case\n    ',
    keys: ['series', 'expect', 'notifications'],
  },
});

const project = docBlock('environments.md', 'flex-alerts-project.schema.json');
const projectLine = (prefix) => project.split('\n').findIndex((l) => l.startsWith(prefix));
await fileKind({
  kind: 'project file',
  file: path.join(root, 'flex-alerts.yaml'),
  valid: [project],
  mistakes: [
    ['an unknown key', project.replace('environments:', 'enviroments:'), projectLine('environments:')],
    ['credentials in lower case', project.replace('credentials: FLEX_PROD', 'credentials: flex_prod'), projectLine('    credentials: FLEX_PROD')],
    ['a protection that does not exist', project.replace('protect: [delete, replace]', 'protect: [destroy]'), projectLine('    protect: [delete, replace]')],
  ],
  top: { text: '# yaml-language-server: $schema=schemas/flex-alerts-project.schema.json\nversion: 1\n', marker: 'version: 1\n', keys: ['alerts', 'environments', 'default_environment'] },
  nested: {
    text: '# yaml-language-server: $schema=schemas/flex-alerts-project.schema.json\nversion: 1\nenvironments:\n  staging:\n    ',
    marker: 'staging:\n    ',
    keys: ['store', 'credentials', 'vars', 'overlay', 'protect'],
  },
});

const overlay = docBlock('environments.md', 'flex-alerts-overlay.schema.json');
const overlayLine = (prefix) => overlay.split('\n').findIndex((l) => l.startsWith(prefix));
await fileKind({
  kind: 'overlay',
  file: path.join(root, 'overlays', 'staging', 'probe.yaml'),
  valid: [overlay],
  mistakes: [
    ['an unknown key', overlay.replace('    exclude: true', '    exclud: true'), overlayLine('    exclude: true')],
    ['exclude that is not a boolean', overlay.replace('    exclude: true', '    exclude: 3'), overlayLine('    exclude: true')],
    ['no version', overlay.replace('version: 1\n', 'version: 2\n'), overlayLine('version: 1')],
  ],
  top: { text: '# yaml-language-server: $schema=../../schemas/flex-alerts-overlay.schema.json\nversion: 1\n', marker: 'version: 1\n', keys: ['overlay', 'alerts'] },
  nested: {
    text: '# yaml-language-server: $schema=../../schemas/flex-alerts-overlay.schema.json\nversion: 1\noverlay:\n  - name: Support voice - longest wait\n    ',
    marker: 'longest wait\n    ',
    keys: ['exclude', 'queues', 'active', 'thresholds', 'notify'],
  },
});

const alertsModeline = '# yaml-language-server: $schema=../schemas/flex-alerts.schema.json\n';
const voice = readFileSync(path.join(root, 'examples', 'voice.yaml'), 'utf8');
const voiceLine = (prefix) => voice.split('\n').findIndex((l) => l.startsWith(prefix));
await fileKind({
  kind: 'alert file',
  file: path.join(root, 'examples', 'probe.yaml'),
  valid: [voice],
  mistakes: [
    ['an unknown key', voice.replace('    thresholds:', '    thresolds:'), voiceLine('    thresholds:')],
    ['a metric that does not exist', voice.replace('metric: Longest (Now)', 'metric: Longest'), voiceLine('    metric: Longest (Now)')],
    ['a queue list that is empty', voice.replace(/queues: \[[^\]]*\]/, 'queues: []'), voiceLine('    queues:')],
  ],
  top: { text: `${alertsModeline}version: 1\n`, marker: 'version: 1\n', keys: ['alerts', 'settings', 'forget'] },
  nested: {
    text: `${alertsModeline}version: 1\nalerts:\n  - name: Probe\n    `,
    marker: 'name: Probe\n    ',
    keys: ['metric', 'channel', 'queues', 'thresholds', 'notify', 'active', 'protect'],
  },
});

const snapshot = readFileSync(path.join(root, 'tests', 'integration', 'snapshots', 'integration__render__json_plan.snap'), 'utf8');
const plan = snapshot.slice(snapshot.indexOf('\n---\n') + 5);
const planLine = (prefix) => plan.split('\n').findIndex((l) => l.startsWith(prefix));
await fileKind({
  kind: 'saved plan',
  file: path.join(root, 'examples', 'probe.plan.json'),
  valid: [plan],
  mistakes: [
    ['a format that does not exist', plan.replace('"format_version": 1', '"format_version": 2'), planLine('  "format_version": 1')],
    ['an unknown key', plan.replace('"prune": true', '"prun": true'), planLine('  "prune": true')],
    ['prune that is not a boolean', plan.replace('"prune": true', '"prune": "yes"'), planLine('  "prune": true')],
  ],
});

finished = true;
clearTimeout(giveUp);
server.kill();
console.log(`${passed} passed, ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
