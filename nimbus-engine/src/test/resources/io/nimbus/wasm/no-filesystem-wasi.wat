;; WASI command: tries to open "/etc/passwd" through the first would-be preopened directory
;; (fd 3) and writes the errno of fd_prestat_get and of path_open to stdout, as "<n>,<n>".
(module
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "/etc/passwd")

  ;; Writes $value (below 100) in decimal at $at; returns where the digits end.
  (func $decimal (param $value i32) (param $at i32) (result i32)
    (if (i32.ge_u (local.get $value) (i32.const 10))
      (then
        (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.div_u (local.get $value) (i32.const 10))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))))
    (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.rem_u (local.get $value) (i32.const 10))))
    (i32.add (local.get $at) (i32.const 1)))

  (func (export "_start")
    (local $at i32)
    (local.set $at (call $decimal (call $fd_prestat_get (i32.const 3) (i32.const 256)) (i32.const 1024)))
    (i32.store8 (local.get $at) (i32.const 44))
    (local.set $at (call $decimal
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 11) (i32.const 0)
        (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 512))
      (i32.add (local.get $at) (i32.const 1))))
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.sub (local.get $at) (i32.const 1024)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
