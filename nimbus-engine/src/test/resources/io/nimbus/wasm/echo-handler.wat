;; Handler ABI: returns the event unchanged, and logs one line on stdout and one on stderr.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "handling\n")
  (data (i32.const 32) "on stderr\n")
  (global $next (mut i32) (i32.const 1024))

  (func (export "alloc") (param $size i32) (result i32)
    (local $at i32)
    (local.set $at (global.get $next))
    (global.set $next (i32.add (global.get $next) (local.get $size)))
    (local.get $at))

  (func $log (param $fd i32) (param $text i32) (param $length i32)
    (i32.store (i32.const 0) (local.get $text))
    (i32.store (i32.const 4) (local.get $length))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "handle") (param $input i32) (param $length i32) (result i64)
    (call $log (i32.const 1) (i32.const 16) (i32.const 9))
    (call $log (i32.const 2) (i32.const 32) (i32.const 10))
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $input)) (i64.const 32))
      (i64.extend_i32_u (local.get $length)))))
