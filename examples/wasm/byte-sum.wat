;; Sums the bytes of the event (a simple checksum over the payload) and answers it as JSON:
;; {"sum":"NNNNNNNNNN"}, the sum as ten decimal digits (a string: JSON numbers have no leading zeros).
(module
  (memory (export "memory") 1)
  (data (i32.const 0) "{\"sum\":\"")
  (global $next (mut i32) (i32.const 1024))
  (func (export "alloc") (param $size i32) (result i32)
    (local $at i32)
    (local.set $at (global.get $next))
    (global.set $next (i32.add (global.get $next) (local.get $size)))
    (local.get $at))
  (func (export "handle") (param $event i32) (param $length i32) (result i64)
    (local $i i32) (local $sum i32) (local $digit i32)
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $i) (local.get $length)))
        (local.set $sum (i32.add (local.get $sum)
          (i32.load8_u (i32.add (local.get $event) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes)))
    ;; ten digits at 8..17, written from the right, then "} at 18 and 19
    (local.set $digit (i32.const 17))
    (loop $digits
      (i32.store8 (local.get $digit) (i32.add (i32.const 48) (i32.rem_u (local.get $sum) (i32.const 10))))
      (local.set $sum (i32.div_u (local.get $sum) (i32.const 10)))
      (local.set $digit (i32.sub (local.get $digit) (i32.const 1)))
      (br_if $digits (i32.ge_u (local.get $digit) (i32.const 8))))
    (i32.store8 (i32.const 18) (i32.const 34))
    (i32.store8 (i32.const 19) (i32.const 125))
    (i64.const 20)))
