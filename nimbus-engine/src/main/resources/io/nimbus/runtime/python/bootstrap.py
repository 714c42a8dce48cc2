"""Nimbus runtime worker ("bootstrap") for Python.

The host starts this file once per instance. It loads the user's handler once (Init) and
runs it once per request (Exec), speaking the wire protocol of docs/protocol.md:

    fd 3   frames from the host          fd 1, fd 2  "stray output" read by the host
    fd 4   frames to the host            fd 0        /dev/null

A worker that has loaded its handler can also serve as its function's *template*: each Fork
makes a child that already holds the imported module, connects back to the host over a unix
socket, and from then on is an ordinary instance on that socket (docs/protocol.md, Fork).

A frame is  u32 big-endian body length | u8 type | body.  Init, Exec and Resp bodies are
u32 big-endian header length | UTF-8 JSON header | raw payload.  Log bodies are raw UTF-8.

Whatever the handler prints (print, sys.stdout, sys.stderr, logging) is captured per
invocation and sent as one Log frame just before that invocation's Resp; it never reaches
fd 4 on its own, so user output cannot corrupt the protocol.

Standard library only; this file runs before any of the user's code.
"""

import inspect
import io
import json
import logging
import os
import struct
import sys
import time

PROTOCOL_IN = 3
PROTOCOL_OUT = 4
STRAY_OUT = 2

INIT, EXEC, RESP, PING, STOP, RELOAD, LOG, FORK = 1, 2, 3, 4, 5, 6, 7, 8

FRAME_PREFIX = struct.Struct(">IB")  # body length, type
HEADED_FRAME_PREFIX = struct.Struct(">IBI")  # body length, type, header length
U32 = struct.Struct(">I")

# The host refuses (and kills the instance for) a frame body over this size, so a result
# that would not fit is reported as an error instead of being sent.
MAX_BODY_BYTES = 8 * 1024 * 1024
LOG_LIMIT_BYTES = 65536
TRUNCATION_MARKER = b"\n[nimbus: log truncated at 65536 bytes]\n"
# An error's message and stack are clipped so a huge exception text cannot overflow a frame.
ERROR_TEXT_LIMIT = 32768

EXIT_PROTOCOL_VIOLATION = 2
EXIT_FORK_FAILED = 3
READ_CHUNK = 65536

PING_FRAME = FRAME_PREFIX.pack(0, PING)
OK_HEADER = b'{"ok":true}'
# A result over 6 MiB (Lambda's synchronous limit, the same as the event's) is refused here.
MAX_RESULT_BYTES = 6 * 1024 * 1024
RUNTIME_VERSION = sys.version.split()[0]

_JSON_UTF8 = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_JSON_ASCII = json.JSONEncoder(allow_nan=False, separators=(",", ":"))


# ---------------------------------------------------------------- framing


class ProtocolViolation(Exception):
    """The host sent something this worker cannot make sense of."""


class FrameReader:
    """Reads whole frames from a file descriptor.

    One os.read usually returns a whole frame (the host writes each frame at once), so the
    common case costs one system call and one copy of the body.
    """

    def __init__(self, fd):
        self._fd = fd
        self._pending = b""

    def read_frame(self):
        """Returns (type, body), or None when the host closed the channel between frames."""
        data = self._pending
        if len(data) < FRAME_PREFIX.size:
            data = self._read_at_least(data, FRAME_PREFIX.size)
            if data is None:
                return None
        body_length, frame_type = FRAME_PREFIX.unpack_from(data)
        end = FRAME_PREFIX.size + body_length
        if len(data) >= end:
            self._pending = data[end:]
            return frame_type, data[FRAME_PREFIX.size:end]
        self._pending = b""
        return frame_type, self._read_rest(data[FRAME_PREFIX.size:], body_length)

    def _read_at_least(self, data, count):
        while len(data) < count:
            chunk = os.read(self._fd, READ_CHUNK)
            if not chunk:
                if data:
                    raise ProtocolViolation("the channel closed inside a frame prefix")
                return None
            data += chunk
        return data

    def _read_rest(self, start, body_length):
        # Read straight into a buffer of the final size: a big event arriving in many
        # chunks is then copied once, not once per chunk.
        body = bytearray(body_length)
        body[: len(start)] = start
        filled = len(start)
        with memoryview(body) as view:
            while filled < body_length:
                count = os.readv(self._fd, [view[filled:]])
                if count == 0:
                    raise ProtocolViolation(f"the channel closed after {filled} of {body_length} body bytes")
                filled += count
        return body


def split_headed_body(body):
    """Splits an Init/Exec body into its JSON header (parsed) and its raw payload."""
    if len(body) < U32.size:
        raise ProtocolViolation("a frame body has no header length")
    (header_length,) = U32.unpack_from(body)
    header_end = U32.size + header_length
    if header_end > len(body):
        raise ProtocolViolation(f"header length {header_length} exceeds the body")
    try:
        header = json.loads(body[U32.size:header_end])
    except ValueError as exc:
        raise ProtocolViolation(f"the header is not JSON: {exc}") from None
    if not isinstance(header, dict):
        raise ProtocolViolation("the header is not a JSON object")
    return header, body[header_end:]


def encode_response(header, payload):
    return b"".join((HEADED_FRAME_PREFIX.pack(U32.size + len(header) + len(payload), RESP, len(header)), header, payload))


def encode_log(data):
    return FRAME_PREFIX.pack(len(data), LOG) + data


def write_all(data):
    """One write per frame; a pipe can still take less than all of a big frame, so loop."""
    while True:
        written = os.write(PROTOCOL_OUT, data)
        if written == len(data):
            return
        data = memoryview(data)[written:]


# ---------------------------------------------------------------- log capture


class LogBuffer:
    """The current invocation's captured output, capped at LOG_LIMIT_BYTES.

    Appending is a list append; an invocation that prints nothing costs one truth test.
    """

    __slots__ = ("_parts", "_size", "_truncated")

    def __init__(self):
        self._parts = []
        self._size = 0
        self._truncated = False

    def append_text(self, text):
        if not self._truncated:  # past the cap, do not even encode
            self.append(text.encode("utf-8", "backslashreplace"))

    def append(self, data):
        if self._truncated or not data:
            return
        room = LOG_LIMIT_BYTES - self._size
        if len(data) <= room:
            self._parts.append(data)
            self._size += len(data)
            return
        self._parts.append(data[: utf8_boundary(data, room)])
        self._parts.append(TRUNCATION_MARKER)
        self._truncated = True

    def drain(self):
        """Returns everything captured since the last drain (None if nothing) and empties the buffer."""
        if not self._parts:
            return None
        data = b"".join(self._parts)
        self._parts = []
        self._size = 0
        self._truncated = False
        return data


def utf8_boundary(data, limit):
    """The largest cut at or below limit that does not split a UTF-8 character."""
    cut = limit
    while cut > 0 and (data[cut] & 0xC0) == 0x80:
        cut -= 1
    return cut


class CapturedText(io.TextIOBase):
    """Replaces sys.stdout and sys.stderr: text goes to the log buffer, never to a descriptor.

    The same two objects live for the worker's life, so anything that kept a reference
    (a logging.StreamHandler made at import time, say) keeps being captured.
    """

    encoding = "utf-8"
    errors = "backslashreplace"

    def __init__(self, log, name):
        super().__init__()
        self._log = log
        self._name = name
        self.buffer = CapturedBytes(log)

    @property
    def name(self):
        return self._name

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._log.append_text(text)
        return len(text)

    def writable(self):
        return True

    def isatty(self):
        return False

    def flush(self):
        pass


class CapturedBytes(io.BufferedIOBase):
    """sys.stdout.buffer and sys.stderr.buffer, for code that writes bytes."""

    def __init__(self, log):
        super().__init__()
        self._log = log

    def write(self, data):
        data = bytes(data)
        self._log.append(data)
        return len(data)

    def writable(self):
        return True

    def flush(self):
        pass


def install_capture(log):
    sys.stdout = CapturedText(log, "<stdout>")
    sys.stderr = CapturedText(log, "<stderr>")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    # Root gets the handler too, so logging.info(...) in user code is captured with the
    # same format; INFO rather than Python's default WARNING because logs are the only
    # window a function's author has.
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # context.logger does not propagate: it keeps working even if the user reconfigures root.
    function_logger = logging.getLogger("nimbus.function")
    function_logger.setLevel(logging.INFO)
    function_logger.propagate = False
    function_logger.addHandler(handler)
    return function_logger


# ---------------------------------------------------------------- errors


class HandlerError(Exception):
    """A failure with a Nimbus error type rather than a Python exception class name."""

    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


_STDLIB = os.path.dirname(os.__file__)
# Frames of these files sit between the worker and the user's code; a stack that starts in
# the user's code is easier to read.
_RUNTIME_FILE_PREFIXES = (
    os.path.join(_STDLIB, "asyncio") + os.sep,
    os.path.join(_STDLIB, "importlib") + os.sep,
    "<frozen importlib",
)


def _is_runtime_frame(filename):
    return filename == __file__ or filename.startswith(_RUNTIME_FILE_PREFIXES)


def describe_error(exc):
    """The protocol's error object for an exception."""
    if isinstance(exc, HandlerError):
        return {"type": exc.error_type, "message": clip(str(exc)), "stack": ""}
    import traceback  # only failures pay for it

    tb = exc.__traceback__
    while tb is not None and _is_runtime_frame(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    stack = "".join(traceback.format_exception(type(exc), exc, tb))
    return {"type": type(exc).__name__, "message": clip(str(exc)), "stack": clip(stack)}


def clip(text):
    return text if len(text) <= ERROR_TEXT_LIMIT else text[:ERROR_TEXT_LIMIT] + "... [clipped]"


def error_header(error):
    return json.dumps({"ok": False, "error": error}, separators=(",", ":")).encode("utf-8")


# ---------------------------------------------------------------- the handler


class Context:
    """The handler's second argument: who is calling and how much time is left."""

    __slots__ = ("request_id", "function_name", "function_version", "memory_limit_mb", "logger", "_deadline")

    def __init__(self, function, request_id, deadline):
        self.request_id = request_id
        self.function_name = function.name
        self.function_version = function.version
        self.memory_limit_mb = function.memory_limit_mb
        self.logger = function.logger
        self._deadline = deadline

    def get_remaining_time_ms(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))

    # AWS Lambda's spellings, so handlers written for Lambda run unchanged.
    get_remaining_time_in_millis = get_remaining_time_ms

    @property
    def aws_request_id(self):
        return self.request_id

    @property
    def memory_limit_in_mb(self):
        return self.memory_limit_mb

    def __repr__(self):
        return f"Context(request_id={self.request_id!r}, function_name={self.function_name!r})"


class LoadedFunction:
    """What Init learned: the handler and the function's identity."""

    def __init__(self, header, handler, logger):
        self.name = header.get("function_name", "")
        self.version = header.get("function_version", 0)
        self.memory_limit_mb = header.get("memory_limit_mb", 0)
        self.timeout_ms = header.get("timeout_ms", 0)
        self.handler = handler
        self.takes_context = takes_context(handler)
        self.logger = logger


def load_handler(spec, code_dir):
    """Imports "module.function" (module may use dots or slashes) from code_dir."""
    module_name, _, function_name = spec.rpartition(".")
    module_name = module_name.replace("/", ".").strip(".")
    if not module_name or not function_name:
        raise HandlerError("InvalidHandler", f"handler {spec!r} is not of the form 'module.function'")
    if code_dir not in sys.path:
        sys.path.insert(0, code_dir)
    import importlib

    module = importlib.import_module(module_name)
    function = getattr(module, function_name, None)
    if function is None:
        raise HandlerError("HandlerNotFound", f"module '{module_name}' has no attribute '{function_name}'")
    if not callable(function):
        raise HandlerError("HandlerNotFound", f"'{module_name}.{function_name}' is not callable")
    return function


def takes_context(handler):
    """handler(event, context) or handler(event): decided once, from the signature."""
    try:
        parameters = inspect.signature(handler).parameters.values()
    except (TypeError, ValueError):
        return True  # no signature to read (some builtins): assume the usual two arguments
    positional = 0
    for parameter in parameters:
        if parameter.kind == parameter.VAR_POSITIONAL:
            return True
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            positional += 1
    return positional >= 2


def to_json_bytes(value):
    if value is None:
        return b"null"
    text = _JSON_UTF8.encode(value)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate has no UTF-8 form; the ASCII encoder writes it as a \udXXX escape.
        return _JSON_ASCII.encode(value).encode("ascii")


# ---------------------------------------------------------------- the worker


class Worker:
    """Handles Init and Exec; one request at a time."""

    def __init__(self, log, logger):
        self._log = log
        self._logger = logger
        self._function = None
        self._loop = None
        self._asyncio = None

    def init(self, header):
        started = time.perf_counter()
        if self._function is not None:
            self._fail("AlreadyInitialized", "this worker has already loaded its handler")
            return
        try:
            code_dir = self._enter_environment(header)
            handler = load_handler(str(header.get("handler", "")), code_dir)
            self._function = LoadedFunction(header, handler, self._logger)
        except BaseException as exc:  # SystemExit at import time is the user's failure too
            self._respond(error_header(describe_error(exc)), b"")
            return
        if header.get("template"):
            prepare_template()
        init_ms = round((time.perf_counter() - started) * 1000, 3)
        reply = {"ok": True, "runtime_version": RUNTIME_VERSION, "init_ms": init_ms}
        self._respond(json.dumps(reply, separators=(",", ":")).encode("utf-8"), b"")

    @staticmethod
    def _enter_environment(header):
        env = header.get("env") or {}
        os.environ.update({str(name): str(value) for name, value in env.items() if value is not None})
        code_dir = header.get("code_dir") or os.getcwd()
        os.chdir(code_dir)
        return code_dir

    def exec(self, header, payload, received):
        function = self._function
        if function is None:
            self._fail("NotInitialized", "Exec arrived before a successful Init")
            return
        try:
            event = json.loads(payload)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            self._fail("InvalidEvent", f"the event is not valid JSON: {exc}")
            return
        try:
            result = self._call(function, event, header, received)
        except BaseException as exc:  # sys.exit() in a handler fails the request, not the worker
            self._respond(error_header(describe_error(exc)), b"")
            return
        try:
            body = to_json_bytes(result)
        except (TypeError, ValueError, RecursionError) as exc:
            self._fail("SerializationError", f"the handler's result cannot be serialized to JSON: {exc}")
            return
        if len(body) > MAX_RESULT_BYTES:
            self._fail("ResponseTooLarge", f"the result is {len(body)} bytes of JSON, over the {MAX_RESULT_BYTES}-byte limit of a response")
            return
        self._respond(OK_HEADER, body)

    def _call(self, function, event, header, received):
        if function.takes_context:
            timeout_ms = header.get("timeout_ms", function.timeout_ms)
            context = Context(function, header.get("request_id", ""), received + timeout_ms / 1000)
            result = function.handler(event, context)
        else:
            result = function.handler(event)
        if inspect.isawaitable(result):
            result = self._run_to_completion(result)
        return result

    def _run_to_completion(self, awaitable):
        # One event loop for the worker's life: objects bound to a loop at import time
        # (clients, locks) keep working from one request to the next.
        if self._asyncio is None:
            import asyncio  # costs tens of milliseconds; only async handlers pay for it

            self._asyncio = asyncio
        if self._loop is None or self._loop.is_closed():
            self._loop = self._asyncio.new_event_loop()
        self._asyncio.set_event_loop(self._loop)  # asyncio.run() in user code resets it
        return self._loop.run_until_complete(awaitable)

    def fork(self, header):
        """Makes a child that serves as a new instance of the loaded function.

        The child leaves this worker's channel, connects to the host's socket, sends its
        token, and serves on that connection; the parent answers with the child's pid (as
        this sandbox numbers it) and goes back to waiting. Only a template receives Fork,
        and a template never runs Exec, so every child starts from the freshly imported module.
        """
        if self._function is None:
            self._fail("NotInitialized", "Fork arrived before a successful Init")
            return
        prepare_template()
        try:
            pid = os.fork()
        except OSError as exc:
            self._fail("ForkFailed", f"fork failed: {exc}")
            return
        if pid == 0:
            become_forked_instance(header, self)
        self._respond(json.dumps({"ok": True, "pid": pid}, separators=(",", ":")).encode("utf-8"), b"")

    def _fail(self, error_type, message):
        self._respond(error_header({"type": error_type, "message": message, "stack": ""}), b"")

    def _respond(self, header, payload):
        frame = encode_response(header, payload)
        logs = self._log.drain()
        if logs is not None:
            frame = encode_log(logs) + frame  # both frames in one write
        write_all(frame)


# ---------------------------------------------------------------- main loop


def serve(reader, worker):
    while True:
        frame = reader.read_frame()
        if frame is None:
            os._exit(0)  # the host closed the channel: it wants no more from us
        frame_type, body = frame
        if frame_type == EXEC:
            received = time.monotonic()
            header, payload = split_headed_body(body)
            worker.exec(header, payload, received)
        elif frame_type == PING:
            write_all(PING_FRAME)
        elif frame_type == INIT:
            header, _ = split_headed_body(body)
            worker.init(header)
        elif frame_type == FORK:
            header, _ = split_headed_body(body)
            worker.fork(header)
        elif frame_type == STOP:
            # At once: atexit hooks and non-daemon threads of the user must not delay it.
            os._exit(0)
        else:
            raise ProtocolViolation(f"unexpected frame type {frame_type} from the host")


_template_ready = False


def prepare_template():
    """Once, in the template, after Init: whatever every fork would otherwise repeat."""
    global _template_ready
    if _template_ready:
        return
    import gc
    import signal
    import socket  # noqa: F401 -- imported here so that no child pays for it

    # Children exit on their own; nobody waits for them, so the kernel must reap them.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    # Objects that survive to here are the module's: the collector leaves them alone, so
    # its passes do not write to (and so copy) the pages the children share with us.
    gc.collect()
    gc.freeze()
    _template_ready = True


def become_forked_instance(header, worker):
    """In a new child: take a channel and a stray-output file of our own, then serve. Never returns."""
    try:
        import signal
        import socket

        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # subprocess must be able to wait again
        stray = os.open(header["stray_output"], os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
        os.dup2(stray, 1)
        os.dup2(stray, 2)
        os.close(stray)
        channel = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        channel.connect(header["socket"])
        channel.sendall(str(header["token"]).encode("ascii") + b"\n")
        fd = channel.detach()
        os.dup2(fd, PROTOCOL_IN, inheritable=False)  # replaces the template's channel
        os.dup2(fd, PROTOCOL_OUT, inheritable=False)
        os.close(fd)
    except BaseException as exc:  # the host sees no connection and gives up on this child
        report_and_exit(f"could not become an instance: {exc!r}", EXIT_FORK_FAILED)
    try:
        serve(FrameReader(PROTOCOL_IN), worker)
    except ProtocolViolation as violation:
        report_and_exit(f"protocol violation: {violation}", EXIT_PROTOCOL_VIOLATION)
    except BrokenPipeError:
        os._exit(0)
    except BaseException:
        import traceback

        report_and_exit(f"internal error:\n{traceback.format_exc()}", 1)


def forget_runtime_directory():
    """The user's imports must not find this file's neighbours (or this file as 'bootstrap')."""
    here = os.path.dirname(os.path.realpath(__file__))
    sys.path[:] = [entry for entry in sys.path if os.path.realpath(entry or ".") != here]


def main():
    # Children started by the handler (os.system, subprocess) must not inherit the protocol
    # descriptors: a child holding fd 4 open would keep the channel alive after we exit.
    os.set_inheritable(PROTOCOL_IN, False)
    os.set_inheritable(PROTOCOL_OUT, False)
    forget_runtime_directory()
    log = LogBuffer()
    logger = install_capture(log)
    serve(FrameReader(PROTOCOL_IN), Worker(log, logger))


def report_and_exit(message, code):
    # fd 2 is the host's stray-output pipe; sys.stderr is the capture and would swallow this.
    os.write(STRAY_OUT, f"nimbus python bootstrap: {message}\n".encode("utf-8", "backslashreplace"))
    os._exit(code)


if __name__ == "__main__":
    try:
        main()
    except ProtocolViolation as violation:
        report_and_exit(f"protocol violation: {violation}", EXIT_PROTOCOL_VIOLATION)
    except BrokenPipeError:
        os._exit(0)  # the host went away while we answered
    except BaseException:
        import traceback

        report_and_exit(f"internal error:\n{traceback.format_exc()}", 1)
