;; Handler ABI: turns the event JSON into {"event":<event>,"bytes":<its length>}.
(module
  (memory (export "memory") 1)
  (data (i32.const 0) "{\"event\":")
  (data (i32.const 16) ",\"bytes\":")
  (global $next (mut i32) (i32.const 1024))

  (func $alloc (export "alloc") (param $size i32) (result i32)
    (local $at i32)
    (local.set $at (global.get $next))
    (global.set $next (i32.add (global.get $next) (local.get $size)))
    (local.get $at))

  ;; Writes $value in decimal at $at; returns where the digits end.
  (func $decimal (param $value i32) (param $at i32) (result i32)
    (local $digits i32) (local $rest i32) (local $end i32)
    (local.set $digits (i32.const 1))
    (local.set $rest (local.get $value))
    (block $counted
      (loop $count
        (br_if $counted (i32.lt_u (local.get $rest) (i32.const 10)))
        (local.set $rest (i32.div_u (local.get $rest) (i32.const 10)))
        (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
        (br $count)))
    (local.set $end (i32.add (local.get $at) (local.get $digits)))
    (local.set $rest (local.get $value))
    (loop $write
      (local.set $digits (i32.sub (local.get $digits) (i32.const 1)))
      (i32.store8 (i32.add (local.get $at) (local.get $digits))
        (i32.add (i32.const 48) (i32.rem_u (local.get $rest) (i32.const 10))))
      (local.set $rest (i32.div_u (local.get $rest) (i32.const 10)))
      (br_if $write (local.get $digits)))
    (local.get $end))

  (func (export "handle") (param $input i32) (param $length i32) (result i64)
    (local $out i32) (local $at i32)
    (local.set $out (call $alloc (i32.add (local.get $length) (i32.const 32))))
    (memory.copy (local.get $out) (i32.const 0) (i32.const 9))
    (local.set $at (i32.add (local.get $out) (i32.const 9)))
    (memory.copy (local.get $at) (local.get $input) (local.get $length))
    (local.set $at (i32.add (local.get $at) (local.get $length)))
    (memory.copy (local.get $at) (i32.const 16) (i32.const 9))
    (local.set $at (call $decimal (local.get $length) (i32.add (local.get $at) (i32.const 9))))
    (i32.store8 (local.get $at) (i32.const 125))
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32))
      (i64.extend_i32_u (i32.sub (i32.add (local.get $at) (i32.const 1)) (local.get $out))))))
