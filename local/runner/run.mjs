// Runs one execution of a real state machine with aws-local-stepfunctions against the local cloud.
// Lambda tasks go to the local Lambda host (AWS_ENDPOINT_URL_LAMBDA). The optimized integration
// arn:aws:states:::lambda:invoke[.waitForTaskToken], which the package does not implement, is run
// here: the task token is opened on the emulator, the function invoked, and the outcome awaited
// from the emulator's task-token API (SendTaskSuccess / SendTaskFailure), as in AWS. The line
// {"type":"TaskTokenWaiting"} names the token, the function and what it returned: the Java side
// answers as --approval says.
// A Task on arn:aws:states:::states:startExecution.sync[:2] (which the package does not implement
// either) runs the named state machine here as a child execution and waits for it, as AWS does.
// Prints one JSON object per line: the execution's events (a child's state names prefixed with its
// state machine's name, its instance in brackets, and a colon), ChildStarted and ChildEnded for each child, then {"type":"Result"} with status SUCCEEDED, FAILED, TIMED_OUT or
// ABORTED. Each event names its execution's ARN ("execution"); a state's event its unprefixed name ("name") and type
// ("stateType"), StateEntered its input and StateExited its output as JSON text ("input", "output"; a StateEntered whose
// input is the output of the StateExited before it on the same path, the execution's or a Map iteration's, says
// "inputIsLastOutput" instead), which the Java side records as the execution's history (GetExecutionHistory). A Task's
// attempts add TaskScheduled (with its "parameters"), TaskStarted, TaskSubmitted (.sync and .waitForTaskToken), and
// TaskSucceeded ("output") or TaskFailed ("error", "cause"), each with the attempt's number ("task") and the state's "resource". A line "abort" on stdin stops the execution as StopExecution does: it ends ABORTED, and runs
// none of its remaining states (a Lambda invocation already under way goes on, as in AWS).
//
// Usage: node run.mjs --definition FILE --input FILE --emulator URL --approval auto|reject|manual
//                     [--state-machines FILE] [--time-factor F] [--name NAME]
//                     [--state-machine-arn ARN] [--credentials FILE]
// --state-machines: a JSON object from state machine ARN to definition, for child executions.
// --credentials: a JSON object from state machine ARN to the access key of its role: each execution's
// Lambda invocations and child starts are made as that role, which the local cloud authorizes (an
// execution of a machine not listed acts as an administrator).

// aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22); this polyfill lets it run on Node 20.
if (!Promise.withResolvers) {
  Promise.withResolvers = function () {
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}

import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const definition = JSON.parse(readFileSync(args.definition, 'utf8'));
const stateMachines = args['state-machines'] ? JSON.parse(readFileSync(args['state-machines'], 'utf8')) : {};
const input = JSON.parse(readFileSync(args.input, 'utf8'));
const emulator = args.emulator;
const lambdaEndpoint = process.env.AWS_ENDPOINT_URL_LAMBDA;
const approval = args.approval || 'auto';
const timeFactor = Number(args['time-factor'] || '0.001');
const executionName = args.name || randomUUID();
const credentials = args.credentials ? JSON.parse(readFileSync(args.credentials, 'utf8')) : {};
const topArn = args['state-machine-arn'] || 'arn:aws:states:local:000000000000:stateMachine:local';
const region = topArn.split(':')[3];

// Identifies the calling role to the local cloud the way a SigV4 Authorization header does (the local
// cloud reads the access key from the credential scope; it does not check the signature).
function authorization(accessKey, service) {
  if (!accessKey) return {};
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  return { Authorization: `AWS4-HMAC-SHA256 Credential=${accessKey}/${day}/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0` };
}
const children = new Set();
const TOKEN_PLACEHOLDER = '__XEN2NITRO_LOCAL_TASK_TOKEN__';
// aws-local-stepfunctions gives no $$.State: a Lambda task's payload gets the time the task was invoked for
// $$.State.EnteredTime, which is when Step Functions entered the state to the millisecond here (nothing runs in between).
const ENTERED_PLACEHOLDER = '__XEN2NITRO_LOCAL_STATE_ENTERED_TIME__';

function entered(payload) {
  return JSON.parse(JSON.stringify(payload ?? {}).replaceAll(ENTERED_PLACEHOLDER, new Date().toISOString()));
}

const emit = (o) => process.stdout.write(JSON.stringify(o) + '\n');

// Every Wait and Retry pause is scaled by the local cloud's time factor, so waits keep their
// proportion to the emulated AWS durations. Overrides are per state name, so each definition has its own.
const scaled = (seconds) => Math.max(1, Math.round(seconds * 1000 * timeFactor));

// ctx: the execution ({executionArn, prefix}); visit adds its states by name (Map iterations' too), as ctx.states.
function overridesOf(definition, accessKey, ctx) {
  const waitTimeOverrides = {};
  const retryIntervalOverrides = {};
  const taskResourceLocalHandlers = {};
  ctx.states = {};
  visit(definition.States, { waitTimeOverrides, retryIntervalOverrides, taskResourceLocalHandlers }, accessKey, ctx);
  return { waitTimeOverrides, retryIntervalOverrides, taskResourceLocalHandlers };
}

function visit(states, { waitTimeOverrides, retryIntervalOverrides, taskResourceLocalHandlers }, accessKey, ctx) {
  for (const [name, state] of Object.entries(states)) {
    ctx.states[name] = state;
    // The timeout the definition gives (TaskScheduled's timeoutInSeconds), before the runner sets its own bound below.
    const declaredTimeout = state.TimeoutSeconds;
    if (state.Type === 'Wait') {
      waitTimeOverrides[name] = scaled(state.Seconds ?? 15);
    }
    if (Array.isArray(state.Retry)) {
      retryIntervalOverrides[name] = state.Retry.map((r) => scaled((r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2)));
    }
    if (state.Type === 'Task' && typeof state.Resource === 'string' && state.Resource.startsWith('arn:aws:lambda:')) {
      // Invoked here rather than by the package, so that Lambda service errors get Step Functions' names. A Task has no
      // timeout in AWS unless it sets one (the function's own Timeout ends it); the package would end it after 60 real seconds.
      if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) state.TimeoutSeconds = 20 * 86400;
      const resource = state.Resource;
      taskResourceLocalHandlers[name] = async (input) => {
        const payload = entered(input);
        const task = taskHistory(ctx, name, state);
        await task.scheduled(payload, declaredTimeout);
        try {
          return task.succeeded(await invoke(resource, payload, accessKey));
        } catch (err) {
          task.failed(err);
        }
      };
    }
    if (state.Type === 'Task' && typeof state.Resource === 'string' && state.Resource.startsWith('arn:aws:states:::lambda:invoke')) {
      taskResourceLocalHandlers[name] = optimizedLambda(name, { ...state }, accessKey, ctx);
      if (state.Resource.endsWith('.waitForTaskToken')) {
        // aws-local-stepfunctions reads TimeoutSecondsPath from the Parameters' output (AWS reads it from
        // the state input) and otherwise times tasks out after 60 real seconds: the runner enforces the
        // scaled timeout itself, so the library gets a bound it never reaches.
        delete state.TimeoutSecondsPath;
        state.TimeoutSeconds = 20 * 86400; // setTimeout holds at most 24.8 days
      }
    }
    if (state.Type === 'Task' && typeof state.Resource === 'string' && state.Resource.startsWith('arn:aws:states:::states:startExecution.sync')) {
      // A Task has no timeout in AWS unless it sets one (99999999 s); aws-local-stepfunctions otherwise ends it after 60 real seconds.
      if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) state.TimeoutSeconds = 20 * 86400;
      taskResourceLocalHandlers[name] = async (params) => {
        const task = taskHistory(ctx, name, state);
        await task.scheduled(params, declaredTimeout);
        try {
          return task.succeeded(await childExecution(params, state.Resource.endsWith(':2'), accessKey, task));
        } catch (err) {
          task.failed(err);
        }
      };
    }
    const overrides = { waitTimeOverrides, retryIntervalOverrides, taskResourceLocalHandlers };
    if (state.Type === 'Map') visit((state.ItemProcessor ?? state.Iterator).States, overrides, accessKey, ctx);
    if (state.Type === 'Parallel') state.Branches.forEach((b) => visit(b.States, overrides, accessKey, ctx));
  }
}

let attempts = 0;

// A Task attempt's part of the execution's history, as lines: TaskScheduled and TaskStarted when it begins, TaskSubmitted
// when a .sync or .waitForTaskToken task has made its request, TaskSucceeded or TaskFailed when it ends. Nothing is written
// once the execution is stopped (nothing follows ExecutionAborted).
function taskHistory(ctx, name, state) {
  const base = { execution: ctx.executionArn, state: ctx.prefix + name, name, task: ++attempts, resource: state.Resource };
  const line = (type, fields) => {
    if (!aborted) emit({ type, ...base, ...fields, timestamp: Date.now() });
  };
  return {
    async scheduled(parameters, timeoutSeconds) {
      // The task is scheduled after its state is entered: the event log's lines, which the package hands over in
      // microtasks, are all written before this runs.
      await new Promise((resolve) => setImmediate(resolve));
      line('TaskScheduled', { parameters: JSON.stringify(parameters ?? null), region, timeoutSeconds: timeoutSeconds ?? null,
        heartbeatSeconds: state.HeartbeatSeconds ?? null });
      line('TaskStarted', {});
    },
    submitted(output) {
      line('TaskSubmitted', { output: JSON.stringify(output ?? null) });
    },
    succeeded(output) {
      line('TaskSucceeded', { output: JSON.stringify(output ?? null) });
      return output;
    },
    failed(err) {
      line('TaskFailed', { error: err?.name ?? 'Error', cause: typeof err?.message === 'string' ? err.message : String(err) });
      throw err;
    },
  };
}

class TaskError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

async function invoke(functionName, payload, accessKey) {
  const url = `${lambdaEndpoint}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`;
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(payload ?? {}), headers: authorization(accessKey, 'lambda') });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  // Step Functions names a failed Invoke call "Lambda." and the Lambda API's exception name.
  if (res.status === 404) throw new TaskError('Lambda.ResourceNotFoundException', text);
  if (res.status === 429) throw new TaskError('Lambda.TooManyRequestsException', text);
  if (res.status === 403) throw new TaskError('Lambda.AWSLambdaException', text);
  if (res.status >= 500) throw new TaskError('Lambda.ServiceException', text);
  if (res.status !== 200) throw new TaskError('Lambda.AWSLambdaException', text);
  if (res.headers.get('x-amz-function-error')) throw new TaskError(body.errorType, `${body.errorType}: ${body.errorMessage}`);
  return body;
}

function optimizedLambda(stateName, state, accessKey, ctx) {
  const waitForToken = state.Resource.endsWith('.waitForTaskToken');
  return async (params) => {
    const history = taskHistory(ctx, stateName, state);
    try {
      return history.succeeded(await (waitForToken ? invokeAndWait(params, history) : invokeOnce(params, history)));
    } catch (err) {
      history.failed(err);
    }
  };

  async function invokeOnce(params, history) {
    const payload = entered(params.Payload);
    await history.scheduled({ ...params, Payload: payload }, state.TimeoutSeconds);
    // The optimized integration returns the invocation's metadata with the result under Payload.
    return { ExecutedVersion: '$LATEST', Payload: await invoke(params.FunctionName, payload, accessKey), StatusCode: 200 };
  }

  async function invokeAndWait(params, history) {
    const token = Buffer.from(`${executionName}:${stateName}:${randomUUID()}`).toString('base64url');
    const payload = entered(JSON.parse(JSON.stringify(params.Payload ?? {}).replaceAll(TOKEN_PLACEHOLDER, token)));
    // TimeoutSecondsPath cannot be read here (the handler sees only Parameters): by convention the
    // payload carries the same value under the path's last name (approvalTimeoutSeconds).
    const pathName = state.TimeoutSecondsPath ? state.TimeoutSecondsPath.split('.').pop() : null;
    const seconds = state.TimeoutSeconds ?? (pathName ? params.Payload?.[pathName] : undefined);
    await history.scheduled({ ...params, Payload: payload }, seconds);
    await fetch(`${emulator}/_local/tasks/${encodeURIComponent(token)}/open`, { method: 'POST', body: stateName });
    const response = await invoke(params.FunctionName, payload, accessKey);
    history.submitted({ ExecutedVersion: '$LATEST', Payload: response, StatusCode: 200 });
    // Whoever answers (--approval) is the Java side's to play: it reads the function and what it returned.
    emit({ type: 'TaskTokenWaiting', state: stateName, token, approval, function: params.FunctionName, response,
      execution: typeof payload.execution === 'string' ? payload.execution : null, timestamp: Date.now() });
    const timeoutMs = seconds ? scaled(seconds) : Infinity;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (aborted) throw new TaskError('States.Runtime', 'the execution was stopped');
      const left = Math.min(1000, deadline - Date.now());
      if (left <= 0) {
        await fetch(`${emulator}/_local/tasks/${encodeURIComponent(token)}/expire`, { method: 'POST' });
        throw new TaskError('States.Timeout', `no answer for ${stateName} within TimeoutSeconds`);
      }
      const res = await fetch(`${emulator}/_local/tasks/${encodeURIComponent(token)}?wait=${left}`);
      const task = await res.json();
      if (task.status === 'succeeded') return task.output ? JSON.parse(task.output) : {};
      if (task.status === 'failed') throw new TaskError(task.error ?? 'States.TaskFailed', task.cause ?? '');
      if (task.status === 'timed-out') throw new TaskError('States.Timeout', 'task token expired');
    }
  }
}

// A simple ItemsPath ($ or $.a.b) read from a Map state's input: MapStateStarted's length. Null for any other path.
function itemsOf(input, itemsPath) {
  const path = itemsPath ?? '$';
  if (!/^\$(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(path)) return null;
  return path.split('.').slice(1).reduce((v, key) => (v !== null && typeof v === 'object' ? v[key] : undefined), input);
}

function start(definition, input, name, stateMachineArn, prefix, accessKey) {
  const machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
  const machineName = stateMachineArn.split(':').pop();
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  const ctx = { executionArn, prefix };
  const execution = machine.run(input, {
    overrides: overridesOf(definition, accessKey, ctx),
    context: {
      Execution: { Id: executionArn, Name: name, Input: input, StartTime: new Date().toISOString() },
      StateMachine: { Id: stateMachineArn, Name: machineName },
      Task: { Token: TOKEN_PLACEHOLDER },
      State: { EnteredTime: ENTERED_PLACEHOLDER },
    },
  });
  let failed = null;
  // The last state output on each path (the execution's, each Map iteration's): a state's input is usually that very
  // object, which is then not written again.
  const lastOutput = new Map();
  const events = (async () => {
    for await (const e of execution.eventLogs) {
      if (e.type === 'ExecutionFailed') failed = e;
      if (prefix && e.type.startsWith('Execution')) continue;
      const out = { type: e.type, timestamp: e.timestamp, execution: executionArn };
      if (e.state) {
        out.state = prefix + e.state.name;
        out.name = e.state.name;
        out.stateType = e.state.type;
      }
      // A Map iteration's event names its Map state.
      if (e.parentState) out.name = e.parentState.name;
      const path = `${e.index ?? ''}`;
      // What a state is given and gives on, and its size (Step Functions' payload quota is 256 KiB).
      if (e.type === 'StateEntered' && e.state) {
        const last = lastOutput.get(path);
        if (last && last.value === e.state.input) {
          out.inputIsLastOutput = true;
          out.inputBytes = last.bytes;
        } else {
          out.input = JSON.stringify(e.state.input ?? null);
          out.inputBytes = Buffer.byteLength(out.input);
        }
        const def = ctx.states[e.state.name];
        if (e.state.type === 'Map' && def && def.InputPath === undefined) {
          const items = itemsOf(e.state.input, def.ItemsPath);
          if (Array.isArray(items)) out.mapLength = items.length;
        }
      }
      if (e.type === 'StateExited' && e.state) {
        out.output = JSON.stringify(e.state.output ?? null);
        out.outputBytes = Buffer.byteLength(out.output);
        lastOutput.set(path, { value: e.state.output, bytes: out.outputBytes });
      }
      if (e.Error !== undefined) { out.error = e.Error; out.cause = typeof e.Cause === 'string' ? e.Cause : JSON.stringify(e.Cause); }
      if (e.retry) out.attempt = e.retry.attempt;
      if (e.index !== undefined) out.index = e.index;
      emit(out);
    }
  })();
  return { execution, events, failed: () => failed };
}

// The local cloud learns of a child's end from the line above, after every line before it: the parent goes on only once
// it is recorded, as in Step Functions, where a .sync task ends with its child (its status and history are final).
async function recorded(executionArn) {
  for (let i = 0; i < 500; i++) {
    const r = await fetch(`${emulator}/_local/execution`, { method: 'POST', body: JSON.stringify({ executionArn }) });
    if ((await r.json()).status !== 'RUNNING') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// StartExecution.sync:2 answers with DescribeExecution's fields, Input and Output as JSON (":2"; plain
// .sync gives them as strings). A failed child fails the task with States.TaskFailed, the description
// (with the child's Error and Cause) as the cause (Step Functions Developer Guide, "Start a new AWS Step
// Functions state machine from a running execution").
async function childExecution(params, json, accessKey, history) {
  const arn = params.StateMachineArn;
  const child = stateMachines[arn];
  if (!child) throw new TaskError('StepFunctions.StateMachineDoesNotExistException', `State Machine Does Not Exist: '${arn}'`);
  // The parent's role must allow states:StartExecution on the child machine; the local cloud decides.
  const auth = await fetch(`${emulator}/_local/authorize`, { method: 'POST', headers: authorization(accessKey, 'states'),
    body: JSON.stringify({ action: 'states:StartExecution', resource: arn }) });
  if (auth.status !== 200) {
    const denied = await auth.json();
    throw new TaskError(`StepFunctions.${denied.code}`, denied.message);
  }
  const input = typeof params.Input === 'string' ? JSON.parse(params.Input) : (params.Input ?? {});
  const name = params.Name ?? randomUUID();
  const startDate = Date.now();
  // A child's state names are prefixed with its machine's name and, for a migration, its instance: a fleet's children run side by side.
  const prefix = `${arn.split(':').pop()}${input.instanceId ? `[${input.instanceId}]` : ''}:`;
  const run = start(child, input, name, arn, prefix, credentials[arn]);
  const executionArn = `${arn.replace(':stateMachine:', ':execution:')}:${name}`;
  // The Java side registers the child with the local cloud (DescribeExecution, StopExecution) and, when it ends, delivers
  // its status change to EventBridge's rules as AWS does for every Standard execution.
  emit({ type: 'ChildStarted', executionArn, stateMachineArn: arn, name, input: JSON.stringify(input), timestamp: startDate });
  // StartExecution's answer: the task's request is made.
  history.submitted({ ExecutionArn: executionArn, StartDate: startDate });
  // A stopped parent stops the child it waits for: Step Functions' .sync integration calls StopExecution on
  // it (which is why the parent's role is granted states:StopExecution on the child's executions).
  children.add(run.execution);
  const description = {
    ExecutionArn: `${arn.replace(':stateMachine:', ':execution:')}:${name}`,
    Input: json ? input : JSON.stringify(input), InputDetails: { Included: true },
    Name: name, StartDate: startDate, StateMachineArn: arn,
  };
  try {
    const output = await run.execution.result;
    children.delete(run.execution);
    await run.events;
    emit({ type: 'ChildEnded', executionArn, status: 'SUCCEEDED', output: JSON.stringify(output ?? null), timestamp: Date.now() });
    await recorded(executionArn);
    return { ...description, Output: json ? output : JSON.stringify(output), OutputDetails: { Included: true },
      Status: 'SUCCEEDED', StopDate: Date.now() };
  } catch (err) {
    children.delete(run.execution);
    await Promise.race([run.events.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    if (err && err.name === 'ExecutionAbortedError') {
      emit({ type: 'ChildEnded', executionArn, status: 'ABORTED', error: null, cause: null, timestamp: Date.now() });
      await recorded(executionArn);
      throw new TaskError('States.Runtime', 'the child execution was stopped with its parent');
    }
    const f = run.failed();
    const error = f ? f.Error : err.name;
    const cause = f ? f.Cause : err.message;
    emit({ type: 'ChildEnded', executionArn, status: 'FAILED', error, cause: typeof cause === 'string' ? cause : JSON.stringify(cause), timestamp: Date.now() });
    await recorded(executionArn);
    throw new TaskError('States.TaskFailed', JSON.stringify({ ...description, Status: 'FAILED', StopDate: Date.now(),
      Error: error, Cause: typeof cause === 'string' ? cause : JSON.stringify(cause) }));
  }
}

let aborted = false;
const { execution, events, failed } = start(definition, input, executionName, topArn, '', credentials[topArn]);

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  if (!aborted && chunk.split('\n').some((line) => line.trim() === 'abort')) {
    aborted = true;
    execution.abort();
    for (const child of children) child.abort();
  }
});
process.stdin.on('error', () => {});

try {
  const output = await execution.result;
  await events;
  emit({ type: 'Result', status: 'SUCCEEDED', output });
} catch (err) {
  // An aborted execution's event log may wait for a task that is still under way: it is not waited for.
  await Promise.race([events.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  if (err && err.name === 'ExecutionAbortedError') {
    emit({ type: 'Result', status: 'ABORTED', error: null, cause: null });
  } else if (err && err.name === 'ExecutionTimeoutError') {
    emit({ type: 'Result', status: 'TIMED_OUT', error: 'States.Timeout', cause: 'the execution ran longer than its TimeoutSeconds' });
  } else {
    // The execution's own error and cause are those of its ExecutionFailed event (the rejection wraps them).
    const executionFailed = failed();
    const error = executionFailed ? executionFailed.Error : err.name;
    const cause = executionFailed ? executionFailed.Cause : err.message;
    emit({ type: 'Result', status: 'FAILED', error, cause: typeof cause === 'string' ? cause : JSON.stringify(cause) });
  }
}
process.stdin.destroy();
