'use strict';
/**
 * Nimbus runtime worker ("bootstrap") for Node.js.
 *
 * The host starts this file once per instance. It loads the user's handler once (Init) and
 * runs it once per request (Exec), speaking the wire protocol of docs/protocol.md:
 *
 *   fd 3  frames from the host        fd 1, fd 2  "stray output" read by the host
 *   fd 4  frames to the host          fd 0        /dev/null
 *
 * A frame is  u32 big-endian body length | u8 type | body.  Init, Exec and Resp bodies are
 * u32 big-endian header length | UTF-8 JSON header | raw payload.  Log bodies are raw UTF-8.
 *
 * Whatever the handler prints (console.*, process.stdout/stderr.write) is captured per
 * invocation and sent as one Log frame just before that invocation's Resp; it never reaches
 * fd 4 on its own, so user output cannot corrupt the protocol.
 *
 * Core modules only, CommonJS; this file runs before any of the user's code.
 */

const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const util = require('util');
const { Writable } = require('stream');
const { pathToFileURL } = require('url');
const { performance } = require('perf_hooks');

const PROTOCOL_IN = 3;
const PROTOCOL_OUT = 4;
const STRAY_OUT = 2;

const INIT = 1;
const EXEC = 2;
const RESP = 3;
const PING = 4;
const STOP = 5;
const LOG = 7;

const PREFIX_BYTES = 5; // body length, type
const HEADED_PREFIX_BYTES = 9; // body length, type, header length
// The host refuses (and kills the instance for) a frame body over this size, so a result
// that would not fit is reported as an error instead of being sent.
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const OK_HEADER = '{"ok":true}';
// A result over 6 MiB (Lambda's synchronous limit, the same as the event's) is refused here.
const MAX_RESULT_BYTES = 6 * 1024 * 1024;
const LOG_LIMIT_BYTES = 65536;
const TRUNCATION_MARKER = Buffer.from('\n[nimbus: log truncated at 65536 bytes]\n');
// An error's message and stack are clipped so a huge error text cannot overflow a frame.
const ERROR_TEXT_LIMIT = 32768;
const EXIT_PROTOCOL_VIOLATION = 2;
// A stem cell gives up its rehearsal after this long and starts serving anyway.
const REHEARSAL_LIMIT_MS = 1000;

const PING_FRAME = Buffer.from([0, 0, 0, 0, PING]);

// ------------------------------------------------------------------ framing

class ProtocolViolation extends Error {}

/** Collects chunks from the pipe and cuts them into frames, copying only when a frame spans chunks. */
class FrameDecoder {
  constructor() {
    this.chunks = [];
    this.size = 0;
  }

  push(chunk) {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The next whole frame as {type, body}, or null until more bytes arrive. */
  next() {
    if (this.size < PREFIX_BYTES) {
      return null;
    }
    const head = this.chunks[0].length >= PREFIX_BYTES ? this.chunks[0] : this.flatten();
    const end = PREFIX_BYTES + head.readUInt32BE(0);
    if (this.size < end) {
      return null; // a big event: wait for all of it, then copy once
    }
    const data = this.chunks.length === 1 ? this.chunks[0] : this.flatten();
    const frame = { type: data[4], body: data.subarray(PREFIX_BYTES, end) };
    const rest = data.subarray(end);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
    return frame;
  }

  flatten() {
    const data = Buffer.concat(this.chunks, this.size);
    this.chunks = [data];
    return data;
  }
}

/** Splits an Init/Exec body into its JSON header (parsed) and its raw payload. */
function splitHeadedBody(body) {
  if (body.length < 4) {
    throw new ProtocolViolation('a frame body has no header length');
  }
  const headerEnd = 4 + body.readUInt32BE(0);
  if (headerEnd > body.length) {
    throw new ProtocolViolation(`header length ${headerEnd - 4} exceeds the body`);
  }
  let header;
  try {
    header = JSON.parse(body.toString('utf8', 4, headerEnd));
  } catch (err) {
    throw new ProtocolViolation(`the header is not JSON: ${err.message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new ProtocolViolation('the header is not a JSON object');
  }
  return { header, payload: body.subarray(headerEnd) };
}

/** One Buffer holding the Log frame (if any logs) and the Resp frame, for one write. */
function encodeResponse(header, payload, logs) {
  const headerBytes = Buffer.byteLength(header);
  const payloadBytes = Buffer.byteLength(payload);
  const logFrameBytes = logs === null ? 0 : PREFIX_BYTES + logs.length;
  const frame = Buffer.allocUnsafe(logFrameBytes + HEADED_PREFIX_BYTES + headerBytes + payloadBytes);
  if (logs !== null) {
    frame.writeUInt32BE(logs.length, 0);
    frame[4] = LOG;
    logs.copy(frame, PREFIX_BYTES);
  }
  let at = logFrameBytes;
  frame.writeUInt32BE(4 + headerBytes + payloadBytes, at);
  frame[at + 4] = RESP;
  frame.writeUInt32BE(headerBytes, at + 5);
  at += HEADED_PREFIX_BYTES;
  at += frame.write(header, at);
  frame.write(payload, at);
  return frame;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Blocking writes keep a response in one piece; loop for partial writes (and EAGAIN, should fd 4 ever be non-blocking). */
function writeAll(buffer, fd = PROTOCOL_OUT) {
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += fs.writeSync(fd, buffer, offset, buffer.length - offset);
    } catch (err) {
      if (err.code === 'EPIPE') {
        process.exit(0); // the host went away while we answered
      }
      if (err.code !== 'EAGAIN') {
        throw err;
      }
      Atomics.wait(pause, 0, 0, 1); // sleep a millisecond, then retry
    }
  }
}

// ------------------------------------------------------------------ log capture

/** The current invocation's captured output, capped at LOG_LIMIT_BYTES. */
class LogBuffer {
  constructor() {
    this.parts = [];
    this.size = 0;
    this.truncated = false;
  }

  append(bytes) {
    if (this.truncated || bytes.length === 0) {
      return;
    }
    const room = LOG_LIMIT_BYTES - this.size;
    if (bytes.length <= room) {
      this.parts.push(bytes);
      this.size += bytes.length;
      return;
    }
    this.parts.push(bytes.subarray(0, utf8Boundary(bytes, room)), TRUNCATION_MARKER);
    this.truncated = true;
  }

  appendText(text) {
    if (!this.truncated) {
      this.append(Buffer.from(text, 'utf8'));
    }
  }

  /** Everything captured since the last drain (null if nothing), emptying the buffer. */
  drain() {
    if (this.parts.length === 0) {
      return null;
    }
    const data = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    this.truncated = false;
    return data;
  }
}

/** The largest cut at or below limit that does not split a UTF-8 character. */
function utf8Boundary(bytes, limit) {
  let cut = limit;
  while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) {
    cut--;
  }
  return cut;
}

/**
 * A stand-in for process.stdout / process.stderr. It is a real Writable (so .on, .once,
 * .end work) whose write() appends to the log synchronously, skipping the stream machinery.
 * The real fd 1 and 2 are never opened as streams, so Node never makes them non-blocking
 * under the feet of child processes that inherit them.
 */
function capturedStream(log, fd) {
  const stream = new Writable({
    write(chunk, encoding, callback) {
      log.append(Buffer.from(chunk));
      callback();
    },
  });
  stream.write = function write(chunk, encoding, callback) {
    if (typeof chunk === 'string') {
      if (!log.truncated) { // past the cap, do not even encode
        log.append(Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8'));
      }
    } else if (chunk instanceof Uint8Array) {
      if (!log.truncated) {
        log.append(Buffer.from(chunk)); // a copy: the caller may reuse its buffer
      }
    } else {
      throw new TypeError(`The "chunk" argument must be of type string or an instance of Buffer or Uint8Array. Received ${typeof chunk}`);
    }
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') {
      process.nextTick(done, null);
    }
    return true;
  };
  stream.fd = fd;
  stream.isTTY = false;
  return stream;
}

function installCapture(log) {
  // Replaced before anything touches console, whose streams bind lazily to these.
  Object.defineProperty(process, 'stdout', { value: capturedStream(log, 1), configurable: true, enumerable: true, writable: true });
  Object.defineProperty(process, 'stderr', { value: capturedStream(log, 2), configurable: true, enumerable: true, writable: true });
}

/** context.logger: lines formatted like "[INFO] message", as in the Python runtime. */
function createLogger(log) {
  const at = (level) => (...args) => log.appendText(`[${level}] ${util.format(...args)}\n`);
  return { debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
}

// ------------------------------------------------------------------ errors

class HandlerError extends Error {
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}

// Frames of this file and of Node's own modules (node:events, node:internal/...) sit
// between the worker and the user's code; a stack without them is easier to read.
const RUNTIME_FRAME = new RegExp(`^\\s+at (.*\\()?(node:|${escapeRegExp(__filename)})`);

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The protocol's error object for anything thrown or rejected. */
function describeError(err) {
  if (err instanceof HandlerError) {
    return { type: err.type, message: clip(err.message), stack: '' };
  }
  if (err instanceof Error || (err !== null && typeof err === 'object' && 'message' in err && 'stack' in err)) {
    const stack = String(err.stack ?? '').split('\n').filter((line) => !RUNTIME_FRAME.test(line)).join('\n');
    return { type: errorType(err), message: clip(String(err.message)), stack: clip(stack) };
  }
  return { type: 'Error', message: clip(safeString(err)), stack: '' };
}

function errorType(err) {
  if (err.code === 'MODULE_NOT_FOUND' || err.code === 'ERR_MODULE_NOT_FOUND') {
    return 'ModuleNotFoundError'; // the same name as in the Python runtime
  }
  const name = typeof err.name === 'string' && err.name !== '' ? err.name : 'Error';
  const className = err.constructor && err.constructor.name;
  // `class TooBig extends Error {}` keeps the name "Error"; its class name says more.
  return name === 'Error' && className && className !== 'Error' ? className : name;
}

function safeString(value) {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function clip(text) {
  return text.length <= ERROR_TEXT_LIMIT ? text : `${text.slice(0, ERROR_TEXT_LIMIT)}... [clipped]`;
}

function errorHeader(error) {
  return JSON.stringify({ ok: false, error });
}

// ------------------------------------------------------------------ the handler

/** The handler's second argument, in Lambda's spelling and in snake_case. */
class Context {
  #deadline;

  constructor(fn, requestId, deadline) {
    this.requestId = requestId;
    this.awsRequestId = requestId; // AWS Lambda's name, so Lambda handlers run unchanged
    this.functionName = fn.name;
    this.functionVersion = fn.version;
    this.memoryLimitInMB = fn.memoryLimitMb;
    this.request_id = requestId;
    this.function_name = fn.name;
    this.function_version = fn.version;
    this.memory_limit_mb = fn.memoryLimitMb;
    this.logger = fn.logger;
    this.#deadline = deadline;
  }

  getRemainingTimeInMillis() {
    return Math.max(0, Math.floor(this.#deadline - performance.now()));
  }

  log(...args) {
    console.log(...args);
  }
}

/** Finds the file behind "module" of "module.function" in codeDir. */
function resolveModuleFile(codeDir, moduleName) {
  // "app.config" is first a file name with a dot, then a path "app/config".
  const names = moduleName.includes('.') ? [moduleName, moduleName.split('.').join('/')] : [moduleName];
  for (const name of names) {
    const base = path.resolve(codeDir, name);
    const candidates = [`${base}.js`, `${base}.cjs`, `${base}.mjs`, path.join(base, 'index.js'), path.join(base, 'index.cjs'), path.join(base, 'index.mjs')];
    const found = candidates.find(isFile);
    if (found) {
      return found;
    }
  }
  return null;
}

function isFile(candidate) {
  try {
    return fs.statSync(candidate).isFile();
  } catch {
    return false;
  }
}

async function loadModule(file) {
  if (file.endsWith('.mjs')) {
    return import(pathToFileURL(file).href);
  }
  try {
    return require(file);
  } catch (err) {
    if (err && err.code === 'ERR_REQUIRE_ESM') {
      return import(pathToFileURL(file).href); // a .js file under "type": "module"
    }
    throw err;
  }
}

async function loadHandler(spec, codeDir) {
  const dot = spec.lastIndexOf('.');
  if (dot <= 0 || dot === spec.length - 1) {
    throw new HandlerError('InvalidHandler', `handler '${spec}' is not of the form 'module.function'`);
  }
  const moduleName = spec.slice(0, dot);
  const functionName = spec.slice(dot + 1);
  const file = resolveModuleFile(codeDir, moduleName);
  if (file === null) {
    throw new HandlerError('ModuleNotFoundError', `cannot find module '${moduleName}' in ${codeDir} (tried .js, .cjs, .mjs and /index.js)`);
  }
  const exported = await loadModule(file);
  const handler = findExport(exported, functionName);
  if (handler === undefined) {
    throw new HandlerError('HandlerNotFound', `${path.relative(codeDir, file)} does not export '${functionName}'`);
  }
  if (typeof handler !== 'function') {
    throw new HandlerError('HandlerNotFound', `'${functionName}' exported by ${path.relative(codeDir, file)} is not a function`);
  }
  return handler;
}

/** exports[name], or exports.default[name] for an ES module that default-exports an object. */
function findExport(exported, name) {
  if (exported === null || exported === undefined) {
    return undefined;
  }
  if (exported[name] !== undefined) {
    return exported[name];
  }
  const fallback = exported.default;
  return fallback !== null && typeof fallback === 'object' ? fallback[name] : undefined;
}

function isThenable(value) {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';
}

/** Lambda's callback style: handler(event, context, callback); the callback or a returned promise, whichever settles first. */
function callWithCallback(handler, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (err, result) => (err === undefined || err === null ? resolve(result) : reject(err));
    const returned = handler(event, context, callback);
    if (isThenable(returned)) {
      returned.then(resolve, reject);
    }
  });
}

// ------------------------------------------------------------------ the worker

/** Handles Init and Exec, one request at a time. */
class Worker {
  /** @param out where answers are written: fd 4, or /dev/null for the rehearsal */
  constructor(log, logger, out = PROTOCOL_OUT) {
    this.log = log;
    this.logger = logger;
    this.out = out;
    this.fn = null;
    this.inFlight = false; // an Exec is waiting for its handler
    this.respondResult = this.respondResult.bind(this);
    this.respondError = this.respondError.bind(this);
  }

  async init(header) {
    const started = performance.now();
    if (this.fn !== null) {
      this.fail('AlreadyInitialized', 'this worker has already loaded its handler');
      return;
    }
    let handler;
    try {
      const codeDir = enterEnvironment(header);
      handler = await loadHandler(String(header.handler ?? ''), codeDir);
    } catch (err) {
      this.respond(errorHeader(describeError(err)), '');
      return;
    }
    this.fn = {
      handler,
      callbackStyle: handler.length >= 3,
      name: header.function_name ?? '',
      version: header.function_version ?? 0,
      memoryLimitMb: header.memory_limit_mb ?? 0,
      timeoutMs: header.timeout_ms ?? 0,
      logger: this.logger,
    };
    const initMs = Math.round((performance.now() - started) * 1000) / 1000;
    this.respond(JSON.stringify({ ok: true, runtime_version: process.version, init_ms: initMs }), '');
  }

  /** Answers at once for a synchronous handler; otherwise returns a promise settled after the answer. */
  exec(header, payload, received) {
    const fn = this.fn;
    if (fn === null) {
      this.fail('NotInitialized', 'Exec arrived before a successful Init');
      return undefined;
    }
    let event;
    try {
      event = JSON.parse(payload.toString('utf8'));
    } catch (err) {
      this.fail('InvalidEvent', `the event is not valid JSON: ${err.message}`);
      return undefined;
    }
    const context = new Context(fn, header.request_id ?? '', received + (header.timeout_ms ?? fn.timeoutMs));
    let outcome;
    this.inFlight = true;
    try {
      outcome = fn.callbackStyle ? callWithCallback(fn.handler, event, context) : fn.handler(event, context);
    } catch (err) {
      this.respondError(err);
      return undefined;
    }
    if (isThenable(outcome)) {
      return Promise.resolve(outcome).then(this.respondResult, this.respondError);
    }
    this.respondResult(outcome);
    return undefined;
  }

  respondResult(result) {
    let json;
    try {
      json = JSON.stringify(result);
    } catch (err) {
      this.fail('SerializationError', `the handler's result cannot be serialized to JSON: ${err.message}`);
      return;
    }
    if (json === undefined) {
      json = 'null'; // undefined, a function or a symbol
    }
    // A UTF-16 unit is at most 3 UTF-8 bytes: only long strings need counting.
    if (json.length > MAX_RESULT_BYTES / 3 && Buffer.byteLength(json) > MAX_RESULT_BYTES) {
      this.fail('ResponseTooLarge', `the result is ${Buffer.byteLength(json)} bytes of JSON, over the ${MAX_RESULT_BYTES}-byte limit of a response`);
      return;
    }
    this.respond(OK_HEADER, json);
  }

  respondError(err) {
    this.respond(errorHeader(describeError(err)), '');
  }

  fail(type, message) {
    this.respond(errorHeader({ type, message, stack: '' }), '');
  }

  respond(header, payload) {
    this.inFlight = false;
    writeAll(encodeResponse(header, payload, this.log.drain()), this.out);
  }
}

function enterEnvironment(header) {
  for (const [name, value] of Object.entries(header.env ?? {})) {
    if (value !== null && value !== undefined) {
      process.env[name] = String(value);
    }
  }
  const codeDir = header.code_dir || process.cwd();
  process.chdir(codeDir);
  return codeDir;
}

// ------------------------------------------------------------------ main loop

/** Reads frames from fd 3 and runs them in order; Stop and protocol violations act at once. */
class Server {
  constructor(worker) {
    this.worker = worker;
    this.decoder = new FrameDecoder();
    this.queue = [];
    this.busy = false;
  }

  start() {
    const input = new net.Socket({ fd: PROTOCOL_IN, readable: true, writable: false });
    this.listen(input);
    input.on('end', () => process.exit(0)); // the host closed the channel
    input.on('error', (err) => exitWith(1, `reading fd ${PROTOCOL_IN} failed: ${err.message}`));
  }

  listen(input) {
    input.on('data', (chunk) => this.onData(chunk));
  }

  onData(chunk) {
    this.decoder.push(chunk);
    let frame;
    while ((frame = this.decoder.next()) !== null) {
      if (frame.type === STOP) {
        process.exit(0); // at once, even with a request under way
      }
      if (frame.type !== INIT && frame.type !== EXEC && frame.type !== PING) {
        violation(`unexpected frame type ${frame.type} from the host`);
      }
      this.queue.push(frame);
    }
    this.pump();
  }

  pump() {
    while (!this.busy && this.queue.length > 0) {
      const pending = this.dispatch(this.queue.shift());
      if (pending !== undefined) {
        this.busy = true;
        pending.then(() => {
          this.busy = false;
          this.pump();
        });
      }
    }
  }

  dispatch(frame) {
    try {
      if (frame.type === EXEC) {
        const received = performance.now();
        const { header, payload } = splitHeadedBody(frame.body);
        return this.worker.exec(header, payload, received);
      }
      if (frame.type === PING) {
        writeAll(PING_FRAME);
        return undefined;
      }
      return this.worker.init(splitHeadedBody(frame.body).header);
    } catch (err) {
      if (err instanceof ProtocolViolation) {
        violation(err.message);
      }
      throw err;
    }
  }
}

function violation(message) {
  exitWith(EXIT_PROTOCOL_VIOLATION, `protocol violation: ${message}`);
}

/** fd 2 is the host's stray-output pipe; process.stderr is the capture and would swallow this. */
function exitWith(code, message) {
  try {
    fs.writeSync(STRAY_OUT, `nimbus node bootstrap: ${message}\n`);
  } finally {
    process.exit(code);
  }
}

/**
 * Node's default for an uncaught exception or an unhandled rejection is to die, and this
 * worker keeps it: the process state is no longer trustworthy. The request under way, if
 * any, gets the error as its answer first, so the caller learns why.
 */
function dieOnUncaught(worker) {
  const die = (err) => {
    const error = describeError(err);
    if (worker.inFlight) {
      worker.respondError(err);
    }
    exitWith(1, `uncaught ${error.type}: ${error.message}\n${error.stack}`);
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
}

/** A frame as the host sends it: body length, type, header length, JSON header, payload. */
function headedFrame(type, header, payload) {
  const headerBytes = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(HEADED_PREFIX_BYTES);
  prefix.writeUInt32BE(4 + headerBytes.length + Buffer.byteLength(payload), 0);
  prefix[4] = type;
  prefix.writeUInt32BE(headerBytes.length, 5);
  return Buffer.concat([prefix, headerBytes, Buffer.from(payload)]);
}

/**
 * A stem cell's dress rehearsal, before it reads its first frame: an Init and an Exec of a
 * throwaway handler, sent over a unix socket to a Server of their own and answered to
 * /dev/null, through the same code as real ones. V8 compiles a function when it is first
 * called, so without it a cell's first real Init and Exec would pay for compiling the stream
 * reading, the framing, the module loader and the answer: over a millisecond of a cold start,
 * measured on the bare worker. It leaves nothing behind: the handler's file and the socket are
 * deleted, the module is dropped from the cache, the working directory is restored, and the
 * rehearsal's worker is thrown away. Whatever goes wrong here only costs the speed-up.
 */
async function rehearse(log, logger) {
  const cwd = process.cwd();
  let sink = null;
  let dir = null;
  try {
    sink = fs.openSync('/dev/null', 'w');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbus-rehearsal-'));
    fs.writeFileSync(path.join(dir, 'rehearsal.js'), 'exports.handler = async (event, context) => ({ rehearsal: event.n });\n');
    await Promise.race([playRehearsal(new Worker(log, logger, sink), dir), timeUp(REHEARSAL_LIMIT_MS)]);
  } finally {
    process.chdir(cwd);
    if (dir !== null) {
      forgetModule(path.join(dir, 'rehearsal.js'));
      fs.rmSync(dir, { recursive: true, force: true });
    }
    if (sink !== null) {
      fs.closeSync(sink);
    }
    log.drain();
  }
}

/** Rejects after {@code ms}, without keeping the process alive meanwhile. */
function timeUp(ms) {
  return new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error('the rehearsal took too long')), ms).unref();
  });
}

/** Sends the rehearsal's two frames over a socket in {@code dir}; settles once both are answered. */
function playRehearsal(worker, dir) {
  return new Promise((resolve, reject) => {
    let answers = 0;
    const respond = worker.respond.bind(worker);
    worker.respond = (header, payload) => {
      respond(header, payload);
      if (++answers === 2) {
        listener.close();
        resolve();
      }
    };
    const listener = net.createServer((connection) => new Server(worker).listen(connection));
    listener.on('error', reject);
    listener.listen(path.join(dir, 'frames.sock'), () => {
      const client = net.connect(path.join(dir, 'frames.sock'), () => {
        client.end(Buffer.concat([
          headedFrame(INIT, { handler: 'rehearsal.handler', code_dir: dir, env: {} }, ''),
          headedFrame(EXEC, { request_id: 'rehearsal', timeout_ms: 1000 }, '{"n":1}'),
        ]));
      });
      client.on('error', reject);
    });
  });
}

/** Drops a loaded CommonJS module from the cache and from the main module's children. */
function forgetModule(file) {
  delete require.cache[file];
  const children = require.main ? require.main.children : [];
  const index = children.findIndex((child) => child.filename === file);
  if (index >= 0) {
    children.splice(index, 1);
  }
}

function main() {
  const log = new LogBuffer();
  installCapture(log);
  const logger = createLogger(log);
  const worker = new Worker(log, logger);
  dieOnUncaught(worker);
  rehearse(log, logger).catch(() => {}).finally(() => new Server(worker).start());
}

main();
