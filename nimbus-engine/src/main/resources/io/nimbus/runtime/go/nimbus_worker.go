// Nimbus runtime worker for Go, compiled into the function's package main together with
// the user's handler and a generated nimbus_handler.go (which sets nimbusHandler and
// nimbusHandlerName). It loads nothing at Init, the handler is linked in; it runs the handler
// once per Exec, speaking the wire protocol of docs/protocol.md:
//
//	fd 3   frames from the host          fd 1, fd 2  "stray output" read by the host
//	fd 4   frames to the host            fd 0        /dev/null
//
// A frame is  u32 big-endian body length | u8 type | body.  Init, Exec and Resp bodies are
// u32 big-endian header length | UTF-8 JSON header | raw payload.  Log bodies are raw UTF-8.
//
// The handler may have any of the shapes AWS Lambda's Go runtime accepts (ctx is a
// context.Context, TIn and TOut anything encoding/json handles):
//
//	func ()                                  func () error
//	func (TIn) error                         func () (TOut, error)
//	func (TIn) (TOut, error)                 func (context.Context) error
//	func (context.Context, TIn) error        func (context.Context) (TOut, error)
//	func (context.Context, TIn) (TOut, error)
//
// The context's deadline is the request's; NimbusFromContext(ctx) gives the request's id and
// the function's identity. What the standard log package writes is captured per invocation
// and sent as one Log frame before the Resp; fmt.Print and anything else written to
// os.Stdout or os.Stderr goes to fds 1 and 2, the stray output, which the host also adds to
// the invocation's logs.
//
// Every identifier here but NimbusContext and NimbusFromContext starts with "nimbus" in lower
// case: this file shares package main with the user's code.

package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

// NimbusContext describes the invocation under way, as Lambda's lambdacontext does.
type NimbusContext struct {
	RequestID       string
	FunctionName    string
	FunctionVersion int
	MemoryLimitMB   int
}

type nimbusContextKey struct{}

// NimbusFromContext returns the invocation's NimbusContext, carried by the handler's ctx.
func NimbusFromContext(ctx context.Context) (*NimbusContext, bool) {
	value, ok := ctx.Value(nimbusContextKey{}).(*NimbusContext)
	return value, ok
}

const (
	nimbusProtocolIn  = 3
	nimbusProtocolOut = 4
	nimbusStrayOut    = 2

	nimbusFrameInit = 1
	nimbusFrameExec = 2
	nimbusFrameResp = 3
	nimbusFramePing = 4
	nimbusFrameStop = 5
	nimbusFrameLog  = 7

	// The host refuses (and kills the instance for) a frame body over this size.
	nimbusMaxBodyBytes = 8 * 1024 * 1024
	// A result over 6 MiB, Lambda's synchronous limit, is refused here.
	nimbusMaxResultBytes    = 6 * 1024 * 1024
	nimbusLogLimitBytes     = 65536
	nimbusTruncationMarker  = "\n[nimbus: log truncated at 65536 bytes]\n"
	nimbusErrorTextLimit    = 32768
	nimbusExitProtocolError = 2
	nimbusExitInternalError = 1
	nimbusHeadedFramePrefix = 9
	nimbusFramePrefix       = 5
)

var nimbusOKHeader = []byte(`{"ok":true}`)

// nimbusProtocolViolation is the host breaking the protocol: the worker exits with status 2.
type nimbusProtocolViolation struct{ message string }

func (v nimbusProtocolViolation) Error() string { return v.message }

// ---------------------------------------------------------------- framing

type nimbusFrameReader struct{ in *bufio.Reader }

// next returns the next frame, or ok=false when the host closed the channel between frames.
func (r nimbusFrameReader) next() (frameType byte, body []byte, ok bool) {
	var prefix [nimbusFramePrefix]byte
	n, err := io.ReadFull(r.in, prefix[:])
	if err == io.EOF && n == 0 {
		return 0, nil, false
	}
	if err != nil {
		panic(nimbusProtocolViolation{"the channel closed inside a frame prefix"})
	}
	length := binary.BigEndian.Uint32(prefix[:4])
	if length > nimbusMaxBodyBytes {
		panic(nimbusProtocolViolation{fmt.Sprintf("a frame body of %d bytes is over the limit", length)})
	}
	body = make([]byte, length)
	if read, err := io.ReadFull(r.in, body); err != nil {
		panic(nimbusProtocolViolation{fmt.Sprintf("the channel closed after %d of %d body bytes", read, length)})
	}
	return prefix[4], body, true
}

func nimbusSplitHeadedBody(body []byte) (map[string]any, []byte) {
	if len(body) < 4 {
		panic(nimbusProtocolViolation{"a frame body has no header length"})
	}
	headerEnd := 4 + uint64(binary.BigEndian.Uint32(body))
	if headerEnd > uint64(len(body)) {
		panic(nimbusProtocolViolation{fmt.Sprintf("header length %d exceeds the body", headerEnd-4)})
	}
	var header map[string]any
	if err := json.Unmarshal(body[4:headerEnd], &header); err != nil || header == nil {
		panic(nimbusProtocolViolation{"the header is not a JSON object"})
	}
	return header, body[headerEnd:]
}

// nimbusWrite sends frames with one write call; os.File.Write loops on short writes.
func nimbusWrite(out *os.File, data []byte) {
	if _, err := out.Write(data); err != nil {
		os.Exit(0) // the host went away while we answered
	}
}

func nimbusRespFrame(header, payload []byte) []byte {
	frame := make([]byte, nimbusHeadedFramePrefix, nimbusHeadedFramePrefix+len(header)+len(payload))
	binary.BigEndian.PutUint32(frame, uint32(4+len(header)+len(payload)))
	frame[4] = nimbusFrameResp
	binary.BigEndian.PutUint32(frame[5:], uint32(len(header)))
	return append(append(frame, header...), payload...)
}

func nimbusLogFrame(text []byte) []byte {
	frame := make([]byte, nimbusFramePrefix, nimbusFramePrefix+len(text))
	binary.BigEndian.PutUint32(frame, uint32(len(text)))
	frame[4] = nimbusFrameLog
	return append(frame, text...)
}

// ---------------------------------------------------------------- log capture

// nimbusLogBuffer is the current invocation's captured log output, capped at 64 KiB. The
// log package may be written from the handler's goroutines: hence the lock.
type nimbusLogBuffer struct {
	mu        sync.Mutex
	data      []byte
	truncated bool
}

func (b *nimbusLogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.truncated {
		return len(p), nil
	}
	room := nimbusLogLimitBytes - len(b.data)
	if len(p) <= room {
		b.data = append(b.data, p...)
		return len(p), nil
	}
	cut := room
	for cut > 0 && !utf8.RuneStart(p[cut]) {
		cut--
	}
	b.data = append(append(b.data, p[:cut]...), nimbusTruncationMarker...)
	b.truncated = true
	return len(p), nil
}

// drain returns what was captured since the last drain (nil if nothing) and empties the buffer.
func (b *nimbusLogBuffer) drain() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.data) == 0 {
		return nil
	}
	data := b.data
	b.data, b.truncated = nil, false
	return data
}

// ---------------------------------------------------------------- the handler

// nimbusCallable is the handler, checked once: which arguments it takes, what it returns.
type nimbusCallable struct {
	function    reflect.Value
	takesCtx    bool
	event       reflect.Type // nil when the handler takes no event
	returnsData bool
}

var nimbusContextType = reflect.TypeOf((*context.Context)(nil)).Elem()
var nimbusErrorType = reflect.TypeOf((*error)(nil)).Elem()

func nimbusInspect(handler any) (*nimbusCallable, error) {
	function := reflect.ValueOf(handler)
	if function.Kind() != reflect.Func || function.IsNil() {
		return nil, fmt.Errorf("%s is not a function", nimbusHandlerName)
	}
	t := function.Type()
	callable := &nimbusCallable{function: function}
	if t.IsVariadic() || t.NumIn() > 2 {
		return nil, fmt.Errorf("%s takes %d arguments: a handler takes (ctx, event), (event), (ctx) or nothing", nimbusHandlerName, t.NumIn())
	}
	if t.NumIn() > 0 && t.In(0).Implements(nimbusContextType) && t.In(0).Kind() == reflect.Interface {
		callable.takesCtx = true
	}
	if t.NumIn() == 2 && !callable.takesCtx {
		return nil, fmt.Errorf("%s takes two arguments, so the first must be a context.Context", nimbusHandlerName)
	}
	if t.NumIn() == 2 || (t.NumIn() == 1 && !callable.takesCtx) {
		callable.event = t.In(t.NumIn() - 1)
	}
	switch {
	case t.NumOut() > 2:
		return nil, fmt.Errorf("%s returns %d values: a handler returns (result, error), error or nothing", nimbusHandlerName, t.NumOut())
	case t.NumOut() == 2 && !t.Out(1).Implements(nimbusErrorType):
		return nil, fmt.Errorf("%s returns two values, so the second must be an error", nimbusHandlerName)
	case t.NumOut() == 1 && !t.Out(0).Implements(nimbusErrorType):
		return nil, fmt.Errorf("%s returns one value, so it must be an error (return (result, error) for a result)", nimbusHandlerName)
	}
	callable.returnsData = t.NumOut() == 2
	return callable, nil
}

// call runs the handler; a panic in it becomes the request's error.
func (c *nimbusCallable) call(ctx context.Context, event reflect.Value) (result any, failure map[string]any) {
	defer func() {
		if recovered := recover(); recovered != nil {
			failure = map[string]any{"type": "Panic", "message": nimbusClip(fmt.Sprint(recovered)), "stack": nimbusClip(string(debug.Stack()))}
		}
	}()
	var args []reflect.Value
	if c.takesCtx {
		args = append(args, reflect.ValueOf(ctx))
	}
	if c.event != nil {
		args = append(args, event)
	}
	out := c.function.Call(args)
	if len(out) > 0 {
		if err, _ := out[len(out)-1].Interface().(error); err != nil {
			return nil, nimbusDescribe(err)
		}
	}
	if c.returnsData {
		return out[0].Interface(), nil
	}
	return nil, nil
}

// nimbusDescribe is the protocol's error object for an error: its dynamic type's name without
// package or pointer (errorString, PathError, or the user's own type), as Lambda reports it.
func nimbusDescribe(err error) map[string]any {
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	name := t.Name()
	if name == "" {
		name = "error"
	}
	return map[string]any{"type": name, "message": nimbusClip(err.Error()), "stack": ""}
}

func nimbusClip(text string) string {
	if len(text) <= nimbusErrorTextLimit {
		return text
	}
	cut := nimbusErrorTextLimit
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + "... [clipped]"
}

func nimbusFail(errorType, message string) map[string]any {
	return map[string]any{"type": errorType, "message": message, "stack": ""}
}

// ---------------------------------------------------------------- the worker

type nimbusWorker struct {
	out      *os.File
	log      *nimbusLogBuffer
	handler  *nimbusCallable
	identity NimbusContext
}

func (w *nimbusWorker) init(header map[string]any) {
	started := time.Now()
	if w.handler != nil {
		w.respondError(nimbusFail("AlreadyInitialized", "this worker has already loaded its handler"))
		return
	}
	if env, ok := header["env"].(map[string]any); ok {
		for name, value := range env {
			os.Setenv(name, fmt.Sprint(value))
		}
	}
	if dir, ok := header["code_dir"].(string); ok && dir != "" {
		if err := os.Chdir(dir); err != nil {
			w.respondError(nimbusDescribe(err))
			return
		}
	}
	requested, _ := header["handler"].(string)
	if name := requested[strings.LastIndex(requested, ".")+1:]; name != nimbusHandlerName {
		w.respondError(nimbusFail("HandlerNotFound", fmt.Sprintf("this build calls %s, not %q: rebuild the function", nimbusHandlerName, requested)))
		return
	}
	handler, err := nimbusInspect(nimbusHandler)
	if err != nil {
		w.respondError(nimbusFail("InvalidHandler", err.Error()))
		return
	}
	w.handler = handler
	w.identity = NimbusContext{
		FunctionName:    nimbusString(header["function_name"]),
		FunctionVersion: nimbusInt(header["function_version"]),
		MemoryLimitMB:   nimbusInt(header["memory_limit_mb"]),
	}
	initMs := float64(time.Since(started).Microseconds()) / 1000
	reply, _ := json.Marshal(map[string]any{"ok": true, "runtime_version": strings.TrimPrefix(runtime.Version(), "go"), "init_ms": initMs})
	w.respond(reply, nil)
}

func (w *nimbusWorker) exec(header map[string]any, payload []byte, received time.Time) {
	if w.handler == nil {
		w.respondError(nimbusFail("NotInitialized", "Exec before a successful Init"))
		return
	}
	if !utf8.Valid(payload) || !json.Valid(payload) {
		w.respondError(nimbusFail("InvalidEvent", "the event is not valid UTF-8 JSON"))
		return
	}
	var event reflect.Value
	if w.handler.event != nil {
		target := reflect.New(w.handler.event)
		if err := json.Unmarshal(payload, target.Interface()); err != nil {
			w.respondError(nimbusFail("InvalidEvent", "the event does not fit the handler's "+w.handler.event.String()+": "+err.Error()))
			return
		}
		event = target.Elem()
	}
	identity := w.identity
	identity.RequestID = nimbusString(header["request_id"])
	timeout := time.Duration(nimbusInt(header["timeout_ms"])) * time.Millisecond
	ctx, cancel := context.WithDeadline(context.WithValue(context.Background(), nimbusContextKey{}, &identity), received.Add(timeout))
	defer cancel()
	result, failure := w.handler.call(ctx, event)
	if failure != nil {
		w.respondError(failure)
		return
	}
	body, err := json.Marshal(result)
	if err != nil {
		w.respondError(nimbusFail("SerializationError", "the handler's result cannot be serialized to JSON: "+err.Error()))
		return
	}
	if len(body) > nimbusMaxResultBytes {
		w.respondError(nimbusFail("ResponseTooLarge", fmt.Sprintf("the result is %d bytes of JSON, over the %d-byte limit of a response", len(body), nimbusMaxResultBytes)))
		return
	}
	w.respond(nimbusOKHeader, body)
}

func (w *nimbusWorker) respondError(failure map[string]any) {
	header, _ := json.Marshal(map[string]any{"ok": false, "error": failure})
	w.respond(header, nil)
}

// respond sends the captured logs, if any, and the Resp, in one write.
func (w *nimbusWorker) respond(header, payload []byte) {
	frame := nimbusRespFrame(header, payload)
	if logs := w.log.drain(); logs != nil {
		frame = append(nimbusLogFrame(logs), frame...)
	}
	nimbusWrite(w.out, frame)
}

func nimbusString(value any) string {
	text, _ := value.(string)
	return text
}

func nimbusInt(value any) int {
	number, _ := value.(float64)
	return int(number)
}

// ---------------------------------------------------------------- main loop

func (w *nimbusWorker) serve(reader nimbusFrameReader) {
	for {
		frameType, body, ok := reader.next()
		if !ok {
			os.Exit(0) // the host closed the channel: it wants no more from us
		}
		switch frameType {
		case nimbusFrameExec:
			received := time.Now()
			header, payload := nimbusSplitHeadedBody(body)
			w.exec(header, payload, received)
		case nimbusFramePing:
			nimbusWrite(w.out, []byte{0, 0, 0, 0, nimbusFramePing})
		case nimbusFrameInit:
			header, _ := nimbusSplitHeadedBody(body)
			w.init(header)
		case nimbusFrameStop:
			os.Exit(0) // at once: the user's goroutines must not delay it
		default:
			panic(nimbusProtocolViolation{fmt.Sprintf("unexpected frame type %d from the host", frameType)})
		}
	}
}

func nimbusReportAndExit(message string, code int) {
	os.NewFile(nimbusStrayOut, "stray").WriteString("nimbus go bootstrap: " + message + "\n")
	os.Exit(code)
}

func main() {
	// Processes the handler starts must not inherit the protocol descriptors: one holding
	// fd 4 open would keep the channel alive after the worker died.
	syscall.CloseOnExec(nimbusProtocolIn)
	syscall.CloseOnExec(nimbusProtocolOut)
	defer func() {
		recovered := recover()
		var violation nimbusProtocolViolation
		if err, ok := recovered.(error); ok && errors.As(err, &violation) {
			nimbusReportAndExit("protocol violation: "+violation.message, nimbusExitProtocolError)
		}
		if recovered != nil {
			nimbusReportAndExit(fmt.Sprintf("internal error: %v\n%s", recovered, debug.Stack()), nimbusExitInternalError)
		}
	}()
	capture := &nimbusLogBuffer{}
	log.SetOutput(capture)
	log.SetFlags(0) // the host stamps each invocation's logs; a timestamp per line would repeat it
	worker := &nimbusWorker{out: os.NewFile(nimbusProtocolOut, "protocol-out"), log: capture}
	worker.serve(nimbusFrameReader{bufio.NewReaderSize(os.NewFile(nimbusProtocolIn, "protocol-in"), 65536)})
}
