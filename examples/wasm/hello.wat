;; The handler ABI in WebAssembly text: answers {"message":"Hello from WAT"} whatever the event.
(module
  (memory (export "memory") 1)
  (data (i32.const 0) "{\"message\":\"Hello from WAT\"}")
  (global $next (mut i32) (i32.const 1024))
  (func (export "alloc") (param $size i32) (result i32)
    (local $at i32)
    (local.set $at (global.get $next))
    (global.set $next (i32.add (global.get $next) (local.get $size)))
    (local.get $at))
  (func (export "handle") (param $event i32) (param $length i32) (result i64)
    (i64.or (i64.shl (i64.const 0) (i64.const 32)) (i64.const 28))))
