// Checks the PowerShell that the SSM documents of template.yaml run in the guest, with a real PowerShell
// grammar (tree-sitter-powershell), for what only a Windows Server would otherwise show:
//   syntax        the grammar finds an ERROR or a MISSING node, or a string holds "$name:": PowerShell would refuse the script.
//   powershell3   a feature that PowerShell 2.0 lacks, in a script that may run on PowerShell 2.0. Windows Server
//                 2008 R2 ships PowerShell 2.0 ("Windows PowerShell System Requirements", Microsoft Learn). PowerShell
//                 2.0 runs on the .NET 2.0 CLR, so .NET 4.5 types (System.IO.Compression.ZipFile) are out too.
//                 AssessGuest refuses PowerShell below 3.0 whenever a package step runs (GuestRules), so the documents
//                 in POWERSHELL3_DOCUMENTS, which run only after that refusal, may use PowerShell 3.0; every other
//                 script, and every script given with --script, must run on 2.0: CaptureGuestFacts runs before the
//                 version is known, and SetPowerManagement and RestoreNetworkConfig also run on a guest that needs
//                 no package and so keeps PowerShell 2.0.
//   exit-code     a native program whose exit code is not checked by the next statement. PowerShell does
//                 not stop on a native program's failure, whatever $ErrorActionPreference says ("about
//                 Automatic Variables", $LASTEXITCODE), so an unchecked failure runs on into the next step.
//   sysnative     a path through %SystemRoot%\Sysnative, which exists only for 32-bit processes
//                 ("File System Redirector", Microsoft Learn); the SSM agent runs the 64-bit PowerShell.
//   aws-tools     a cmdlet of AWS Tools for PowerShell (Read-S3Object, Get-EC2Instance...). The guest has no
//                 such module to rely on, its instance profile no permission to rely on, and without -Region the
//                 S3 cmdlets go to the global endpoint ("Specify the AWS Region", AWS Tools for PowerShell User
//                 Guide); the packages come from a presigned URL with .NET's WebClient instead.
//   interpolation a {{ NAME }} anywhere but in the fallback for older agents, if (-not (Test-Path env:SSM_NAME))
//                 { $env:SSM_NAME = '{{ NAME }}' }: SSM Agent replaces every {{ NAME }} of the script's text, comments
//                 included, with the value, so a quote or line break in it would be code. The script reads
//                 $env:SSM_NAME, which SSM Agent 3.3.2746.0 and later set for a parameter declared with
//                 interpolationType ENV_VAR ("Data elements and parameters"; "Troubleshooting parameter handling
//                 issues", SSM User Guide); an older agent sets none, so every read of $env:SSM_NAME needs the
//                 fallback before it. In a template, the fallback's parameter must be declared with
//                 interpolationType: ENV_VAR.
//
// node check.mjs TEMPLATE.yaml        every aws:runPowerShellScript script of every AWS::SSM::Document
// node check.mjs --script FILE.ps1    one script, held to every rule (PowerShell 2.0 included)
// node check.mjs --powershell3-documents   the documents exempt from the powershell3 rule, one a line
// Prints one finding a line, "DOCUMENT:LINE: RULE: what to do", LINE being the line of the file given;
// exits 1 when it found any, 2 when it could not read its input.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import Parser from 'tree-sitter';
import PowerShell from 'tree-sitter-powershell';
import { parseDocument, LineCounter, isMap, isSeq, isScalar } from 'yaml';

const parser = new Parser();
parser.setLanguage(PowerShell);

const PS3_COMMANDS = new Map(Object.entries({
  'convertto-json': 'PowerShell 3.0', 'convertfrom-json': 'PowerShell 3.0', 'get-filehash': 'PowerShell 4.0',
  'invoke-webrequest': 'PowerShell 3.0', 'iwr': 'PowerShell 3.0', 'invoke-restmethod': 'PowerShell 3.0',
  'irm': 'PowerShell 3.0', 'expand-archive': 'PowerShell 5.0', 'compress-archive': 'PowerShell 5.0',
  'get-ciminstance': 'PowerShell 3.0', 'invoke-cimmethod': 'PowerShell 3.0', 'set-ciminstance': 'PowerShell 3.0',
  'new-cimsession': 'PowerShell 3.0', 'get-scheduledtask': 'Windows Server 2012',
  'register-scheduledtask': 'Windows Server 2012', 'get-netadapter': 'Windows Server 2012',
  'get-netipaddress': 'Windows Server 2012', 'new-netipaddress': 'Windows Server 2012',
  'get-netipconfiguration': 'Windows Server 2012', 'get-dnsclientserveraddress': 'Windows Server 2012',
  'set-dnsclientserveraddress': 'Windows Server 2012', 'resolve-dnsname': 'Windows Server 2012',
  'test-netconnection': 'Windows Server 2012 R2', 'get-disk': 'Windows Server 2012', 'get-volume': 'Windows Server 2012',
  'get-pnpdevice': 'Windows Server 2016', 'get-windowsdriver': 'Windows Server 2012',
}));
const PS3_TYPES = new Map(Object.entries({
  'ordered': 'the [ordered] accelerator (PowerShell 3.0)',
  'pscustomobject': '[pscustomobject]@{...} (PowerShell 3.0)',
  'io.compression.zipfile': '.NET 4.5 (PowerShell 2.0 runs on .NET 2.0)',
  'system.io.compression.zipfile': '.NET 4.5 (PowerShell 2.0 runs on .NET 2.0)',
  'io.compression.zipfileextensions': '.NET 4.5 (PowerShell 2.0 runs on .NET 2.0)',
  'net.http.httpclient': '.NET 4.5 (PowerShell 2.0 runs on .NET 2.0)',
  'system.net.http.httpclient': '.NET 4.5 (PowerShell 2.0 runs on .NET 2.0)',
}));
// The SSM documents (template.yaml's logical IDs) that run only on a guest AssessGuest let through with PowerShell 3.0 or
// later: the package steps, which it refuses below 3.0 (they unpack with .NET 4.5's ZipFile), and the check of the
// EC2Config update, which runs only after UpdateLaunchAgent did. Any other document is held to PowerShell 2.0.
export const POWERSHELL3_DOCUMENTS = new Map(Object.entries({
  InstallPvDriverDocument: 'a package step', InstallEnaDriverDocument: 'a package step',
  InstallNvmeDriverDocument: 'a package step', UpdateLaunchAgentDocument: 'a package step (EC2Config; EC2Launch is on 2016 or later)',
  CheckLaunchAgentUpdateDocument: 'runs only after UpdateLaunchAgent',
}));
const PS3_OPERATORS = new Set(['-in', '-notin', '-iin', '-cin', '-inotin', '-cnotin', '-shl', '-shr']);
const PS3_METHODS = new Set(['foreach', 'where']);
// Parameters added after PowerShell 2.0 to cmdlets that 2.0 has.
const PS3_PARAMETERS = new Map(Object.entries({
  'get-childitem': ['-file', '-directory', '-attributes', '-hidden', '-readonly', '-system', '-depth'],
  'gci': ['-file', '-directory'], 'dir': ['-file', '-directory'], 'ls': ['-file', '-directory'],
  'out-file': ['-nonewline'], 'set-content': ['-nonewline'], 'add-content': ['-nonewline'],
  'get-content': ['-raw'],
  'foreach-object': ['-membername'], 'where-object': ['-property', '-eq', '-ne', '-like', '-match', '-in', '-value'],
}));
// Programs that are not .exe by name in a script but run as native processes.
const NATIVE = new Set(['msiexec', 'dpinst', 'pnputil', 'rundll32', 'powercfg', 'netsh', 'sc', 'reg', 'bcdedit',
  'sysprep', 'wmic', 'cmd', 'dism', 'net', 'net1', 'icacls', 'takeown', 'schtasks', 'certutil', 'wusa', 'shutdown',
  'ipconfig', 'route', 'w32tm', 'fsutil', 'diskpart', 'expand', 'robocopy', 'xcopy', 'setx', 'attrib', 'cacls',
  'wevtutil', 'winrm', 'bitsadmin', 'findstr', 'ping', 'nslookup', 'systeminfo', 'tzutil', 'powershell', 'pwsh']);
const NATIVE_SUFFIX = /\.(exe|com|bat|cmd)$/i;
// AWS Tools for PowerShell: every cmdlet is VERB-[prefix]NOUN with a service prefix (S3Object, EC2Instance, SSMCommand...),
// plus the module's own configuration cmdlets.
const AWS_TOOLS = /^[a-z]+-(s3|ec2|ssm|iam|sts|kms|sns|sqs|cfn|lm|ddb|cwl|cw)[a-z]+$|^(initialize-awsdefaultconfiguration|set-awscredentials?|set-defaultawsregion|import-module)$/;
const AWS_TOOLS_MODULES = /awspowershell|aws\.tools/i;

function* walk(node) {
  yield node;
  for (const child of node.children) yield* walk(child);
}

function unquote(text) {
  return text.replace(/^["']|["']$/g, '');
}

/** The program a command node runs when it is native, else null. */
function nativeProgram(command) {
  const name = command.childForFieldName('command_name');
  if (!name) return null;
  const text = unquote(name.text);
  const program = text.split(/[\\/]/).pop().toLowerCase();
  if (NATIVE_SUFFIX.test(program)) return program;
  if (name.type === 'command_name' && NATIVE.has(program)) return program;
  return null;
}

function commandName(command) {
  const name = command.childForFieldName('command_name');
  return name ? unquote(name.text).split('\\').pop().toLowerCase() : '';
}

function parameters(command) {
  const elements = command.childForFieldName('command_elements');
  if (!elements) return [];
  return elements.namedChildren.filter((n) => n.type === 'command_parameter').map((n) => n.text.toLowerCase().replace(/:$/, ''));
}

/** The statement, a child of a statement_list, that holds node. */
function statementOf(node) {
  let n = node;
  while (n.parent && n.parent.type !== 'statement_list') n = n.parent;
  return n.parent ? n : null;
}

function nextStatement(statement) {
  let n = statement.nextNamedSibling;
  while (n && (n.type === 'comment' || n.type === 'empty_statement')) n = n.nextNamedSibling;
  return n;
}

/** Whether the statement after the call is an if whose condition reads what tells the call's outcome. */
function checkedNext(statement, reads) {
  const next = statement && nextStatement(statement);
  if (!next || next.type !== 'if_statement') return false;
  const condition = next.childForFieldName('condition');
  return !!condition && [...walk(condition)].some(reads);
}

function isVariable(node, name) {
  return node.type === 'variable' && node.text.toLowerCase() === name.toLowerCase();
}

/** The variable a Start-Process -PassThru result is assigned to, e.g. "$p", or null. */
function assignedVariable(statement, command) {
  for (const n of walk(statement)) {
    if (n.type === 'assignment_expression') {
      const left = n.namedChildren.find((c) => c.type === 'left_assignment_expression');
      const value = n.childForFieldName('value');
      if (left && value && value.startIndex <= command.startIndex && command.endIndex <= value.endIndex) {
        const v = [...walk(left)].find((c) => c.type === 'variable');
        return v ? v.text : null;
      }
    }
  }
  return null;
}

function readsExitCode(variable) {
  return (n) => n.type === 'member_access' && n.namedChildren.some((c) => isVariable(c, variable))
    && n.namedChildren.some((c) => c.type === 'member_name' && c.text.toLowerCase() === 'exitcode');
}

const SSM_VARIABLE = /^\$\{?env:SSM_([A-Za-z0-9_]+)\}?$/i;
const FALLBACK_VALUE = /^'\{\{\s*([A-Za-z0-9_]+)\s*\}\}'$/;

/** Whether the assignment is all an if (-not (Test-Path env:SSM_NAME)) { ... } does: it runs only when the agent set nothing. */
function guarded(assignment, name) {
  let n = assignment;
  while (n && n.type !== 'if_statement' && n.type !== 'program') n = n.parent;
  if (!n || n.type !== 'if_statement') return false;
  const [condition, block] = n.namedChildren;
  const test = new RegExp(`^-not\\s*\\(\\s*Test-Path\\s+env:SSM_${name}\\s*\\)$`, 'i');
  return !!condition && test.test(condition.text.trim()) && n.namedChildren.length === 2 && !!block
    && block.text.replace(/^\{\s*|\s*\}$/g, '') === assignment.text;
}

/** The fallbacks if (-not (Test-Path env:SSM_NAME)) { $env:SSM_NAME = '{{ NAME }}' }: [{name, assignment, target, literal}]. */
function fallbacks(root) {
  const found = [];
  for (const n of walk(root)) {
    if (n.type !== 'assignment_expression') continue;
    const left = n.namedChildren.find((c) => c.type === 'left_assignment_expression');
    const value = n.childForFieldName('value');
    const target = left && [...walk(left)].find((c) => c.type === 'variable');
    const variable = target && target.text.match(SSM_VARIABLE);
    const literal = value && [...walk(value)].find((c) => c.type === 'string_literal');
    const text = value && value.text.trim().match(FALLBACK_VALUE);
    if (variable && literal && text && literal.text === value.text.trim() && text[1] === variable[1] && guarded(n, variable[1])) {
      found.push({ name: variable[1], assignment: n, target, literal });
    }
  }
  return found;
}

/** Whether the variable is what an assignment sets rather than a read of it. */
function assigned(variable) {
  for (let n = variable.parent; n; n = n.parent) {
    if (n.type === 'left_assignment_expression') return true;
    if (n.type === 'assignment_expression' || n.type === 'statement_list') return false;
  }
  return false;
}

/** Findings of the interpolation rule; declared (a template's document) maps each parameter's name to its interpolationType. */
function interpolation(root, declared, add) {
  const allowed = fallbacks(root);
  const inFallback = (node) => allowed.some((f) => f.literal.startIndex <= node.startIndex && node.endIndex <= f.literal.endIndex);
  for (const n of walk(root)) {
    // The deepest node whose text holds {{: a string, a comment, or the braces PowerShell would read as script blocks.
    if (n.text.includes('{{') && !n.children.some((c) => c.text.includes('{{')) && !inFallback(n)) {
      const name = (n.text.match(/\{\{\s*([^{}\s]*)\s*\}\}/) || [null, 'NAME'])[1];
      add(n, 'interpolation', `{{ ${name} }} is replaced with the value in the script's text, where a quote or line break in it becomes code:`
        + ` declare the parameter with interpolationType: ENV_VAR and read $env:SSM_${name}; only the fallback`
        + ` if (-not (Test-Path env:SSM_${name})) { $env:SSM_${name} = '{{ ${name} }}' } may name it`);
    }
    if (n.type === 'variable' && !assigned(n)) {
      const m = n.text.match(SSM_VARIABLE);
      if (m && !allowed.some((f) => f.name === m[1] && f.assignment.endIndex <= n.startIndex)) {
        add(n, 'interpolation', `an SSM Agent older than 3.3.2746.0 sets no SSM_${m[1]}: before reading it, copy it from the text with`
          + ` if (-not (Test-Path env:SSM_${m[1]})) { $env:SSM_${m[1]} = '{{ ${m[1]} }}' }`);
      }
    }
  }
  if (declared) {
    for (const f of allowed) {
      if (declared.get(f.name) !== 'ENV_VAR') {
        add(f.assignment, 'interpolation', declared.has(f.name)
          ? `${f.name} is not declared with interpolationType: ENV_VAR: no agent sets SSM_${f.name}, so the value is only ever in the script's text`
          : `the document declares no parameter ${f.name}`);
      }
    }
  }
}

/**
 * Findings for one script: [{row, rule, message}], row 0-based within the script. powerShell3 true: the script runs
 * only where PowerShell 3.0 or later is, so the powershell3 rule does not apply; every other rule does.
 * declared: the document's parameters, name to interpolationType (null for a script given alone).
 */
export function checkScript(source, { powerShell3 = false, declared = null } = {}) {
  const tree = parser.parse(source);
  const out = [];
  const add = (node, rule, message) => {
    if (!(powerShell3 && rule === 'powershell3')) out.push({ row: node.startPosition.row, rule, message });
  };
  interpolation(tree.rootNode, declared, add);
  for (const n of walk(tree.rootNode)) {
    if (n.type === 'ERROR' || n.isMissing) {
      add(n, 'syntax', n.isMissing ? `PowerShell expects ${n.type} here` : `PowerShell cannot parse "${n.text.split('\n')[0].slice(0, 60)}"`);
      continue;
    }
    if (n.type === 'comment') continue;
    // The grammar reads "$dir: text" as a variable and text; PowerShell refuses it ("Variable reference is not valid.
    // ':' was not followed by a valid variable name character"), as it reads $name: as a drive- or scope-qualified name.
    if (n.type === 'expandable_string_literal') {
      const bad = n.text.match(/(?<!`)\$[A-Za-z_][A-Za-z0-9_]*:(?![A-Za-z0-9_?{])/);
      const name = bad && bad[0].slice(1, -1);
      if (bad) add(n, 'syntax', `PowerShell reads ${bad[0]} as a qualified variable name and refuses the string: write $($${name}) or \${${name}}`);
    }
    // The deepest node whose text names Sysnative: a string, a bare word or a command's path.
    if (/sysnative/i.test(n.text) && !n.children.some((c) => /sysnative/i.test(c.text))) {
      add(n, 'sysnative', 'Sysnative exists only for 32-bit processes and the SSM agent runs 64-bit PowerShell: use $env:SystemRoot\\System32');
    }
    if (n.type === 'command') {
      const name = commandName(n);
      if (AWS_TOOLS.test(name) && (name !== 'import-module' || AWS_TOOLS_MODULES.test(n.text))) {
        add(n, 'aws-tools', `${name} is AWS Tools for PowerShell, which the guest may lack and which needs its instance profile's permissions: download from the presigned PackageUrl with New-Object Net.WebClient`);
      }
      if (PS3_COMMANDS.has(name)) {
        add(n, 'powershell3', `${name} needs ${PS3_COMMANDS.get(name)}; Windows Server 2008 R2 has PowerShell 2.0: use a .NET or WMI call PowerShell 2.0 has`);
      }
      for (const p of parameters(n)) {
        if ((PS3_PARAMETERS.get(name) || []).includes(p)) {
          add(n, 'powershell3', `${name} ${p} is not in PowerShell 2.0 (Windows Server 2008 R2): use a script block or a filter that 2.0 has`);
        }
      }
      const program = nativeProgram(n);
      const statement = statementOf(n);
      if (program) {
        if (!checkedNext(statement, (c) => isVariable(c, '$LASTEXITCODE'))) {
          add(n, 'exit-code', `${program}: check $LASTEXITCODE in an if right after the call and stop on failure; PowerShell goes on after a native program fails`);
        }
      } else if (name === 'start-process') {
        const ps = parameters(n);
        const variable = assignedVariable(statement, n);
        if (!ps.includes('-wait') || !ps.includes('-passthru') || !variable
            || !checkedNext(statement, readsExitCode(variable))) {
          add(n, 'exit-code', 'Start-Process: assign the result of Start-Process -Wait -PassThru and check its ExitCode in an if right after; PowerShell goes on after a native program fails');
        }
      }
    }
    if (n.type === 'type_name' && !(n.parent && n.parent.type === 'type_name')) {
      const t = n.text.toLowerCase();
      if (PS3_TYPES.has(t)) add(n, 'powershell3', `[${t}] needs ${PS3_TYPES.get(t)}; Windows Server 2008 R2 has PowerShell 2.0`);
    }
    if (n.type === 'comparison_operator' && PS3_OPERATORS.has(n.text.toLowerCase())) {
      add(n, 'powershell3', `${n.text} is a PowerShell 3.0 operator; Windows Server 2008 R2 has PowerShell 2.0: use -contains / -notcontains`);
    }
    if (n.type === 'variable' && n.text.toLowerCase() === '$psitem') {
      add(n, 'powershell3', '$PSItem is PowerShell 3.0; Windows Server 2008 R2 has PowerShell 2.0: use $_');
    }
    if (n.type === 'invokation_foreach_expression'
        || (n.type === 'invokation_expression' && n.namedChildren.some((c) => c.type === 'member_name' && PS3_METHODS.has(c.text.toLowerCase())))) {
      add(n, 'powershell3', '.ForEach() / .Where() are PowerShell 4.0; Windows Server 2008 R2 has PowerShell 2.0: use ForEach-Object / Where-Object');
    }
  }
  out.sort((a, b) => a.row - b.row);
  return out;
}

const CFN_TAGS = ['!Ref', '!Sub', '!GetAtt', '!Join', '!Select', '!Split', '!If', '!Not', '!Equals', '!And', '!Or',
  '!FindInMap', '!ImportValue', '!GetAZs', '!Base64', '!Cidr', '!Condition', '!Transform'].flatMap((tag) => [
  { tag, resolve: (value) => ({ [tag]: value }) },
  { tag, collection: 'seq', resolve: (value) => value },
  { tag, collection: 'map', resolve: (value) => value },
]);

/** Every aws:runPowerShellScript script of template.yaml: [{document, step, source, firstLine}]. */
export function templateScripts(text) {
  const lines = new LineCounter();
  const doc = parseDocument(text, { customTags: CFN_TAGS, lineCounter: lines });
  if (doc.errors.length) throw new Error(`template.yaml is not YAML: ${doc.errors[0].message}`);
  const resources = doc.get('Resources', true);
  const scripts = [];
  for (const pair of isMap(resources) ? resources.items : []) {
    const resource = pair.value;
    if (!isMap(resource) || resource.get('Type') !== 'AWS::SSM::Document') continue;
    const steps = resource.getIn(['Properties', 'Content', 'mainSteps'], true);
    const params = resource.getIn(['Properties', 'Content', 'parameters'], true);
    const parameters = new Map((isMap(params) ? params.items : []).map((p) => [String(p.key),
      isMap(p.value) ? String(p.value.get('interpolationType') ?? '') : '']));
    for (const step of isSeq(steps) ? steps.items : []) {
      if (!isMap(step) || step.get('action') !== 'aws:runPowerShellScript') continue;
      const commands = step.getIn(['inputs', 'runCommand'], true);
      for (const command of isSeq(commands) ? commands.items : []) {
        if (!isScalar(command)) continue;
        const at = lines.linePos(command.range[0]).line;
        // A block literal's text starts on the line after its "|"; its lines map one to one.
        const firstLine = command.type === 'BLOCK_LITERAL' ? at + 1 : at;
        scripts.push({ document: String(pair.key), step: step.get('name'), source: String(command.value), firstLine, declared: parameters });
      }
    }
  }
  return scripts;
}

function main(args) {
  let findings = [];
  let checked = 0;
  if (args[0] === '--powershell3-documents' && args.length === 1) {
    for (const d of POWERSHELL3_DOCUMENTS.keys()) console.log(d);
    return 0;
  }
  if (args[0] === '--script' && args[1]) {
    const source = readFileSync(args[1], 'utf8');
    checked = 1;
    findings = checkScript(source).map((f) => `${basename(args[1])}:${f.row + 1}: ${f.rule}: ${f.message}`);
  } else if (args.length === 1) {
    for (const s of templateScripts(readFileSync(args[0], 'utf8'))) {
      checked++;
      findings.push(...checkScript(s.source, { powerShell3: POWERSHELL3_DOCUMENTS.has(s.document), declared: s.declared }).map((f) => `${s.document}:${s.firstLine + f.row}: ${f.rule}: ${f.message}`));
    }
    if (checked === 0) {
      console.error(`${args[0]} has no aws:runPowerShellScript step in any AWS::SSM::Document: nothing was checked`);
      return 2;
    }
  } else {
    console.error('usage: node check.mjs TEMPLATE.yaml | node check.mjs --script FILE.ps1 | node check.mjs --powershell3-documents');
    return 2;
  }
  for (const f of findings) console.log(f);
  console.error(`checked ${checked} script(s): ${findings.length} finding(s)`);
  return findings.length ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exitCode = 2;
  }
}
