// The alert schema in an editor: drives yaml-language-server (the engine of the VS Code YAML
// extension and of most other editors) over the Language Server Protocol, the way an editor
// does, and checks what a user would see. Run by .ci/run: `node tests/editor/check.mjs`.
// Every wait is bounded; the whole run gives up after 60 seconds.

import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const serverScript = createRequire(import.meta.url).resolve('yaml-language-server/bin/yaml-language-server');
const giveUp = setTimeout(() => fail('the language server did not finish within 60 s'), 60_000);

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
const settings = {
  validate: true, hover: true, completion: true,
  format: { enable: false }, schemaStore: { enable: false }, schemas: {},
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

finished = true;
clearTimeout(giveUp);
server.kill();
console.log(`${passed} passed, ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
