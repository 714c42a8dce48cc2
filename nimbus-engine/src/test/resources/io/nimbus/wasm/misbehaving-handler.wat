;; Handler ABI: the event's first byte picks a way to misbehave; any other event is echoed.
;;   u unreachable            d divide by zero              o out-of-bounds load
;;   s unbounded recursion    l log a line, loop forever    b claim a 7 MiB output
;;   g grow by 68.75 MiB, trap if refused                   h the same, answer "refused" if refused
;;   p point the output outside memory                      x print 128 KiB (over the log cap)
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "refused")
  (data (i32.const 80) "looping\n")
  (global $next (mut i32) (i32.const 1024))

  (func (export "alloc") (param $size i32) (result i32)
    (local $at i32)
    (local.set $at (global.get $next))
    (global.set $next (i32.add (global.get $next) (local.get $size)))
    (local.get $at))

  (func $deeper (param $depth i64) (result i64)
    (i64.add (call $deeper (i64.add (local.get $depth) (i64.const 1))) (i64.const 1)))

  (func $output (param $at i32) (param $length i32) (result i64)
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $at)) (i64.const 32))
      (i64.extend_i32_u (local.get $length))))

  (func (export "handle") (param $input i32) (param $length i32) (result i64)
    (local $op i32)
    (local.set $op (i32.load8_u (local.get $input)))
    (if (i32.eq (local.get $op) (i32.const 117)) (then unreachable))
    (if (i32.eq (local.get $op) (i32.const 100))
      (then (return (i64.extend_i32_s (i32.div_s (local.get $length) (i32.sub (local.get $length) (i32.const 1)))))))
    (if (i32.eq (local.get $op) (i32.const 111))
      (then (return (i64.extend_i32_u (i32.load (i32.const -16))))))
    (if (i32.eq (local.get $op) (i32.const 115))
      (then (return (call $deeper (i64.const 0)))))
    (if (i32.eq (local.get $op) (i32.const 108))
      (then
        (i32.store (i32.const 0) (i32.const 80))
        (i32.store (i32.const 4) (i32.const 8))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (loop $forever (br $forever))))
    (if (i32.eq (local.get $op) (i32.const 103))
      (then (if (i32.eq (memory.grow (i32.const 1100)) (i32.const -1)) (then unreachable))))
    (if (i32.eq (local.get $op) (i32.const 104))
      (then (if (i32.eq (memory.grow (i32.const 1100)) (i32.const -1))
        (then (return (call $output (i32.const 64) (i32.const 7)))))))
    (if (i32.eq (local.get $op) (i32.const 98))
      (then (return (call $output (i32.const 0) (i32.const 7340032)))))
    (if (i32.eq (local.get $op) (i32.const 112))
      (then (return (call $output (i32.const 65536) (i32.const 16)))))
    (if (i32.eq (local.get $op) (i32.const 120))
      (then
        (i32.store (i32.const 0) (i32.const 0))
        (i32.store (i32.const 4) (i32.const 65536))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
    (call $output (local.get $input) (local.get $length))))
