;; WASI command: reads a name from stdin, writes "Hello, <name>!" to stdout and a log line to stderr.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "Hello, ")
  (data (i32.const 96) "greeting someone\n")

  ;; Writes $length bytes at $text to $fd.
  (func $write (param $fd i32) (param $text i32) (param $length i32)
    (i32.store (i32.const 0) (local.get $text))
    (i32.store (i32.const 4) (local.get $length))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "_start")
    (local $name i32)
    ;; Read up to 4096 bytes of stdin into 1024.
    (i32.store (i32.const 16) (i32.const 1024))
    (i32.store (i32.const 20) (i32.const 4096))
    (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
    (local.set $name (i32.load (i32.const 24)))
    (call $write (i32.const 2) (i32.const 96) (i32.const 17))
    (call $write (i32.const 1) (i32.const 64) (i32.const 7))
    (call $write (i32.const 1) (i32.const 1024) (local.get $name))
    (i32.store8 (i32.const 128) (i32.const 33))
    (call $write (i32.const 1) (i32.const 128) (i32.const 1))))
